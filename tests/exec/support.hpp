#pragma once
// Helpers for the runtime's tests: pipelines built as plain data, small test
// operators registered through OperatorRegistry::add (as a user's own would
// be), a watchdog so a hung run fails loudly, and the invariants checked on
// every run.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "flow/run.hpp"

namespace flow::test {

/// What the `record` sink saw: payloads (batch members one by one) and batch sizes.
struct Recorder {
  std::mutex mutex;
  std::vector<std::string> payloads;
  std::vector<std::size_t> batch_sizes;  ///< 1 for a plain message
  std::vector<std::size_t> spin_units;   ///< messages in each chunk spin_us was applied to
  /// drain(sink=K): per (K, source node), the last number delivered, and
  /// the pairs for which a number came after a larger one.
  std::map<std::pair<std::int64_t, std::uint32_t>, long> last_number;
  std::set<std::pair<std::int64_t, std::uint32_t>> out_of_order;
  /// numbers(receipts=1): the numbers whose receipt was told lost, and told whole.
  std::set<long> receipts_lost;
  std::set<long> receipts_whole;
  /// collect(sink=K): per K, the numbers delivered there and the `user` field of each, in order.
  std::map<std::int64_t, std::vector<long>> collected;
  std::map<std::int64_t, std::vector<std::string>> collected_users;
  std::vector<std::string> copy_payloads() {
    std::lock_guard lock(mutex);
    return payloads;
  }
  std::vector<std::size_t> copy_spin_units() {
    std::lock_guard lock(mutex);
    return spin_units;
  }
};

/// Test operators, plus every built-in:
///   numbers(count, size, burst, pause_ms) source: payloads "0", "1", … (padded to `size` bytes); count < 0:
///   endless;
///                          receipts=1: each message carries a receipt that records, when done, whether it
///                          was lost
///   pass()                 stage: nothing
///   filter_mod(k)          stage: filters messages whose number % k == 0
///   error_mod(k)           stage: throws on messages whose number % k == 0
///   spin_us(us)            stage: burns `us` of CPU per message (Cost::Cpu); records its chunk sizes
///   wait_us(us)            stage: waits `us` per message on the timer (Cost::Wait)
///   wait_mod(us)           stage: waits (number % 5) × `us` on the timer (Cost::Wait): finishes out of order
///   record()               sink: records into `recorder`
///   drain()                sink: delivers everything
///   stream_fail(k, pipe)   sink: takes `k` messages in all, then throws StreamError (BrokenPipe when pipe=1)
///   finish_fail()          sink: delivers everything; its finish() throws
///   route_mod(k, labels)   stage, ends a node with labeled outputs: label number % k; labels or more: none (filtered)
///   route_below(n)         stage, the same: label 0 for numbers below n, else 1
///   key_mod(k)             stage: sets field `user` to "u" + number % k
///   collect(sink)          sink: records each number and its `user` into Recorder::collected[sink]
OperatorRegistry test_registry(std::shared_ptr<Recorder> recorder = nullptr);
/// Registers route_mod, route_below, key_mod and collect (route_ops.cpp).
void add_route_test_ops(OperatorRegistry& registry, std::shared_ptr<Recorder> recorder);

/// The number a test payload starts with.
long number_of(std::string_view payload);

/// Builds a Pipeline as plain data.
class PipelineBuilder {
 public:
  explicit PipelineBuilder(std::string name = "test") { pipeline_.name = std::move(name); }
  NodeId source(const std::string& name, OperatorCall call, int workers = 1);
  NodeId stage(const std::string& name, std::vector<OperatorCall> chain, int workers = 1);
  NodeId sink(const std::string& name, std::vector<OperatorCall> chain, int workers = 1);
  Node& node(NodeId id) { return pipeline_.nodes[id]; }
  EdgeId edge(NodeId from, NodeId to, std::optional<std::uint64_t> capacity = 8,
              Overflow policy = Overflow::Block, std::optional<std::uint64_t> max_bytes = std::nullopt);
  /// A dead-letter edge from `producer` to `target`, as the checker makes one
  /// for a route (drop_newest, never waits); the caller sets the route itself
  /// (Node::errors_to, Edge::dropped_to, ...).
  EdgeId route(NodeId producer, NodeId target, std::uint64_t capacity = 256);
  Edge& edge_at(EdgeId id) { return pipeline_.edges[id]; }
  PipelineBuilder& max_in_flight(std::uint64_t limit) {
    pipeline_.max_in_flight = limit;
    pipeline_.max_in_flight_explicit = true;
    return *this;
  }
  PipelineBuilder& clock(ClockKind kind) {
    pipeline_.clock = kind;
    return *this;
  }
  const Pipeline& get() const { return pipeline_; }

 private:
  NodeId add(const std::string& name, NodeKind kind, std::vector<OperatorCall> chain, int workers);
  Pipeline pipeline_;
};

/// An operator call with integer arguments.
OperatorCall call(const std::string& name, std::vector<std::pair<std::string, Value>> args = {});

/// Runs under a watchdog: a run that has not ended within `limit` aborts the test binary with a message.
RunMetrics run_guarded(const Pipeline& pipeline, const OperatorRegistry& registry, RunOptions options = {},
                       std::chrono::seconds limit = std::chrono::seconds(60));

/// Checks (with Catch2 CHECKs) the invariants of a run that was not failed:
/// every edge in = out + dropped + expired and held 0, high_water <= capacity,
/// per source produced = delivered + dead_lettered + dropped + expired +
/// filtered + errors, and what sinks delivered = delivered + dead_lettered.
void check_invariants(const Pipeline& pipeline, const RunMetrics& metrics);

/// The metrics of the node / edge / sink / source called `name` ("a -> b" for an edge).
const NodeMetrics& node_metrics(const RunMetrics& metrics, const std::string& name);
const EdgeMetrics& edge_metrics(const RunMetrics& metrics, const std::string& from, const std::string& to);
const SinkMetrics& sink_metrics(const RunMetrics& metrics, const std::string& name);
const SourceBalance& source_balance(const RunMetrics& metrics, const std::string& name);

}  // namespace flow::test
