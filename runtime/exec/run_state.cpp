#include "runtime/exec/run_state.hpp"

#include <fmt/format.h>

namespace flow::exec {

void SourceTally::add(const Message& message) {
  if (message.is_batch()) {
    for (const auto& member : message.members) add(member);
    return;
  }
  int index = message.source < index_->size() ? (*index_)[message.source] : -1;
  // A message stamped by no known source (a test operator's own) is counted for the first source.
  add_to(index < 0 ? 0 : static_cast<std::size_t>(index), 1, message.payload.size());
}

void SourceTally::add_to(std::size_t source, std::uint64_t n, std::uint64_t bytes) {
  if (counts_.size() <= source) counts_.resize(source + 1, 0);
  counts_[source] += n;
  total_ += n;
  bytes_ += bytes;
}

namespace {

// Only a max_in_flight the file sets is enforced. The default (capacities plus
// workers) is what the edges already bound, except for messages an operator
// holds back (a batch being filled): enforcing it would make a source wait in
// front of a dropping edge, which must never block its producer.
std::uint64_t enforced_limit(const Pipeline& pipeline) {
  if (!pipeline.max_in_flight_explicit) return 0;
  return pipeline.max_in_flight >= static_cast<std::uint64_t>(INT64_MAX) ? 0 : pipeline.max_in_flight;
}

}  // namespace

RunState::RunState(const Pipeline& pipeline, std::optional<std::uint64_t> memory_limit)
    : pipeline_(pipeline), max_in_flight_(enforced_limit(pipeline)), memory_limit_(memory_limit) {
  source_index_.assign(pipeline.nodes.size(), -1);
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    if (pipeline.nodes[id].kind != NodeKind::Source) continue;
    source_index_[id] = static_cast<int>(source_nodes_.size());
    source_nodes_.push_back(id);
  }
  balance_ = std::make_unique<Balance[]>(std::max<std::size_t>(1, source_nodes_.size()));
}

double RunState::elapsed_s() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

void RunState::fail(std::string error) {
  {
    std::lock_guard lock(mutex_);
    if (error_) return;
    error_ = std::move(error);
    failure_flag_->store(true, std::memory_order_release);
    failed_.store(true, std::memory_order_release);
  }
  over_.notify_all();
}

std::optional<std::string> RunState::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

void RunState::reader_gone(std::string what) {
  {
    std::lock_guard lock(mutex_);
    if (reader_gone_) return;
    reader_gone_ = std::move(what);
  }
  if (tell_sources_) tell_sources_();
  stop_sources();
  // As the watching thread does when it stops them: each source then sees the stop and finishes.
  if (wake_sources_) wake_sources_();
}

std::optional<std::string> RunState::reader_gone_note() const {
  std::lock_guard lock(mutex_);
  return reader_gone_;
}

std::size_t RunState::reserve(std::size_t want) {
  if (max_in_flight_ == 0) {
    in_flight_.fetch_add(static_cast<std::int64_t>(want), std::memory_order_relaxed);
    return want;
  }
  auto limit = static_cast<std::int64_t>(max_in_flight_);
  auto current = in_flight_.load(std::memory_order_relaxed);
  while (true) {
    if (current >= limit) return 0;
    auto granted = std::min<std::int64_t>(static_cast<std::int64_t>(want), limit - current);
    if (in_flight_.compare_exchange_weak(current, current + granted, std::memory_order_acq_rel)) {
      return static_cast<std::size_t>(granted);
    }
  }
}

void RunState::freed(std::uint64_t n) {
  if (n == 0) return;
  auto before = in_flight_.fetch_sub(static_cast<std::int64_t>(n), std::memory_order_acq_rel);
  auto limit = static_cast<std::int64_t>(max_in_flight_);
  // Only the release that reopens the limit wakes the sources; they re-check under their own protocol.
  if (max_in_flight_ != 0 && before >= limit && before - static_cast<std::int64_t>(n) < limit && wake_sources_) {
    wake_sources_();
  }
}

void RunState::settle(std::size_t reserved, std::size_t used) {
  if (used < reserved) freed(reserved - used);
  if (used > reserved) in_flight_.fetch_add(static_cast<std::int64_t>(used - reserved), std::memory_order_relaxed);
}

void RunState::produced(const SourceTally& tally, bool reserved) {
  const auto& counts = tally.per_source();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i]) balance_[i].produced.fetch_add(counts[i], std::memory_order_relaxed);
  }
  if (!reserved) in_flight_.fetch_add(static_cast<std::int64_t>(tally.total()), std::memory_order_relaxed);
  grow(static_cast<std::int64_t>(tally.total()), static_cast<std::int64_t>(tally.bytes()));
}

void RunState::refused(std::size_t source, std::uint64_t n) {
  balance_[source].produced.fetch_add(n, std::memory_order_relaxed);
  balance_[source].dropped.fetch_add(n, std::memory_order_relaxed);
}

namespace {

void raise_peak(std::atomic<std::uint64_t>& peak, std::int64_t now) {
  auto value = static_cast<std::uint64_t>(std::max<std::int64_t>(0, now));
  auto seen = peak.load(std::memory_order_relaxed);
  while (value > seen && !peak.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

}  // namespace

void RunState::grow(std::int64_t messages, std::int64_t bytes, const std::string* who) {
  if (messages != 0) raise_peak(peak_messages_, alive_messages_.fetch_add(messages, std::memory_order_relaxed) + messages);
  if (bytes == 0) return;
  auto alive = alive_bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  raise_peak(peak_bytes_, alive);
  if (!memory_limit_ || bytes <= 0 || static_cast<std::uint64_t>(alive) <= *memory_limit_) return;
  if (who) {
    fail(
        fmt::format("memory limit passed: {} took the payload alive to {} bytes (on edges, in workers and in "
                    "batches), limit {} bytes, at {:.2f} s",
                    *who, alive, *memory_limit_, elapsed_s()));
  } else {
    fail(
        fmt::format("memory limit passed: {} bytes of payload alive (on edges, in workers and in batches), "
                    "limit {} bytes, at {:.2f} s",
                    alive, *memory_limit_, elapsed_s()));
  }
}

void RunState::resized(std::int64_t delta, const std::string& who) { grow(0, delta, &who); }

void RunState::made(const SourceTally& made, std::int64_t bytes, const std::string& who) {
  const auto& counts = made.per_source();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i]) balance_[i].produced.fetch_add(counts[i], std::memory_order_relaxed);
  }
  in_flight_.fetch_add(static_cast<std::int64_t>(made.total()), std::memory_order_relaxed);
  grow(static_cast<std::int64_t>(made.total()), bytes, &who);
}

std::uint64_t RunState::bytes_alive() const {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(0, alive_bytes_.load(std::memory_order_relaxed)));
}

bool RunState::allocating(std::int64_t bytes) {
  if (bytes <= 0 || !memory_limit_) {
    allocating_.fetch_add(bytes, std::memory_order_relaxed);
    return true;
  }
  auto limit = static_cast<std::int64_t>(std::min<std::uint64_t>(*memory_limit_, INT64_MAX));
  auto now = allocating_.load(std::memory_order_relaxed);
  while (true) {
    if (static_cast<std::int64_t>(bytes_alive()) + now + bytes > limit) return false;
    if (allocating_.compare_exchange_weak(now, now + bytes, std::memory_order_relaxed)) return true;
  }
}

void RunState::allocation_refused(const std::string& who, std::int64_t allocated, std::size_t bytes) {
  fail(fmt::format(
      "memory limit passed: {} had allocated {} bytes in one call and would allocate {} more, with {} "
      "bytes of payload alive, limit {} bytes, at {:.2f} s",
      who, std::max<std::int64_t>(0, allocated), bytes, bytes_alive(), memory_limit_.value_or(0),
      elapsed_s()));
}

std::size_t RunState::memory_room(std::optional<std::uint64_t> message_bytes, const Node& node) {
  if (!memory_limit_) return SIZE_MAX;
  if (!message_bytes) return 1;
  if (*message_bytes == 0) return SIZE_MAX;
  auto alive = bytes_alive();
  auto room = alive >= *memory_limit_ ? 0 : (*memory_limit_ - alive) / *message_bytes;
  if (room == 0) {
    auto what = node.kind == NodeKind::Source ? fmt::format("a message of {} bytes", *message_bytes)
                                              : fmt::format("{} bytes from one message", *message_bytes);
    fail(fmt::format(
        "memory limit passed: {} {} would make {} with {} bytes of payload alive, limit {} bytes, at "
        "{:.2f} s",
        to_string(node.kind), node.name, what, alive, *memory_limit_, elapsed_s()));
  }
  return static_cast<std::size_t>(std::min<std::uint64_t>(room, SIZE_MAX));
}

void RunState::retire(const SourceTally& tally, Exit why) {
  const auto& counts = tally.per_source();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (!counts[i]) continue;
    Balance& b = balance_[i];
    auto& counter = why == Exit::Delivered      ? b.delivered
                    : why == Exit::Dropped      ? b.dropped
                    : why == Exit::Filtered     ? b.filtered
                    : why == Exit::Expired      ? b.expired
                    : why == Exit::DeadLettered ? b.dead_lettered
                                                : b.errors;
    counter.fetch_add(counts[i], std::memory_order_relaxed);
  }
  alive_messages_.fetch_sub(static_cast<std::int64_t>(tally.total()), std::memory_order_relaxed);
  alive_bytes_.fetch_sub(static_cast<std::int64_t>(tally.bytes()), std::memory_order_relaxed);
  freed(tally.total());
}

void RunState::node_finished() {
  {
    std::lock_guard lock(mutex_);
    ++finished_;
  }
  over_.notify_all();
}

bool RunState::wait_until_over(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return over_.wait_until(lock, deadline, [&] { return over_locked(); });
}

bool RunState::over() const {
  std::lock_guard lock(mutex_);
  return over_locked();
}

bool RunState::over_locked() const { return error_ || finished_ == pipeline_.nodes.size(); }

}  // namespace flow::exec
