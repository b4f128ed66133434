#include "runtime/exec/edge.hpp"

#include <algorithm>
#include <iterator>

namespace flow::exec {
namespace {

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

/// Moves messages[from..] to the end of `to`.
void move_tail(Chunk& messages, std::size_t from, Chunk& to) {
  if (from == 0 && to.empty()) {
    to = std::move(messages);
  } else {
    to.insert(to.end(), std::make_move_iterator(messages.begin() + static_cast<std::ptrdiff_t>(from)),
              std::make_move_iterator(messages.end()));
  }
  // Only the elements were moved from: the vector itself is whole.
  messages.resize(std::min(from, messages.size()));  // NOLINT(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
}

}  // namespace

EdgeBuffer::EdgeBuffer(const Edge& edge)
    : capacity_(edge.capacity),
      max_bytes_(edge.max_bytes),
      policy_(edge.overflow),
      gives_credit_(edge.overflow == Overflow::Block && edge.capacity.has_value()),
      dead_letter_(edge.dead_letter) {}

void EdgeBuffer::expired(std::size_t n) {
  std::lock_guard lock(mutex_);
  out_ -= n;
  expired_ += n;
}

void EdgeBuffer::routed(std::size_t n) {
  std::lock_guard lock(mutex_);
  routed_ += n;
}

// Room to admit messages now: what is neither held nor promised to another worker's reservation.
std::size_t EdgeBuffer::count_room() const {
  if (!capacity_) return SIZE_MAX;
  auto used = held_.size() + reserved_;
  return used >= *capacity_ ? 0 : static_cast<std::size_t>(*capacity_ - used);
}

// Room to reserve: parked messages are promised room too, so that held,
// reserved and parked together stay within capacity.
std::size_t EdgeBuffer::credit_room() const {
  auto used = held_.size() + reserved_ + parked_.size();
  return used >= *capacity_ ? 0 : static_cast<std::size_t>(*capacity_ - used);
}

std::optional<std::uint64_t> EdgeBuffer::byte_room() const {
  if (!max_bytes_) return std::nullopt;
  return held_.bytes() >= *max_bytes_ ? 0 : *max_bytes_ - held_.bytes();
}

void EdgeBuffer::admit(Chunk&& messages, std::uint64_t bytes) {
  in_ += messages.size();
  held_.push(std::move(messages), bytes);
  high_water_ = std::max<std::uint64_t>(high_water_, held_.size());
  high_water_bytes_ = std::max(high_water_bytes_, held_.bytes());
}

namespace {

/// Starts or ends a timed state (blocked, full) when `on` differs from it;
/// `now` is read at most once per edge operation.
void track(bool on, std::optional<Clock::time_point>& since, std::chrono::nanoseconds& total,
           std::optional<Clock::time_point>& now) {
  if (on == since.has_value()) return;
  if (!now) now = Clock::now();
  if (on) {
    since = now;
  } else {
    total += *now - *since;
    since.reset();
  }
}

}  // namespace

void EdgeBuffer::note_state() {
  std::optional<Clock::time_point> now;
  track(wanting_ || !parked_.empty(), blocked_since_, blocked_, now);
  track((capacity_ && held_.size() >= *capacity_) || bytes_refused_, full_since_, full_, now);
}

std::size_t EdgeBuffer::reserve(std::size_t want) {
  if (!gives_credit_) return want;
  std::lock_guard lock(mutex_);
  auto granted = std::min(want, credit_room());
  reserved_ += granted;
  if (granted == 0) {
    wanting_ = true;
    note_state();
  }
  return granted;
}

std::optional<std::size_t> EdgeBuffer::free_room() const {
  if (!capacity_) return std::nullopt;
  std::lock_guard lock(mutex_);
  return credit_room();
}

void EdgeBuffer::refuse(std::size_t messages) {
  std::lock_guard lock(mutex_);
  in_ += messages;
  dropped_ += messages;
}

bool EdgeBuffer::wake_wanting() {
  if (!wanting_ || credit_room() == 0) return false;
  wanting_ = false;
  return true;
}

OfferResult EdgeBuffer::offer(Chunk& messages, Chunk& dropped, std::size_t reserved) {
  OfferResult result;
  std::lock_guard lock(mutex_);
  switch (policy_) {
    case Overflow::Block: offer_block(messages, reserved, result); break;
    case Overflow::DropNewest: offer_drop_newest(messages, dropped, result); break;
    case Overflow::DropOldest: offer_drop_oldest(messages, dropped, result); break;
    case Overflow::Fail: offer_fail(messages, result); break;
  }
  messages.clear();
  note_state();
  return result;
}

void EdgeBuffer::offer_block(Chunk& messages, std::size_t reserved, OfferResult& result) {
  // The reservation turns into held (or parked) messages; what was not used is
  // free again, first for output parked earlier, which nothing may overtake.
  reserved_ -= std::min<std::uint64_t>(reserved, reserved_);
  bool had_parked = !parked_.empty();
  std::size_t unparked = admit_parked();
  bool was_parked = !parked_.empty();
  std::uint64_t fitting_bytes = 0, total_bytes = 0;
  // Parked output keeps its order: nothing overtakes it.
  std::size_t fitting = was_parked ? 0
                                   : count_fitting(messages, count_room(), byte_room(), held_.empty(), fitting_bytes,
                                                   total_bytes);
  if (was_parked) {
    for (const auto& message : messages) total_bytes += bytes_of(message);
  }
  if (fitting < messages.size()) {
    if (!was_parked && max_bytes_ && count_room() > fitting) bytes_refused_ = true;
    Chunk rest;
    move_tail(messages, fitting, rest);
    parked_.push(std::move(rest), total_bytes - fitting_bytes);
  }
  result.accepted = unparked + messages.size();
  if (!messages.empty()) admit(std::move(messages), fitting_bytes);
  result.unblocked = had_parked && parked_.empty();
  parked_now_.store(!parked_.empty(), std::memory_order_release);
  result.room_opened = wake_wanting();
  // Said now, the producer need not find it out with a reservation of its own.
  if (gives_credit_ && !result.room_opened && credit_room() == 0) {
    wanting_ = true;
    result.out_of_room = true;
  }
}

void EdgeBuffer::offer_drop_newest(Chunk& messages, Chunk& dropped, OfferResult& result) {
  std::uint64_t fitting_bytes = 0, total_bytes = 0;
  std::size_t fitting = count_fitting(messages, count_room(), byte_room(), held_.empty(), fitting_bytes, total_bytes);
  std::size_t refused = messages.size() - fitting;
  if (refused > 0) {
    in_ += refused;
    dropped_ += refused;
    move_tail(messages, fitting, dropped);
  }
  result.accepted = messages.size();
  if (!messages.empty()) admit(std::move(messages), fitting_bytes);
}

void EdgeBuffer::offer_drop_oldest(Chunk& messages, Chunk& dropped, OfferResult& result) {
  std::uint64_t total_bytes = 0;
  for (const auto& message : messages) total_bytes += bytes_of(message);
  result.accepted = messages.size();
  in_ += messages.size();
  held_.push(std::move(messages), total_bytes);
  // The newest message always stays, even alone above max_bytes.
  while ((capacity_ && held_.size() > *capacity_) || (max_bytes_ && held_.bytes() > *max_bytes_ && held_.size() > 1)) {
    dropped.push_back(held_.pop_front());
    ++dropped_;
  }
  high_water_ = std::max<std::uint64_t>(high_water_, held_.size());
  high_water_bytes_ = std::max(high_water_bytes_, held_.bytes());
}

void EdgeBuffer::offer_fail(Chunk& messages, OfferResult& result) {
  std::uint64_t fitting_bytes = 0, total_bytes = 0;
  std::size_t fitting = count_fitting(messages, count_room(), byte_room(), held_.empty(), fitting_bytes, total_bytes);
  if (fitting < messages.size()) {
    result.overflowed = true;
    result.bytes_limited = count_room() > fitting;
    messages.resize(fitting);
  }
  result.accepted = messages.size();
  if (!messages.empty()) admit(std::move(messages), fitting_bytes);
}

TakeResult EdgeBuffer::take(Chunk& out, std::size_t max) {
  TakeResult result;
  std::lock_guard lock(mutex_);
  auto had = out.size();
  held_.pop_into(out, max);
  result.taken = out.size() - had;
  out_ += result.taken;
  if (result.taken > 0) bytes_refused_ = false;
  bool had_parked = !parked_.empty();
  admit_parked();
  result.unblocked = had_parked && parked_.empty();
  parked_now_.store(!parked_.empty(), std::memory_order_release);
  result.emptied = held_.empty() && parked_.empty();
  result.drained = closed_ && result.emptied;
  result.room_opened = wake_wanting();
  note_state();
  return result;
}

std::size_t EdgeBuffer::admit_parked() {
  if (parked_.empty()) return 0;
  std::size_t admitted = parked_.count_fitting(count_room(), byte_room(), held_.empty());
  if (admitted > 0) {
    Chunk moving;
    auto bytes = parked_.pop_into(moving, admitted);
    admit(std::move(moving), bytes);
  }
  return admitted;
}

void EdgeBuffer::close() {
  std::lock_guard lock(mutex_);
  closed_.store(true, std::memory_order_release);
}

bool EdgeBuffer::drained() const {
  if (!closed_.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(mutex_);
  return closed_ && held_.empty() && parked_.empty();
}

std::size_t EdgeBuffer::waiting() const {
  std::lock_guard lock(mutex_);
  return held_.size() + parked_.size();
}

bool EdgeBuffer::has_parked() const { return parked_now_.load(std::memory_order_acquire); }

EdgeMetrics EdgeBuffer::snapshot() const {
  std::lock_guard lock(mutex_);
  EdgeMetrics m;
  m.capacity = capacity_;
  m.policy = policy_;
  m.in = in_;
  m.out = out_;
  m.dropped = dropped_;
  m.expired = expired_;
  m.dead_lettered = routed_;
  m.dead_letter = dead_letter_;
  m.held = held_.size();
  m.high_water = high_water_;
  m.bytes_held = held_.bytes();
  m.high_water_bytes = high_water_bytes_;
  auto now = Clock::now();
  m.blocked_s = seconds(blocked_ + (blocked_since_ ? now - *blocked_since_ : std::chrono::nanoseconds{0}));
  m.full_s = seconds(full_ + (full_since_ ? now - *full_since_ : std::chrono::nanoseconds{0}));
  return m;
}

}  // namespace flow::exec
