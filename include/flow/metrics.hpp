#pragma once
// What a run measured: plain data filled by the runtime (runtime/exec), written
// as JSON, summaries, reports and traces by runtime/output and cli/, and read
// back from JSON by `flow dot --metrics`. The JSON shape is in docs/metrics.md.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "flow/model.hpp"

namespace flow {

/// BrokenPipe: a sink's reader went away (EPIPE, `flow run x.flow | head`); the
/// run stopped its sources and drained, as GNU tools stop on SIGPIPE.
enum class RunStatus { Running, Ok, Failed, Interrupted, BrokenPipe };
const char* to_string(RunStatus status);  ///< "running", "ok", "failed", "interrupted", "broken_pipe"

struct EdgeMetrics {
  std::string from, to;
  std::optional<std::uint64_t> capacity;  ///< nullopt = unbounded
  Overflow policy = Overflow::Block;
  std::uint64_t in = 0;           ///< messages offered by the producer and accepted or dropped
  std::uint64_t out = 0;          ///< messages taken by the consumer
  std::uint64_t dropped = 0;      ///< discarded by drop_newest / drop_oldest
  std::uint64_t held = 0;         ///< messages held now (at the end: 0 after a clean run)
  std::uint64_t high_water = 0;   ///< most messages ever held at once
  std::uint64_t bytes_held = 0;   ///< payload bytes held now
  std::uint64_t high_water_bytes = 0;
  double blocked_s = 0;           ///< total time producers spent waiting for room
  double full_s = 0;              ///< time the edge spent full (held == capacity, or byte limit reached)
  /// "" in one process; "jetstream" for a cut edge (docs/distributed.md): its
  /// held and high_water are then the stream's, counted by the server.
  std::string transport{};
  std::uint64_t redelivered = 0;  ///< a cut edge: messages this part took again after another process failed to finish them
  std::uint64_t expired = 0;        ///< shed by a deadline when the consumer would take them
  std::uint64_t dead_lettered = 0;  ///< of dropped + expired, sent on along a dead-letter route
  bool dead_letter = false;         ///< a dead-letter edge (Edge::dead_letter)
  /// The producer's output label the edge leaves from (`r.errors -> k`:
  /// "errors"); empty for an edge from a node without labels. Last, so that
  /// `EdgeMetrics{from, to, capacity}` still reads as it did.
  std::string output{};

  /// Where the edge leaves, as the file writes it: "r.errors", or "r".
  std::string leaves() const { return output.empty() ? from : from + "." + output; }
};

struct NodeMetrics {
  std::string name;
  NodeKind kind = NodeKind::Stage;
  int workers = 1;
  std::uint64_t in = 0;        ///< messages taken from input edges (a source: messages produced)
  std::uint64_t out = 0;       ///< messages emitted to output edges (a sink: delivered)
  std::uint64_t errors = 0;    ///< messages whose operator failed (on_error)
  std::uint64_t filtered = 0;  ///< messages removed by an operator (grep, sample, …)
  double busy_s = 0;           ///< worker-seconds spent working or waiting on a timer for a message
  double busy = 0;             ///< busy_s / (workers × elapsed), 0..1
  double latency_p50_s = 0;    ///< time one unit of work took in this node
  double latency_p99_s = 0;
  /// Stands in for a node another part runs: the far end of a cut edge
  /// (publishing to its stream, or consuming from it).
  bool remote = false;
  /// What a source fed from outside counts of its own (SourceOperator::counts):
  /// HTTP answers, connections, rotated files; by name, in the source's order.
  std::vector<std::pair<std::string, std::uint64_t>> counts{};
  std::uint64_t expired = 0;        ///< shed by the node's own deadline (Node::deadline)
  std::uint64_t dead_lettered = 0;  ///< of errors + expired, sent on along a dead-letter route
};

/// One bucket of a cumulative latency histogram (Prometheus's `le`).
struct LatencyBucket {
  double le_s = 0;          ///< upper bound in seconds; +infinity for the last bucket
  std::uint64_t count = 0;  ///< deliveries at or below le_s (past 1,024 records, one up to 1/128 below may count in the next)
};

struct SinkMetrics {
  std::string name;
  std::uint64_t delivered = 0;  ///< messages (batch members counted one by one)
  double latency_p50_s = 0;     ///< end to end: creation at a source → end of this sink's chain
  double latency_p99_s = 0;
  double latency_max_s = 0;
  double latency_mean_s = 0;  ///< exact: the sum of the latencies / delivered, not from the histogram
  /// The same latencies as cumulative buckets, ascending; the last (+infinity)
  /// counts them all. Empty where not measured (read back from JSON).
  std::vector<LatencyBucket> latency_buckets{};
};

/// Per source: produced = delivered + dead_lettered + dropped + expired +
/// filtered + errors, when the run was not failed. Each message counts once,
/// where it finally left: one dropped on an edge, sent along a dead-letter
/// route and delivered by that route's sink counts as dead_lettered.
struct SourceBalance {
  std::string name;
  std::uint64_t produced = 0;
  std::uint64_t delivered = 0;      ///< delivered at a sink by the pipeline's own edges
  std::uint64_t dropped = 0;
  std::uint64_t filtered = 0;
  std::uint64_t errors = 0;
  std::optional<std::uint64_t> expected;  ///< the source's count, when it has one (progress)
  std::uint64_t dead_lettered = 0;  ///< delivered at a sink after a dead-letter route
  std::uint64_t expired = 0;        ///< shed by a deadline and not routed on
};

struct Bottleneck {
  std::string node;    ///< "" when none could be named
  std::string reason;  ///< e.g. "1 worker busy 98 %, its input edge 5/5 for 92 % of the run"
};

struct RunMetrics {
  std::string pipeline;
  RunStatus status = RunStatus::Running;
  std::optional<std::string> error;  ///< one line naming the node or edge (failed), the sink (BrokenPipe)
  std::optional<std::string> signal;  ///< interrupted by a signal: its name ("SIGTERM"), set by the CLI
  double elapsed_s = 0;  ///< on the run's clock: simulated seconds under the virtual clock
  ClockKind clock = ClockKind::Real;
  double wall_s = 0;     ///< real seconds the run took, whatever its clock
  std::uint64_t peak_rss_bytes = 0;
  std::uint64_t peak_messages = 0;       ///< most messages alive at once (on edges, in workers, parked, in batches; members one by one)
  std::uint64_t peak_payload_bytes = 0;  ///< most payload bytes alive at once
  double messages_per_s = 0;  ///< delivered at all sinks / elapsed
  double latency_p50_s = 0;   ///< end to end, over all sinks
  double latency_p99_s = 0;
  double latency_mean_s = 0;  ///< exact, over all sinks; 0 when nothing was delivered, like p50
  double latency_max_s = 0;
  Bottleneck bottleneck;
  std::vector<NodeMetrics> nodes;  ///< in the pipeline's node order
  std::vector<EdgeMetrics> edges;  ///< in the pipeline's edge order
  std::vector<SinkMetrics> sinks;
  std::vector<SourceBalance> sources;
};

/// A run that never started (an operator could not be made, a file not opened):
/// every node, edge, sink and source of `pipeline` at zero, so what reports the
/// failure still shows the graph it was about.
RunMetrics unstarted_metrics(const Pipeline& pipeline);

}  // namespace flow
