#pragma once
// A growable FIFO ring of messages: an edge's buffer. std::deque allocates a
// block every few messages; a ring reuses its slots for the whole run.
#include <cstddef>
#include <utility>
#include <vector>

#include "runtime/ops/message.hpp"

namespace flow::exec {

class Ring {
 public:
  /// Room for `initial` messages before the first growth (rounded up to a power of two).
  explicit Ring(std::size_t initial = 16) : slots_(round_up(initial)) {}

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void push(Message&& message) {
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_) & (slots_.size() - 1)] = std::move(message);
    ++size_;
  }

  /// Removes and returns the oldest message; the ring must not be empty.
  Message pop() {
    Message front = std::move(slots_[head_]);
    head_ = (head_ + 1) & (slots_.size() - 1);
    --size_;
    return front;
  }

  const Message& front() const { return slots_[head_]; }

 private:
  static std::size_t round_up(std::size_t n) {
    std::size_t size = 1;
    while (size < n) size *= 2;
    return size;
  }

  void grow() {
    std::vector<Message> bigger(slots_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = std::move(slots_[(head_ + i) & (slots_.size() - 1)]);
    slots_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<Message> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace flow::exec
