#include "runtime/exec/node_runner.hpp"

#include <fmt/format.h>

#include <utility>

#include "runtime/exec/running.hpp"

namespace flow::exec {
namespace {

/// Messages moved per unit of work when operators are cheap.
constexpr std::size_t kChunk = kLargestChunk;
/// At most this many messages of a CPU-bound chain (spin) go in one unit: a
/// worker's per-unit cost (locks, a task, waking the consumer) is then shared,
/// and the unit is still short enough to keep latency low.
constexpr std::size_t kCpuChunk = 8;
/// Units a task works before handing its slot to a fresh task, so one busy
/// node cannot keep a thread forever.
constexpr int kUnitsPerTask = 16;

/// A consumer woken by the task running on this thread, held back so that
/// this thread runs it once the task ends instead of starting a TBB task for
/// it. Under credit a producer whose unit filled the room downstream has
/// nothing more to do, so the consumer it woke can run right here, the way a
/// TBB body bypasses the scheduler by returning its successor; a producer
/// that goes on working hands the consumer to TBB first (hand_off_now).
struct Handoff {
  bool in_task = false;           ///< this thread is running a node's task
  NodeRunner* waiting = nullptr;  ///< the consumer to run when it ends
};
thread_local Handoff handoff;

NodeRunner::UnitLimit unit_limit_for(const Node& node, const NodeOperators& ops) {
  // on_error=skip must know which message failed, so it works them one by one.
  if (node.on_error == OnError::Skip) return {1, false, true};
  // Several workers of a cheap chain share the backlog too: one worker
  // taking a whole edge of 256 would leave the others nothing to do.
  NodeRunner::UnitLimit limit{kChunk, node.workers > 1, false};
  for (const auto& op : ops.chain) {
    if (op->cost() == Operator::Cost::Wait || op->expands()) return {1, false, true};
    if (op->cost() == Operator::Cost::Cpu) limit = {kCpuChunk, true, true};
  }
  return limit;
}

std::size_t first_holding(const NodeOperators& ops) {
  for (std::size_t i = 0; i < ops.chain.size(); ++i) {
    if (ops.chain[i]->holds_messages()) return i;
  }
  return ops.chain.size();
}

std::vector<bool> waiting_operators(const NodeOperators& ops) {
  std::vector<bool> waits;
  for (const auto& op : ops.chain) waits.push_back(op->cost() == Operator::Cost::Wait);
  return waits;
}

/// Per label of a node with labeled outputs, the indices of its outputs that leave by it.
std::vector<std::vector<std::size_t>> label_outputs(const Pipeline& pipeline, const Node& node) {
  std::vector<std::vector<std::size_t>> by_label(node.output_labels.size());
  for (std::size_t k = 0; k < node.outputs.size(); ++k) {
    const auto& label = pipeline.edges[node.outputs[k]].output;
    for (std::size_t l = 0; l < node.output_labels.size(); ++l) {
      if (node.output_labels[l] == label) by_label[l].push_back(k);
    }
  }
  return by_label;
}

}  // namespace

NodeRunner::NodeRunner(RunState& state, Timer& timer, NodeId id, NodeOperators operators)
    : state_(state),
      timer_(timer),
      node_(state.pipeline().nodes[id]),
      id_(id),
      ops_(std::move(operators)),
      unit_limit_(unit_limit_for(node_, ops_)),
      waits_(waiting_operators(ops_)),
      // A sink delivers in its chain: order is kept (or not) by its operators, not by emission.
      ordered_(node_.ordered && node_.workers > 1 && !node_.outputs.empty()),
      tail_from_(ordered_ ? first_holding(ops_) : ops_.chain.size()) {
  node_note_ = fmt::format("{} {}", to_string(node_.kind), node_.name);
  // One worker keeps every key's order anyway: partitions only matter with several.
  if (!node_.partition_by.empty() && node_.workers > 1 && !ops_.source) {
    partitions_.resize(static_cast<std::size_t>(node_.workers));
    partition_cap_ = unit_limit_.max * partitions_.size();
  }
  std::size_t first = 0;
  if (ops_.source) {
    const SourceOperator& source = *ops_.source;
    source_origin_ = origin_of(node_, first++, typeid(source));
  }
  for (std::size_t i = 0; i < ops_.chain.size(); ++i) {
    const Operator& op = *ops_.chain[i];
    origins_.push_back(origin_of(node_, first + i, typeid(op)));
    ledgers_.push_back(origins_.back().foreign ? std::make_unique<Ledger>() : nullptr);
    has_foreign_ = has_foreign_ || origins_.back().foreign;
  }
}

void NodeRunner::connect(std::vector<EdgeBuffer*> inputs, std::vector<NodeRunner*> producers,
                         std::vector<EdgeBuffer*> outputs, std::vector<NodeRunner*> consumers) {
  inputs_ = std::move(inputs);
  producers_ = std::move(producers);
  outputs_ = std::move(outputs);
  consumers_ = std::move(consumers);
  label_outputs_ = label_outputs(state_.pipeline(), node_);
}

void NodeRunner::schedule() {
  if (waits_for_room()) return;
  start_worker();
}

bool NodeRunner::waits_for_room() const {
  // A node that works message by message takes one into its hand even
  // without room, so every free worker still has something to do.
  return room_.waiting() && !unit_limit_.hand;
}

void NodeRunner::on_input() {
  input_.arrived();
  if (waits_for_room() || !claim_slot()) return;
  if (handoff.in_task && handoff.waiting == nullptr) {
    handoff.waiting = this;
    return;
  }
  spawn_(Activation{});
}

void NodeRunner::start_worker() {
  if (claim_slot()) spawn_(Activation{});
}

bool NodeRunner::claim_slot() {
  std::lock_guard lock(sched_mutex_);
  if (finished_) return false;
  if (active_ >= node_.workers) {
    wake_ = true;
    return false;
  }
  ++active_;
  return true;
}

void NodeRunner::run_task(const Activation& activation) noexcept {
  ensure_signal_stack();  // a crash handler may then run here after a stack overflow
  handoff.in_task = true;
  work(activation);
  while (auto* next = std::exchange(handoff.waiting, nullptr)) next->work(Activation{});
  handoff.in_task = false;
}

void NodeRunner::hand_off_now() {
  if (auto* next = std::exchange(handoff.waiting, nullptr)) next->spawn_(Activation{});
}

void NodeRunner::work(const Activation& activation) noexcept {
  Running running(node_note_.c_str(), nullptr);  // a crash names at least the node
  try {
    if (activation.resume && continue_unit(std::unique_ptr<Unit>(activation.resume)) == Step::Suspended) return;
    for (int units = 0;; ++units) {
      if (state_.failed()) {
        release_slot();
        return;
      }
      if (units == kUnitsPerTask) {
        spawn_(Activation{});  // the new task inherits this slot
        return;
      }
      Step step_result = step();
      if (step_result == Step::Suspended) return;
      if (step_result == Step::Idle && idle()) return;
    }
  } catch (const std::exception& e) {
    state_.fail(fmt::format("{} {}: {}", to_string(node_.kind), node_.name, e.what()));
  } catch (...) {
    state_.fail(fmt::format("{} {}: unknown exception", to_string(node_.kind), node_.name));
  }
}

NodeRunner::Step NodeRunner::step() {
  if (blocked()) return Step::Idle;
  if (flush_wanted_.exchange(false)) {
    Step flushed = flush_due(false);
    if (flushed == Step::Blocked) return Step::Idle;
    if (flushed != Step::Idle) return flushed;
  }
  if (ops_.source) return pull_and_run();
  return partitions_.empty() ? take_and_run() : take_partitioned();
}

bool NodeRunner::blocked() const {
  // Read from the edges, not counted from their events: a count could run
  // behind when a park and the take that admits it are reported out of order,
  // and the node would take (into its hand) while its output waits parked.
  for (const auto* output : outputs_) {
    if (output->has_parked()) return true;
  }
  return false;
}

bool NodeRunner::inputs_done() const {
  if (ops_.source) return source_done();
  if (partitioned_.load(std::memory_order_acquire) != 0) return false;  // taken, not yet worked
  for (const auto* input : inputs_) {
    if (!input->drained()) return false;
  }
  return true;
}

bool NodeRunner::idle() {
  std::unique_lock lock(sched_mutex_);
  if (wake_) {
    wake_ = false;
    return false;
  }
  bool last = active_ == 1 && !blocked();
  if (!last || state_.failed() || !inputs_done()) {
    --active_;
    return true;
  }
  lock.unlock();
  // End of input: operators that hold messages (batch) give them up now.
  Step flushed = flush_due(true);
  if (flushed == Step::Suspended) return true;
  if (flushed == Step::Progress) return false;
  lock.lock();
  if (wake_) {
    wake_ = false;
    return false;
  }
  if (active_ > 1 || flushed == Step::Blocked) {  // blocked: the output edge wakes the node when it has room
    --active_;
    return true;
  }
  active_ = 0;
  finished_ = true;
  lock.unlock();
  finish();
  return true;
}

void NodeRunner::release_slot() {
  std::lock_guard lock(sched_mutex_);
  --active_;
}

void NodeRunner::finish() {
  retire_held();
  finish_operators();
  for (std::size_t k = 0; k < outputs_.size(); ++k) {
    outputs_[k]->close();
    consumers_[k]->on_input();
  }
  // Nothing more can be routed: each route's target may end once it has taken the rest.
  for (std::size_t k = 0; k < dead_letters_.size(); ++k) {
    dead_letters_[k]->close();
    dead_letter_consumers_[k]->on_input();
  }
  state_.node_finished();
}

void NodeRunner::finish_operators() {
  for (std::size_t i = 0; i < ops_.chain.size(); ++i) {
    try {
      Running running(origins_[i].note.c_str(), nullptr);
      ops_.chain[i]->finish();
    } catch (const std::exception& e) {
      state_.fail(fmt::format("{} {}: {}", to_string(node_.kind), node_.name, e.what()));
      return;
    }
  }
}

bool NodeRunner::finished() const {
  std::lock_guard lock(sched_mutex_);
  return finished_;
}

NodeMetrics NodeRunner::metrics(double elapsed_s) const {
  NodeMetrics m;
  m.name = node_.name;
  m.kind = node_.kind;
  m.workers = node_.workers;
  m.in = in_.load(std::memory_order_relaxed);
  m.out = out_.load(std::memory_order_relaxed);
  m.errors = errors_.load(std::memory_order_relaxed);
  m.filtered = filtered_.load(std::memory_order_relaxed);
  m.expired = expired_.load(std::memory_order_relaxed);
  m.dead_lettered = dead_lettered_.load(std::memory_order_relaxed);
  m.busy_s = static_cast<double>(busy_ns_.load(std::memory_order_relaxed)) * 1e-9;
  double capacity_s = elapsed_s * node_.workers;
  m.busy = capacity_s > 0 ? std::min(1.0, m.busy_s / capacity_s) : 0;
  m.latency_p50_s = work_latency_.quantile_s(0.50);
  m.latency_p99_s = work_latency_.quantile_s(0.99);
  if (ops_.source) m.counts = ops_.source->counts();
  for (const auto& op : ops_.chain) {
    auto own = op->counts();
    m.counts.insert(m.counts.end(), own.begin(), own.end());
  }
  return m;
}

}  // namespace flow::exec
