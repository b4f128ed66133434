// A source node's step: pull new messages from its SourceOperator within the
// room its outputs give, max_in_flight and the memory limit leave, stamp them,
// and send them down the chain.
#include "runtime/exec/node_runner.hpp"
#include "runtime/ops/unfinished.hpp"

namespace flow::exec {
namespace {

/// A source that has nothing now and names no time is asked again after this long.
constexpr auto kRetryPull = std::chrono::milliseconds(1);

}  // namespace

bool NodeRunner::claim_pull() {
  int state = pull_state_.load();
  while (state != kPullRequested) {
    int next = state == kPullFree ? kPulling : kPullRequested;
    if (pull_state_.compare_exchange_weak(state, next)) return next == kPulling;
  }
  return false;
}

bool NodeRunner::release_pull() { return pull_state_.exchange(kPullFree) == kPullRequested; }

bool NodeRunner::source_done() const {
  if (exhausted_.load(std::memory_order_acquire)) return true;
  return state_.sources_stopped() && !draining_.load(std::memory_order_acquire);
}

NodeRunner::Step NodeRunner::pull_and_run() {
  if (source_done()) return Step::Idle;
  if (room_.waiting()) return Step::Idle;  // a full output edge wakes it (on_room)
  // One pull at a time. A worker that finds the source busy leaves a request
  // instead of waiting: the room or the time the puller found missing may open
  // just after it looked, and then it must look again, or the wake-up is lost.
  if (!claim_pull()) return Step::Idle;
  Unit unit;
  auto bytes = pull_claimed(unit);
  bool requested = release_pull();
  if (unit.messages.empty()) return requested ? Step::Progress : Step::Idle;
  unit.taken = unit.messages.size();
  unit.first = in_.fetch_add(unit.taken, std::memory_order_relaxed);
  SourceTally made = state_.tally();
  made.add_to(static_cast<std::size_t>(state_.source_index(id_)), unit.taken, bytes);
  state_.produced(made, true);
  if (node_.workers > 1) schedule();
  return run_unit(unit);
}

std::uint64_t NodeRunner::pull_claimed(Unit& unit) {
  std::lock_guard lock(pull_mutex_);  // against the pull timer's callback; other workers are kept out by the claim
  auto now = Clock::now();
  if (now < next_pull_) return 0;  // the timer wakes this node then
  if (room_.waiting()) return 0;  // a full output edge wakes it
  if (ordered_) {
    std::lock_guard numbering(take_mutex_);
    if (window_full()) return 0;  // the worker emitting the oldest unit pulls again
  }
  auto room = reserve_room(std::min(unit_limit_.max, state_.memory_room(largest_message_, node_)));
  if (room.messages == 0) return 0;  // a full output edge, or the memory limit (the run has failed)
  auto in_flight = state_.reserve(room.messages);
  if (in_flight == 0) {  // max_in_flight: woken when room opens
    keep_room(room, 0);
    return 0;
  }
  SourcePull pull;
  try {
    pull = pull_source(unit.messages, in_flight, now);
  } catch (...) {
    // A source that cannot go on (a read error) fails the run, naming the node
    // (NodeRunner::work); what it reserved is given back first, and what it
    // appended before the error was never produced.
    unit.messages.clear();
    state_.settle(in_flight, 0);
    keep_room(room, 0);
    throw;
  }
  state_.settle(in_flight, unit.messages.size());
  // A line read() has not finished is payload alive too (--memory-limit).
  if (auto* holder = dynamic_cast<ops::HoldsUnfinished*>(ops_.source.get())) {
    if (auto change = holder->take_held_change(); change != 0) state_.resized(change, source_origin_.note);
  }
  unit.reserved = keep_room(room, unit.messages.size());
  if (pull.exhausted) exhausted_.store(true, std::memory_order_release);
  std::optional<Clock::time_point> again = pull.next_at;
  if (!again && !pull.exhausted && !pull.wait && unit.messages.empty()) again = now + kRetryPull;
  if (again) arm_pull_timer(*again);
  std::uint64_t bytes = 0, largest = 0;
  for (auto& message : unit.messages) {
    message.source =
        static_cast<std::uint32_t>(id_) & 0x7fffffffU;  // 31 bits: the dead-letter mark is beside it
    // A source that knows when a message arrived (Poisson arrivals) says so.
    if (message.created == Clock::time_point{}) message.created = now;
    std::uint64_t size = message.bytes();
    bytes += size;
    largest = std::max(largest, size);
  }
  if (!unit.messages.empty()) largest_message_ = std::max(largest_message_.value_or(0), largest);
  unit.started = now;
  // Pulls are numbered in pull order; flushes share the numbering.
  if (ordered_ && !unit.messages.empty()) {
    std::lock_guard numbering(take_mutex_);
    unit.seq = next_seq_++;
  }
  return bytes;
}

void NodeRunner::arm_pull_timer(Clock::time_point again) {
  next_pull_ = again;
  if (pull_armed_ && *pull_armed_ == again) return;
  pull_armed_ = again;
  timer_.at(again, [this] {
    {
      std::lock_guard armed(pull_mutex_);
      pull_armed_.reset();
    }
    schedule();
  });
}

}  // namespace flow::exec
