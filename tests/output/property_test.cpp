// Properties over many generated topologies: every picture renders, the
// prediction never loads a node past what it sustains, JSON round-trips.
#include <catch2/catch.hpp>
#include <random>

#include "graphviz.hpp"
#include "pipelines.hpp"
#include "flow/dot.hpp"
#include "flow/metrics_json.hpp"
#include "flow/predict.hpp"

using namespace flow;
using namespace flow::test;

namespace {

// A whole number in [0, n) from the generator, without conversion noise at every call.
int below(std::mt19937& rng, int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); }
double below_d(std::mt19937& rng, int n) { return static_cast<double>(below(rng, n)); }

OperatorCall random_stage_op(std::mt19937& rng) {
  switch (below(rng, 6)) {
    case 0: return call("delay", {{"duration", ms(1 + below(rng, 100))}});
    case 1: return call("spin", {{"duration", ms(1 + below(rng, 10))}});
    case 2: return call("throttle", {{"rate", per_s(1.0 + below_d(rng, 500))}});
    case 3: return call("batch", {{"max", std::int64_t{1 + below(rng, 50)}}});
    case 4: return call("sample", {{"probability", 0.1 * (1 + below_d(rng, 10))}});
    default: return call("prefix", {{"text", std::string("\"x\\") + static_cast<char>(below(rng, 256))}});
  }
}

// A random DAG: sources first, then stages, then sinks; every edge points forwards.
Pipeline random_pipeline(std::mt19937& rng) {
  PipelineBuilder b("random");
  int sources = 1 + below(rng, 3), stages = below(rng, 5), sinks = 1 + below(rng, 3);
  std::vector<NodeId> ids;
  for (int i = 0; i < sources + stages + sinks; ++i) {
    auto kind = i < sources ? NodeKind::Source : i < sources + stages ? NodeKind::Stage : NodeKind::Sink;
    std::vector<OperatorCall> chain;
    if (kind == NodeKind::Source) {
      chain.push_back(rng() % 2 ? call("generate", {{"rate", per_s(1.0 + below_d(rng, 2000))}}) : call("generate"));
    }
    for (int k = below(rng, 3); k > 0; --k) chain.push_back(random_stage_op(rng));
    if (kind == NodeKind::Sink) chain.push_back(call("discard"));
    ids.push_back(b.node("n" + std::to_string(i), kind, chain, 1 + below(rng, 4)));
    if (below(rng, 3) == 0) b.at(ids.back()).fanout = Fanout::RoundRobin;
  }
  const Overflow policies[] = {Overflow::Block, Overflow::DropNewest, Overflow::DropOldest, Overflow::Fail};
  auto connect = [&](NodeId from, NodeId to) {
    std::optional<std::uint64_t> capacity;
    if (below(rng, 5) != 0) capacity = static_cast<std::uint64_t>(1 + below(rng, 20));
    b.edge(from, to, capacity, policies[below(rng, 4)]);
  };
  // Every non-source gets an input from an earlier non-sink; every non-sink an output to a later non-source.
  for (int i = sources; i < static_cast<int>(ids.size()); ++i)
    connect(ids[static_cast<std::size_t>(below(rng, std::min(i, sources + stages)))], ids[static_cast<std::size_t>(i)]);
  for (int i = 0; i < sources + stages; ++i) {
    if (!b.at(ids[static_cast<std::size_t>(i)]).outputs.empty()) continue;
    auto first = std::max(i + 1, sources);
    connect(ids[static_cast<std::size_t>(i)],
            ids[static_cast<std::size_t>(first + below(rng, static_cast<int>(ids.size()) - first))]);
  }
  return b.build();
}

}  // namespace

TEST_CASE("Prediction on random topologies never loads a node past what it sustains", "[output][plan]") {
  std::mt19937 rng(20261128);
  for (int round = 0; round < 300; ++round) {
    auto pipeline = random_pipeline(rng);
    auto prediction = predict(pipeline, builtin_operators());
    INFO("round " << round);
    for (const auto& node : prediction.nodes) {
      INFO(node.name << " rate " << node.rate_per_s << " capacity " << node.capacity_per_s);
      CHECK(node.rate_per_s >= 0);
      CHECK(node.rate_per_s <= node.capacity_per_s * (1 + 1e-6));
    }
    if (!prediction.bottleneck.empty()) {
      CHECK(std::isfinite(prediction.rate_per_s));
      CHECK(prediction.throughput_per_s >= 0);
    }
  }
}

TEST_CASE("DOT of random topologies, with and without a run, always renders", "[output][dot]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 12; ++round) {
    auto pipeline = random_pipeline(rng);
    RunMetrics run;
    run.pipeline = pipeline.name;
    run.elapsed_s = 1.0 + below_d(rng, 10);
    for (const auto& node : pipeline.nodes) {
      NodeMetrics n{node.name, node.kind, node.workers};
      n.busy = below_d(rng, 101) / 100.0;
      run.nodes.push_back(n);
    }
    for (const auto& edge : pipeline.edges) {
      EdgeMetrics e{pipeline.nodes[edge.from].name, pipeline.nodes[edge.to].name, edge.capacity, edge.overflow};
      e.high_water = static_cast<std::uint64_t>(below(rng, edge.capacity ? static_cast<int>(*edge.capacity) + 1 : 100));
      e.full_s = below_d(rng, 100) / 100.0 * run.elapsed_s;
      e.dropped = below(rng, 3) == 0 ? static_cast<std::uint64_t>(below(rng, 1000)) : 0;
      run.edges.push_back(e);
    }
    auto plain = render_svg(to_dot(pipeline, builtin_operators()));
    auto coloured = render_svg(to_dot(pipeline, builtin_operators(), &run));
    INFO(to_dot(pipeline, builtin_operators(), &run) << coloured.err);
    CHECK(plain.exit_code == 0);
    CHECK(coloured.exit_code == 0);
    CHECK(coloured.err.empty());
    // The picture survives a trip through the JSON file `flow dot --metrics` reads.
    auto back = metrics_from_json(to_json(run)).metrics.value();
    CHECK(to_dot(pipeline, builtin_operators(), &back) == to_dot(pipeline, builtin_operators(), &run));
  }
}
