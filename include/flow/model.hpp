#pragma once
// The graph model: plain data describing a checked pipeline. It knows neither
// PEGTL nor TBB; the checker builds it, the DOT writer, the planner and the
// runtime read it.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flow/source_location.hpp"
#include "flow/value.hpp"

namespace flow {

enum class NodeKind { Source, Stage, Sink };
enum class Overflow { Block, DropNewest, DropOldest, Fail };
enum class Fanout { Broadcast, RoundRobin };
/// DeadLetter: a failed message goes on to the node `Node::errors_to` names
/// (`on_error=NODE`; docs/dead_letters.md).
enum class OnError { Fail, Skip, DeadLetter };
/// What a run's timed things read: the machine's steady clock, or a simulated
/// one that jumps to the next timer whenever no worker has work (docs/capacity.md).
enum class ClockKind { Real, Virtual };

const char* to_string(NodeKind kind);    ///< "source", "stage", "sink"
const char* to_string(Overflow policy);  ///< "block", "drop_newest", "drop_oldest", "fail"
const char* to_string(Fanout fanout);    ///< "broadcast", "round_robin"
const char* to_string(OnError on_error); ///< "fail", "skip", "dead_letter"
const char* to_string(ClockKind clock);  ///< "real", "virtual"

/// One operator of a node's fused chain, with every argument resolved
/// (positional arguments named, defaults filled in, values of the declared kind).
struct OperatorCall {
  std::string name;
  std::map<std::string, Value> args;
  SourceLocation location;
  /// The operator's own random stream (a random duration draws from it):
  /// derived from the pipeline's seed, the node's name and the operator's
  /// place in the chain, so adding a node leaves the others' draws alone.
  std::uint64_t seed = 0;
  /// The node whose chain it is in, set by the checker: for what an operator
  /// says of its own (exec prefixes its child's standard error with it).
  std::string node{};
};

using NodeId = std::size_t;
using EdgeId = std::size_t;

struct Node {
  std::string name;
  NodeKind kind = NodeKind::Stage;
  std::vector<OperatorCall> chain;  ///< run fused, in order, in one worker
  int workers = 1;
  bool ordered = false;
  Fanout fanout = Fanout::Broadcast;
  OnError on_error = OnError::Fail;
  std::optional<NodeId> errors_to;   ///< on_error=NODE: where failed messages go
  /// `deadline=D`: a message older than D (since its source made it) when
  /// this node would take it, from any input, is shed as expired.
  std::optional<Duration> deadline;
  std::optional<NodeId> expired_to;  ///< `expired=NODE`: where what expires here goes
  /// The process that runs it (`part=NAME`; docs/distributed.md): "" when the
  /// file names no parts. An edge between nodes of two parts is a cut edge.
  std::string part;
  std::vector<EdgeId> inputs;   ///< edges entering, in declaration order
  std::vector<EdgeId> outputs;  ///< edges leaving, in declaration order; never a dead-letter edge
  /// Dead-letter edges leaving (Edge::dead_letter), one per node they lead
  /// to: what this node's routes send on (its errors; drops on its output
  /// edges; what expires on its inputs). They are in the consumer's inputs.
  std::vector<EdgeId> dead_letter_outputs;
  SourceLocation location;      ///< of the node's name in its declaration
  /// A node whose chain ends in `route(a: cond, b: cond)` has labeled
  /// outputs, in the order written: each message leaves by the first label
  /// whose condition holds, on the edges that name it (Edge::output;
  /// docs/routing.md). Empty for every other node.
  std::vector<std::string> output_labels;
  /// `partition=by(a, b)`: the fields whose text is a message's key; the
  /// messages of one key go to one worker, in order (docs/routing.md). Empty: none.
  std::vector<std::string> partition_by;
};

/// The most messages a node takes at once when its operators are cheap: one
/// TBB task, one lock per edge and one write(2) then carry this many.
inline constexpr std::uint64_t kLargestChunk = 256;

/// An edge's capacity when the file gives none: kLargestChunk, so text moves
/// in chunks of 256 lines (with exact bounds an edge's capacity is the largest
/// chunk that crosses it); or 2 × the consumer's workers where that is more,
/// so that each worker has one message in hand and one waiting
/// (docs/language.md says why).
inline std::uint64_t default_capacity(int consumer_workers) {
  auto per_worker = 2 * static_cast<std::uint64_t>(consumer_workers);
  return per_worker > kLargestChunk ? per_worker : kLargestChunk;
}

struct Edge {
  NodeId from = 0;
  NodeId to = 0;
  std::optional<std::uint64_t> capacity;   ///< messages; nullopt = unbounded
  Overflow overflow = Overflow::Block;
  std::optional<std::uint64_t> max_bytes;  ///< payload bytes held; nullopt = no byte limit
  /// `deadline=D`: a message older than D (since its source made it) when
  /// the consumer would take it is shed as expired.
  std::optional<Duration> deadline;
  std::optional<NodeId> dropped_to;  ///< `dropped=NODE`: where what this edge drops goes
  std::optional<NodeId> expired_to;  ///< `expired=NODE`: where what expires on this edge goes
  /// Made by the checker for a route (dropped=, expired=, on_error=), not
  /// declared: it never makes its producer wait (full, it drops what it
  /// would carry, counted on it) and is drawn dashed.
  bool dead_letter = false;
  SourceLocation location;                 ///< of the `->` that declared it
  /// The producer's output label it leaves from (`r.errors -> k`: "errors";
  /// Node::output_labels); empty for an edge from a node without labels.
  std::string output{};
};

struct Pipeline {
  std::string name;
  std::vector<Node> nodes;  ///< in declaration order
  std::vector<Edge> edges;  ///< in declaration order
  std::uint64_t max_in_flight = 0;              ///< 0: not set (the edges alone bound a run; output/bound.hpp)
  bool max_in_flight_explicit = false;          ///< set by the file (or --set)
  std::optional<Duration> report;               ///< report interval from the header
  std::uint64_t seed = 1;                       ///< `seed` attribute or `flow run --seed N`
  ClockKind clock = ClockKind::Real;            ///< `clock` attribute or `flow run --clock`
  std::string state;                            ///< `state` attribute or `flow run --state`: checkpoints' directory
  std::shared_ptr<const SourceFile> file;       ///< for diagnostics after checking

  /// Index of the node called `name`, if any.
  std::optional<NodeId> find_node(const std::string& name) const;
  /// "a -> b", for messages that name an edge.
  std::string edge_name(EdgeId id) const;
};

/// What a dead-letter edge (Edge::dead_letter) carries, from the routes that
/// made it: any of "dropped" (an output edge of its producer with
/// `dropped=` its consumer), "errors" (the producer's `on_error=` it) and
/// "expired" (`expired=` it on an input edge of the producer, or on the
/// producer itself), in that order. Empty for an ordinary edge.
std::vector<std::string> dead_letter_reasons(const Pipeline& pipeline, EdgeId id);

/// The condition of `node`'s output `label` as written (`status >= 500`),
/// read from the route call that ends its chain; "" when there is none.
std::string output_condition(const Node& node, const std::string& label);

}  // namespace flow
