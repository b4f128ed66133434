#include "runtime/exec/message_queue.hpp"

#include <algorithm>
#include <iterator>

namespace flow::exec {

void MessageQueue::push(Chunk&& chunk, std::uint64_t bytes) {
  if (chunk.empty()) return;
  size_ += chunk.size();
  bytes_ += bytes;
  segments_.push_back(Segment{std::move(chunk), bytes});
}

std::uint64_t MessageQueue::pop_into(Chunk& out, std::size_t count) {
  std::uint64_t moved_bytes = 0;
  while (count > 0 && !segments_.empty()) {
    Segment& front = segments_.front();
    std::size_t available = front.messages.size() - head_;
    if (head_ == 0 && available <= count) {
      // The whole segment goes: one vector move when `out` is empty.
      if (out.empty()) {
        out = std::move(front.messages);
      } else {
        out.insert(out.end(), std::make_move_iterator(front.messages.begin()),
                   std::make_move_iterator(front.messages.end()));
      }
      moved_bytes += front.bytes;
      count -= available;
      size_ -= available;
      segments_.pop_front();
      continue;
    }
    std::size_t n = std::min(available, count);
    for (std::size_t i = 0; i < n; ++i) {
      Message& message = front.messages[head_ + i];
      auto bytes = bytes_of(message);
      front.bytes -= bytes;
      moved_bytes += bytes;
      out.push_back(std::move(message));
    }
    head_ += n;
    count -= n;
    size_ -= n;
    if (head_ == front.messages.size()) {
      segments_.pop_front();
      head_ = 0;
    }
  }
  bytes_ -= moved_bytes;
  return moved_bytes;
}

Message MessageQueue::pop_front() {
  Segment& front = segments_.front();
  Message message = std::move(front.messages[head_]);
  auto bytes = bytes_of(message);
  front.bytes -= bytes;
  bytes_ -= bytes;
  --size_;
  if (++head_ == front.messages.size()) {
    segments_.pop_front();
    head_ = 0;
  }
  return message;
}

std::size_t MessageQueue::count_fitting(std::size_t count_room, std::optional<std::uint64_t> byte_room,
                                        bool first_always) const {
  if (!byte_room) return std::min(count_room, size_);
  std::size_t fitting = 0;
  std::uint64_t used = 0;
  std::size_t offset = head_;
  for (const Segment& segment : segments_) {
    for (std::size_t i = offset; i < segment.messages.size(); ++i) {
      if (fitting >= count_room) return fitting;
      auto bytes = bytes_of(segment.messages[i]);
      if (used + bytes > *byte_room && !(first_always && fitting == 0)) return fitting;
      used += bytes;
      ++fitting;
    }
    offset = 0;
  }
  return fitting;
}

std::size_t count_fitting(const Chunk& messages, std::size_t count_room, std::optional<std::uint64_t> byte_room,
                          bool first_always, std::uint64_t& fitting_bytes, std::uint64_t& total_bytes) {
  if (!byte_room) {
    // Only the count limits: the sums need no test per message.
    std::size_t fitting = std::min(count_room, messages.size());
    fitting_bytes = total_bytes = 0;
    for (std::size_t i = 0; i < fitting; ++i) fitting_bytes += bytes_of(messages[i]);
    total_bytes = fitting_bytes;
    for (std::size_t i = fitting; i < messages.size(); ++i) total_bytes += bytes_of(messages[i]);
    return fitting;
  }
  std::size_t fitting = 0;
  bool open = true;
  fitting_bytes = total_bytes = 0;
  for (const auto& message : messages) {
    auto bytes = bytes_of(message);
    total_bytes += bytes;
    if (!open) continue;
    bool count_ok = fitting < count_room;
    bool bytes_ok = !byte_room || fitting_bytes + bytes <= *byte_room || (first_always && fitting == 0);
    if (count_ok && bytes_ok) {
      ++fitting;
      fitting_bytes += bytes;
    } else {
      open = false;  // order is kept: nothing after a message that did not fit
    }
  }
  return fitting;
}

}  // namespace flow::exec
