// Operators that are not flow's own (foreign.hpp): what their calls make and
// keep is counted from the chunk, a call's allocations are charged against the
// memory limit while it runs (running.hpp), and a node with one takes no more
// input than the limit leaves room for, at the most payload a call has made
// per message it took — as a source pulls no more than the room left.
#include <optional>

#include "runtime/exec/node_runner.hpp"
#include "runtime/exec/running.hpp"

namespace flow::exec {

void NodeRunner::flush_operator(std::size_t op, Chunk& out, std::size_t most) {
  if (ledgers_[op] == nullptr) {
    ops_.chain[op]->flush_some(out, most);  // flow's own: it says what it changed
    if (auto delta = ops_.chain[op]->flush_resized(); delta != 0) state_.resized(delta, origins_[op].note);
    return;
  }
  std::optional<AllocationGuard> guard;
  if (guarded(op)) guard.emplace(state_);
  try {
    Running running(origins_[op].note.c_str(), guard ? &*guard : nullptr);
    ops_.chain[op]->flush_some(out, most);
  } catch (...) {
    if (!guard || !guard->tripped()) throw;  // fails the run naming the node (NodeRunner::work)
  }
  if (guard) {
    guard->close();
    if (guard->tripped()) {
      state_.allocation_refused(origins_[op].note, guard->allocated(), guard->refused());
      out.clear();
      return;
    }
  }
  SourceTally none = state_.tally();
  account_foreign(op, none, out, none, none, 0);
}

void NodeRunner::account_foreign(std::size_t op, const SourceTally& before, Chunk& out,
                                 const SourceTally& filtered, const SourceTally& dropped, std::size_t taken) {
  SourceTally after = state_.tally();
  auto now = Clock::now();
  for (auto& message : out) {
    // A message the operator made from nothing is as old as the call that made it.
    if (message.created == Clock::time_point{}) message.created = now;
    after.add(message);
  }
  Ledger::Change change = ledgers_[op]->settle({before, after, filtered, dropped}, state_.tally());
  if (change.made.total() != 0 || change.bytes != 0)
    state_.made(change.made, change.bytes, origins_[op].note);
  if (taken == 0) return;
  // Bytes made per message taken, rounded up: what the next message is expected to make.
  auto per_message = change.bytes <= 0 ? 0 : (static_cast<std::uint64_t>(change.bytes) + taken - 1) / taken;
  auto seen = growth_.load(std::memory_order_relaxed);
  while ((seen == kGrowthUnknown || per_message > seen) &&
         !growth_.compare_exchange_weak(seen, per_message, std::memory_order_relaxed)) {
  }
}

std::size_t NodeRunner::growth_room() {
  if (!has_foreign_ || !state_.memory_limited()) return SIZE_MAX;
  auto growth = growth_.load(std::memory_order_relaxed);
  return state_.memory_room(growth == kGrowthUnknown ? std::nullopt : std::optional<std::uint64_t>(growth),
                            node_);
}

SourcePull NodeRunner::pull_source(Chunk& out, std::size_t max, Clock::time_point now) {
  if (!source_origin_.foreign) return ops_.source->pull(out, max, now);
  std::optional<AllocationGuard> guard;
  if (source_origin_.foreign && state_.memory_limited()) guard.emplace(state_);
  SourcePull pull;
  try {
    Running running(source_origin_.note.c_str(), guard ? &*guard : nullptr);
    pull = ops_.source->pull(out, max, now);
  } catch (...) {
    if (!guard || !guard->tripped()) throw;  // a read error: fails the run naming the node
  }
  if (guard) {
    guard->close();
    if (guard->tripped()) {
      state_.allocation_refused(source_origin_.note, guard->allocated(), guard->refused());
      out.clear();
      return {};
    }
  }
  return pull;
}

void NodeRunner::retire_held() {
  for (auto& ledger : ledgers_) {
    if (!ledger) continue;
    SourceTally held = ledger->leftover(state_.tally());
    if (held.total() == 0 && held.bytes() == 0) continue;
    filtered_.fetch_add(held.total(), std::memory_order_relaxed);
    state_.retire(held, Exit::Filtered);
  }
}

}  // namespace flow::exec
