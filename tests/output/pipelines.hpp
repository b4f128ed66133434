#pragma once
// Hand-built graph models and run metrics for the output tests: no parser,
// no checker, no runtime, so these tests see only runtime/output.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "flow/metrics.hpp"
#include "flow/model.hpp"

namespace flow::test {

using namespace std::chrono_literals;

/// One operator call with named arguments.
OperatorCall call(std::string name, std::vector<std::pair<std::string, Value>> args = {});

inline Value ms(std::int64_t n) { return Duration{std::chrono::milliseconds(n)}; }
inline Value bytes(std::uint64_t n) { return Size{n}; }
inline Value per_s(double n) { return Rate{n}; }

/// Builds a Pipeline by hand, keeping inputs/outputs and max_in_flight consistent.
class PipelineBuilder {
 public:
  explicit PipelineBuilder(std::string name);
  NodeId node(std::string name, NodeKind kind, std::vector<OperatorCall> chain, int workers = 1);
  EdgeId edge(NodeId from, NodeId to, std::optional<std::uint64_t> capacity = 2, Overflow overflow = Overflow::Block);
  /// A dead-letter edge from -> to, as the checker makes one for a route:
  /// capacity default_capacity(to's workers), drop_newest, in from's
  /// dead_letter_outputs and to's inputs. The routes themselves are set on
  /// the nodes and edges (at, edge_at).
  EdgeId dead_letter(NodeId from, NodeId to);
  Node& at(NodeId id) { return pipeline_.nodes.at(id); }
  Edge& edge_at(EdgeId id) { return pipeline_.edges.at(id); }
  /// The finished pipeline (max_in_flight not set, as the checker leaves it).
  Pipeline build() const;

 private:
  Pipeline pipeline_;
};

/// language.md's end-to-end example: ingest → validate(10ms) → process(50ms) → store(20ms), capacity 5.
Pipeline end_to_end();

/// Metrics of a finished end-to-end run where `process` held everything back.
RunMetrics end_to_end_run();

/// Every kind of route into one dead-letter sink `dlq`:
///   ingest -> work [cap 5, drop_newest, dropped=dlq]
///   work [workers=2, on_error=dlq, deadline=200ms, expired=dlq]
///   work -> store [cap 5, block, deadline=100ms, expired=dlq]
/// so the checker's dead-letter edges are ingest ⇢ dlq (dropped),
/// work ⇢ dlq (errors, expired) and store ⇢ dlq (expired), capacity 256.
Pipeline dead_letters();

/// A finished run of dead_letters(): of ingest's 100, 10 dropped in front of
/// work and routed; work fails 5 and sheds 3 by its deadline, all routed;
/// 2 expire on work -> store and are routed; 80 reach store, 20 reach dlq.
RunMetrics dead_letters_run();

}  // namespace flow::test
