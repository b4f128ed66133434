#pragma once
// A FIFO of messages kept as the chunks they arrived in, so that a whole
// chunk moves in and out in O(1) while sizes and bytes still count single
// messages. The hot path of an edge: offering 64 messages costs one vector
// move, not 64 message moves.
#include <cstdint>
#include <deque>
#include <optional>

#include "flow/message.hpp"

namespace flow::exec {

/// Payload bytes of one message (a batch: its members').
inline std::uint64_t bytes_of(const Message& message) {
  return message.is_batch() ? message.bytes() : message.payload.size();
}

class MessageQueue {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::uint64_t bytes() const { return bytes_; }

  /// Appends `chunk` (non-empty; `bytes` = its payload bytes) as one segment.
  void push(Chunk&& chunk, std::uint64_t bytes);
  /// Moves the oldest `count` messages to the end of `out`; returns their bytes.
  std::uint64_t pop_into(Chunk& out, std::size_t count);
  /// Removes the oldest message.
  Message pop_front();
  /// How many of the oldest messages fit in `count_room` messages and `byte_room` bytes
  /// (nullopt: no byte limit); with `first_always`, the first one fits whatever its size.
  std::size_t count_fitting(std::size_t count_room, std::optional<std::uint64_t> byte_room, bool first_always) const;

 private:
  struct Segment {
    Chunk messages;
    std::uint64_t bytes = 0;  ///< of the messages not yet popped
  };
  std::deque<Segment> segments_;
  std::size_t head_ = 0;  ///< first message of the front segment not yet popped
  std::size_t size_ = 0;
  std::uint64_t bytes_ = 0;
};

/// How many of `messages`, from the front, fit in `count_room` and `byte_room`; their bytes in `fitting_bytes`.
std::size_t count_fitting(const Chunk& messages, std::size_t count_room, std::optional<std::uint64_t> byte_room,
                          bool first_always, std::uint64_t& fitting_bytes, std::uint64_t& total_bytes);

}  // namespace flow::exec
