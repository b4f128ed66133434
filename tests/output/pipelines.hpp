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
  Node& at(NodeId id) { return pipeline_.nodes.at(id); }
  /// The finished pipeline (max_in_flight not set, as the checker leaves it).
  Pipeline build() const;

 private:
  Pipeline pipeline_;
};

/// language.md's end-to-end example: ingest → validate(10ms) → process(50ms) → store(20ms), capacity 5.
Pipeline end_to_end();

/// Metrics of a finished end-to-end run where `process` held everything back.
RunMetrics end_to_end_run();

}  // namespace flow::test
