// Running a node's fused operator chain over one unit: operator errors
// (on_error), timer waits (ready_at) and held messages (flush).
#include <fmt/format.h>

#include <algorithm>

#include "runtime/exec/node_runner.hpp"
#include "runtime/exec/running.hpp"

namespace flow::exec {
namespace {

/// Collects what an operator filters out, to count it once the operator returns.
class FilterCounter final : public OperatorContext {
 public:
  FilterCounter(SourceTally tally, const RunState& state, std::vector<std::uint32_t>* routes)
      : tally_(tally), dropped_(std::move(tally)), state_(state), routes_(routes) {}
  void filtered(const Message& message) override {
    tally_.add(message);
    ++count_;
  }
  void dropped(const Message& message) override {
    dropped_.add(message);
    mark_lost(message);
  }
  void failed(Message message, const std::string& cause) override {
    if (failed_.empty()) first_cause_ = cause;
    failed_.push_back(std::move(message));
  }
  void resized(std::int64_t delta) override { resized_ += delta; }
  bool stopping() const override { return state_.failed(); }
  std::vector<std::uint32_t>* outputs() override { return routes_; }
  Chunk& failed_messages() { return failed_; }
  const std::string& first_cause() const { return first_cause_; }
  std::int64_t resized_bytes() const { return resized_; }
  const SourceTally& tally() const { return tally_; }
  const SourceTally& dropped_tally() const { return dropped_; }
  std::uint64_t count() const { return count_; }

 private:
  SourceTally tally_;
  SourceTally dropped_;
  std::uint64_t count_ = 0;
  std::int64_t resized_ = 0;
  Chunk failed_;
  std::string first_cause_;
  const RunState& state_;
  std::vector<std::uint32_t>* routes_;
};

}  // namespace

NodeRunner::Step NodeRunner::run_unit(Unit& unit) {
  hand_off_now();
  std::shared_ptr<Unit> suspended;
  if (!run_ops(unit, tail_from_, &suspended)) return Step::Progress;  // the run failed; the worker loop sees it
  if (suspended) return Step::Suspended;
  // Only scalars are read once emit has moved the unit on.
  bool tail_waits = emit(unit);
  if (unit.partition >= 0) release_partition(unit);
  unit_done(unit);
  return tail_waits ? Step::Suspended : Step::Progress;
}

NodeRunner::Step NodeRunner::continue_unit(std::unique_ptr<Unit> unit) {
  if (state_.failed()) return Step::Progress;
  return run_unit(*unit);
}

bool NodeRunner::run_ops(Unit& unit, std::size_t end, std::shared_ptr<Unit>* suspended) {
  auto& chain = ops_.chain;
  for (std::size_t i = unit.next_op; i < end; ++i) {
    if (unit.messages.empty()) break;
    if (!apply_one(unit, i)) return false;
    if (unit.messages.empty() || !waits_[i]) continue;  // only waiting operators have a ready time
    auto now = Clock::now();
    std::optional<Clock::time_point> ready;
    if (ledgers_[i]) {
      Running running(origins_[i].note.c_str(), nullptr);
      ready = chain[i]->ready_at(unit.messages, now);
    } else {
      ready = chain[i]->ready_at(unit.messages, now);
    }
    if (ready && *ready > now) {
      // Wait on the timer, not on this thread: the unit keeps the worker slot.
      unit.next_op = i + 1;
      auto waiting = std::make_shared<Unit>(std::move(unit));
      *suspended = waiting;
      // A timer dropped at the end of a failed run frees the unit with its callback.
      timer_.at(*ready, [this, waiting] { spawn_(Activation{new Unit(std::move(*waiting))}); });
      return true;
    }
  }
  unit.next_op = std::max(unit.next_op, end);
  return true;
}

bool NodeRunner::run_tail(Unit& unit, std::shared_ptr<Unit>* suspended) {
  if (unit.flushing) {
    unit.flushing = false;
    tail_flush_pending_.store(false);
    flush_operator(unit.next_op++, unit.messages, unit.flush_most);
  }
  return run_ops(unit, ops_.chain.size(), suspended);
}

bool NodeRunner::apply_one(Unit& unit, std::size_t op) {
  bool skip = node_.on_error == OnError::Skip;
  bool foreign = ledgers_[op] != nullptr;
  SourceTally before = state_.tally();
  if (skip || foreign) before.add_all(unit.messages);
  auto messages_before = unit.messages.size();
  // on_error=NODE sends a throwing call's input on: kept before the call
  // (payloads are shared views; the copy is one vector).
  std::optional<Chunk> input;
  if (node_.on_error == OnError::DeadLetter) input = unit.messages;
  // The operator that ends the chain of a node with labeled outputs (route) says where each message goes.
  bool routing = !node_.output_labels.empty() && op + 1 == ops_.chain.size();
  if (routing) unit.routes.clear();
  FilterCounter context(state_.tally(), state_, routing ? &unit.routes : nullptr);
  std::optional<AllocationGuard> guard;
  if (guarded(op)) guard.emplace(state_);
  std::exception_ptr thrown;
  if (foreign) {  // flow's own operators: a crash names the node (NodeRunner::work)
    Running running(origins_[op].note.c_str(), guard ? &*guard : nullptr);
    thrown = call_apply(op, unit.messages, context);
  } else {
    thrown = call_apply(op, unit.messages, context);
  }
  if (guard) {
    guard->close();
    if (guard->tripped()) {  // whatever the operator made of the bad_alloc
      state_.allocation_refused(origins_[op].note, guard->allocated(), guard->refused());
      return false;
    }
  }
  if (thrown) {
    // What it reported failed before it threw is in `before` (and, under
    // on_error=NODE, in the input routed on): only its receipts are left to mark.
    if (!input) mark_lost(context.failed_messages());
    return apply_failed(unit, op, thrown, before, messages_before, input ? &*input : nullptr);
  }
  // What left the chain here, filtered or failed (taken before routing moves the failed on).
  SourceTally gone = context.tally();
  if (foreign) gone.add_all(context.failed_messages());
  if (!context.failed_messages().empty() && !messages_failed(unit, op, context.failed_messages(), context.first_cause()))
    return false;
  if (context.count()) {
    filtered_.fetch_add(context.count(), std::memory_order_relaxed);
    state_.retire(context.tally(), Exit::Filtered);
  }
  if (context.dropped_tally().total() != 0) state_.retire(context.dropped_tally(), Exit::Dropped);
  if (routing && !routes_given(unit, op)) return false;
  // After what left is retired, so that growth does not count it twice against the memory limit.
  if (foreign) {
    account_foreign(op, before, unit.messages, gone, context.dropped_tally(), messages_before);
  } else if (context.resized_bytes() != 0) {
    state_.resized(context.resized_bytes(), origins_[op].note);
  }
  return true;
}

std::exception_ptr NodeRunner::call_apply(std::size_t op, Chunk& messages, OperatorContext& context) noexcept {
  try {
    ops_.chain[op]->apply(messages, context);
    return nullptr;
  } catch (...) {
    return std::current_exception();
  }
}

bool NodeRunner::apply_failed(Unit& unit, std::size_t op, const std::exception_ptr& thrown,
                              const SourceTally& before, std::size_t messages_before, Chunk* input) {
  std::string cause;
  try {
    std::rethrow_exception(thrown);
  } catch (const StreamError& e) {
    return stream_failed(unit, op, e);
  } catch (const std::exception& e) {
    cause = e.what();
  } catch (...) {
    cause = "unknown exception";
  }
  if (node_.on_error == OnError::Fail) {
    state_.fail(failure(unit, op, cause.c_str()));
    return false;
  }
  // What the operator reported filtered before it threw counts as the error too: counted once.
  if (input != nullptr) {  // on_error=NODE: the call's input goes on, as it was before the call
    errors_.fetch_add(input->size(), std::memory_order_relaxed);
    unit.messages.clear();
    route_failed(*input);
    return true;
  }
  errors_.fetch_add(messages_before, std::memory_order_relaxed);
  state_.retire(before, Exit::Errors);
  mark_lost(unit.messages);
  unit.messages.clear();
  return true;
}

bool NodeRunner::messages_failed(const Unit& unit, std::size_t op, Chunk& failed, const std::string& cause) {
  if (node_.on_error == OnError::DeadLetter) {
    errors_.fetch_add(failed.size(), std::memory_order_relaxed);
    route_failed(failed);
    return true;
  }
  SourceTally tally = state_.tally();
  tally.add_all(failed);
  errors_.fetch_add(failed.size(), std::memory_order_relaxed);
  state_.retire(tally, Exit::Errors);
  mark_lost(failed);
  // The rest of the chunk went through the operator (a sink's rows are
  // committed): it goes on, delivered, while the run fails, as stream_failed does.
  if (node_.on_error == OnError::Fail) state_.fail(failure(unit, op, cause.c_str()));
  return true;
}

bool NodeRunner::stream_failed(Unit& unit, std::size_t op, const StreamError& error) {
  // The messages the stream took go on (a sink's are delivered); the others
  // count as errors. Whatever on_error says: every later write would fail too.
  std::size_t written = std::min(error.written(), unit.messages.size());
  Chunk lost(std::make_move_iterator(unit.messages.begin() + static_cast<std::ptrdiff_t>(written)),
             std::make_move_iterator(unit.messages.end()));
  unit.messages.resize(written);
  SourceTally tally = state_.tally();
  tally.add_all(lost);
  errors_.fetch_add(lost.size(), std::memory_order_relaxed);
  state_.retire(tally, Exit::Errors);
  mark_lost(lost);
  if (dynamic_cast<const BrokenPipe*>(&error) != nullptr) {
    state_.reader_gone(fmt::format("{} {}: {}", to_string(node_.kind), node_.name, error.what()));
  } else {
    state_.fail(failure(unit, op, error.what()));
  }
  return true;
}

std::string NodeRunner::failure(const Unit& unit, std::size_t op, const char* cause) const {
  std::string where;
  if (unit.taken == 0) {
    where = "while flushing";
  } else if (unit.taken == 1) {
    where = fmt::format("on message {}", unit.first + 1);
  } else if (unit.scattered) {
    where = fmt::format("on one of {} messages of partition {} (the first: message {})", unit.taken,
                        unit.partition, unit.first + 1);
  } else {
    where = fmt::format("on one of messages {}-{}", unit.first + 1, unit.first + unit.taken);
  }
  std::size_t chain_index = op + (ops_.source ? 1 : 0);
  return fmt::format("{} {} failed {} (operator {}): {}", to_string(node_.kind), node_.name, where,
                     node_.chain.at(chain_index).name, cause);
}

void NodeRunner::unit_done(Unit& unit) {
  auto elapsed = Clock::now() - unit.started;
  busy_ns_.fetch_add(static_cast<std::uint64_t>(elapsed.count()), std::memory_order_relaxed);
  if (unit.taken > 0) work_latency_.record(elapsed / unit.taken, unit.taken);
  arm_flush_timer();
}

NodeRunner::Step NodeRunner::flush_due(bool everything) {
  Step result = Step::Idle;
  auto& chain = ops_.chain;
  if (everything) {
    for (auto& op : chain) op->input_ended();
  }
  for (std::size_t i = 0; i < chain.size(); ++i) {
    auto now = Clock::now();
    if (!everything) {
      if (i >= tail_from_ && tail_flush_pending_.load()) continue;  // one waits for its turn already
      auto deadline = chain[i]->flush_deadline();
      if (!deadline || *deadline > now) continue;
    }
    Unit unit;
    unit.next_op = i + 1;
    unit.started = now;
    // What a flush gives needs room downstream like any other message: a
    // batch is one, count's rows may be thousands. A unit's worth of room,
    // and the operator gives no more; the rest goes at the next flush.
    const Room room = reserve_room(unit_limit_.max);
    unit.reserved = room.per_edge;
    unit.flush_most = room.messages;
    if (unit.reserved == 0) {
      input_.found();  // room alone lets the flush go on
      if (!everything) flush_wanted_.store(true);  // tried again once the edge has room
      return Step::Blocked;
    }
    {
      // An ordered node numbers the flushed batch in the same step that takes it.
      std::unique_lock lock(take_mutex_, std::defer_lock);
      if (ordered_) lock.lock();
      if (ordered_ && window_full()) {  // the worker emitting the oldest unit flushes then
        lock.unlock();
        release_outputs(unit.reserved);
        if (!everything) flush_wanted_.store(true);
        return Step::Blocked;
      }
      if (!everything && i >= tail_from_) {
        // Units taken before it may not have reached this operator yet: the
        // flush waits for its turn. At end of input none is in flight.
        unit.next_op = i;
        unit.flushing = true;
        tail_flush_pending_.store(true);
      } else {
        flush_operator(i, unit.messages, unit.flush_most);
      }
      if (unit.messages.empty() && !unit.flushing) {
        release_outputs(unit.reserved);
        continue;
      }
      if (ordered_) unit.seq = next_seq_++;
    }
    result = Step::Progress;
    if (run_unit(unit) == Step::Suspended) return Step::Suspended;
  }
  if (!everything) arm_flush_timer();
  return result;
}

void NodeRunner::arm_flush_timer() {
  // The deadline stays past until the flush waiting for its turn runs; the
  // unit done after it arms the timer again.
  if (tail_flush_pending_.load()) return;
  std::optional<Clock::time_point> earliest;
  for (const auto& op : ops_.chain) {
    auto deadline = op->flush_deadline();
    if (deadline && (!earliest || *deadline < *earliest)) earliest = deadline;
  }
  if (!earliest) return;
  {
    std::lock_guard lock(flush_mutex_);
    if (flush_armed_ && *flush_armed_ <= *earliest) return;
    flush_armed_ = earliest;
  }
  timer_.at(*earliest, [this] {
    {
      std::lock_guard lock(flush_mutex_);
      flush_armed_.reset();
    }
    flush_wanted_.store(true);
    schedule();
  });
}

}  // namespace flow::exec
