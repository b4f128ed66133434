#include "runtime/exec/edge.hpp"

#include <algorithm>

namespace flow::exec {
namespace {

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// An edge with capacity c starts with room for c messages (capped), so a
// bounded edge never reallocates while it runs.
std::size_t initial_slots(const Edge& edge) {
  return static_cast<std::size_t>(std::min<std::uint64_t>(edge.capacity.value_or(64), 1024));
}

}  // namespace

EdgeBuffer::EdgeBuffer(const Edge& edge)
    : capacity_(edge.capacity), max_bytes_(edge.max_bytes), policy_(edge.overflow), held_(initial_slots(edge)) {}

bool EdgeBuffer::fits(std::size_t next_bytes) const {
  if (capacity_ && held_.size() >= *capacity_) return false;
  // A message larger than max_bytes alone still passes an empty edge, or it could never pass.
  if (max_bytes_ && !held_.empty() && bytes_ + next_bytes > *max_bytes_) return false;
  return true;
}

void EdgeBuffer::admit(Message&& message, std::size_t bytes) {
  held_.push(std::move(message));
  ++in_;
  bytes_ += bytes;
  high_water_ = std::max<std::uint64_t>(high_water_, held_.size());
  high_water_bytes_ = std::max(high_water_bytes_, bytes_);
}

void EdgeBuffer::note_fullness() {
  bool full = (capacity_ && held_.size() >= *capacity_) || bytes_refused_;
  if (full == full_since_.has_value()) return;
  auto now = Clock::now();
  if (full) {
    full_since_ = now;
  } else {
    full_ += now - *full_since_;
    full_since_.reset();
  }
}

OfferResult EdgeBuffer::offer(Chunk& messages, Chunk& dropped) {
  OfferResult result;
  std::lock_guard lock(mutex_);
  auto bytes_before = static_cast<std::int64_t>(bytes_ + parked_bytes_);
  switch (policy_) {
    case Overflow::Block: offer_block(messages, result); break;
    case Overflow::DropNewest: offer_drop_newest(messages, dropped, result); break;
    case Overflow::DropOldest: offer_drop_oldest(messages, dropped, result); break;
    case Overflow::Fail: offer_fail(messages, result); break;
  }
  messages.clear();
  note_fullness();
  result.bytes_delta = static_cast<std::int64_t>(bytes_ + parked_bytes_) - bytes_before;
  return result;
}

void EdgeBuffer::offer_block(Chunk& messages, OfferResult& result) {
  bool was_parked = !parked_.empty();
  for (auto& message : messages) {
    auto bytes = message.bytes();
    // Parked output keeps its order: nothing overtakes it.
    if (parked_.empty() && fits(bytes)) {
      admit(std::move(message), bytes);
      ++result.accepted;
    } else {
      if (max_bytes_ && capacity_.value_or(UINT64_MAX) > held_.size()) bytes_refused_ = true;
      parked_.push(std::move(message));
      parked_bytes_ += bytes;
    }
  }
  if (!was_parked && !parked_.empty()) {
    parked_since_ = Clock::now();
    result.newly_blocked = true;
  }
}

void EdgeBuffer::offer_drop_newest(Chunk& messages, Chunk& dropped, OfferResult& result) {
  for (auto& message : messages) {
    auto bytes = message.bytes();
    if (fits(bytes)) {
      admit(std::move(message), bytes);
      ++result.accepted;
    } else {
      ++in_;
      ++dropped_;
      dropped.push_back(std::move(message));
    }
  }
}

void EdgeBuffer::offer_drop_oldest(Chunk& messages, Chunk& dropped, OfferResult& result) {
  for (auto& message : messages) {
    auto bytes = message.bytes();
    while (!held_.empty() && !fits(bytes)) {
      Message oldest = held_.pop();
      bytes_ -= oldest.bytes();
      ++dropped_;
      dropped.push_back(std::move(oldest));
    }
    admit(std::move(message), bytes);
    ++result.accepted;
  }
}

void EdgeBuffer::offer_fail(Chunk& messages, OfferResult& result) {
  for (auto& message : messages) {
    auto bytes = message.bytes();
    if (!fits(bytes)) {
      result.overflowed = true;
      result.bytes_limited = !(capacity_ && held_.size() >= *capacity_);
      return;
    }
    admit(std::move(message), bytes);
    ++result.accepted;
  }
}

TakeResult EdgeBuffer::take(Chunk& out, std::size_t max) {
  TakeResult result;
  std::lock_guard lock(mutex_);
  auto bytes_before = static_cast<std::int64_t>(bytes_ + parked_bytes_);
  while (result.taken < max && !held_.empty()) {
    Message message = held_.pop();
    bytes_ -= message.bytes();
    out.push_back(std::move(message));
    ++result.taken;
  }
  out_ += result.taken;
  if (result.taken > 0) bytes_refused_ = false;
  while (!parked_.empty() && fits(parked_.front().bytes())) {
    Message message = parked_.pop();
    auto bytes = message.bytes();
    parked_bytes_ -= bytes;
    admit(std::move(message), bytes);
  }
  if (parked_since_ && parked_.empty()) {
    blocked_ += Clock::now() - *parked_since_;
    parked_since_.reset();
    result.unblocked = true;
  }
  note_fullness();
  result.bytes_delta = static_cast<std::int64_t>(bytes_ + parked_bytes_) - bytes_before;
  return result;
}

void EdgeBuffer::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
}

bool EdgeBuffer::drained() const {
  std::lock_guard lock(mutex_);
  return closed_ && held_.empty() && parked_.empty();
}

bool EdgeBuffer::has_parked() const {
  std::lock_guard lock(mutex_);
  return !parked_.empty();
}

EdgeMetrics EdgeBuffer::snapshot() const {
  std::lock_guard lock(mutex_);
  EdgeMetrics m;
  m.capacity = capacity_;
  m.policy = policy_;
  m.in = in_;
  m.out = out_;
  m.dropped = dropped_;
  m.held = held_.size();
  m.high_water = high_water_;
  m.bytes_held = bytes_;
  m.high_water_bytes = high_water_bytes_;
  auto now = Clock::now();
  m.blocked_s = seconds(blocked_ + (parked_since_ ? now - *parked_since_ : std::chrono::nanoseconds{0}));
  m.full_s = seconds(full_ + (full_since_ ? now - *full_since_ : std::chrono::nanoseconds{0}));
  return m;
}

}  // namespace flow::exec
