// A source node's step: pull new messages from its SourceOperator within the
// room max_in_flight leaves, stamp them, and send them down the chain.
#include "runtime/exec/node_runner.hpp"

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

NodeRunner::Step NodeRunner::pull_and_run() {
  if (exhausted_.load(std::memory_order_acquire) || state_.sources_stopped()) return Step::Idle;
  // One pull at a time. A worker that finds the source busy leaves a request
  // instead of waiting: the room or the time the puller found missing may open
  // just after it looked, and then it must look again, or the wake-up is lost.
  if (!claim_pull()) return Step::Idle;
  Unit unit;
  pull_claimed(unit);
  bool requested = release_pull();
  if (unit.messages.empty()) return requested ? Step::Progress : Step::Idle;
  unit.taken = unit.messages.size();
  unit.first = in_.fetch_add(unit.taken, std::memory_order_relaxed);
  SourceTally made = state_.tally();
  made.add_to(static_cast<std::size_t>(state_.source_index(id_)), unit.taken);
  state_.produced(made, true);
  if (node_.workers > 1) schedule();
  return run_unit(unit);
}

void NodeRunner::pull_claimed(Unit& unit) {
  std::lock_guard lock(pull_mutex_);  // against the pull timer's callback; other workers are kept out by the claim
  auto now = Clock::now();
  if (now < next_pull_) return;  // the timer wakes this node then
  auto room = state_.reserve(unit_limit_.max);
  if (room == 0) return;  // max_in_flight: woken when room opens
  SourcePull pull = ops_.source->pull(unit.messages, room, now);
  state_.settle(room, unit.messages.size());
  if (pull.exhausted) exhausted_.store(true, std::memory_order_release);
  std::optional<Clock::time_point> again = pull.next_at;
  if (!again && !pull.exhausted && unit.messages.empty()) again = now + kRetryPull;
  if (again) arm_pull_timer(*again);
  for (auto& message : unit.messages) {
    message.source = static_cast<std::uint32_t>(id_);
    message.created = now;
  }
  unit.started = now;
  // Pulls are numbered in pull order; flushes share the numbering.
  if (ordered_ && !unit.messages.empty()) {
    std::lock_guard numbering(take_mutex_);
    unit.seq = next_seq_++;
  }
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
