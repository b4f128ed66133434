#include "random_topology.hpp"

#include <fmt/format.h>

#include <random>

#include "support.hpp"

namespace flow::test {
namespace {

// mt19937_64's output is fixed by the standard; the distributions are not
// (libstdc++ and libc++ map it differently). Our own mapping makes a seed
// name the same topology everywhere. The modulo's bias is below 2^-50 here.
using Rng = std::mt19937_64;

std::int64_t between(Rng& rng, std::int64_t low, std::int64_t high) {
  auto span = static_cast<std::uint64_t>(high - low) + 1;
  return low + static_cast<std::int64_t>(rng() % span);
}
bool chance(Rng& rng, double p) { return static_cast<double>(rng() >> 11) * 0x1.0p-53 < p; }

/// One random stage operator; sets `errors` when it may throw.
OperatorCall random_operator(Rng& rng, bool& errors) {
  switch (between(rng, 0, 7)) {
    case 0: return call("pass");
    case 1: return call("filter_mod", {{"k", between(rng, 2, 7)}});
    case 2:
      errors = true;
      return call("error_mod", {{"k", between(rng, 3, 9)}});
    case 3: return call("spin_us", {{"us", between(rng, 1, 20)}});
    case 4: return call("wait_us", {{"us", between(rng, 10, 300)}});
    case 5: return call("wait_mod", {{"us", between(rng, 10, 100)}});
    case 6:
      return call("batch", {{"max", between(rng, 2, 10)}, {"within", Duration{std::chrono::milliseconds(1)}}});
    default: return call("unbatch");
  }
}

std::vector<OperatorCall> random_chain(Rng& rng, bool& errors, int most) {
  std::vector<OperatorCall> chain;
  auto count = between(rng, 0, most);
  for (std::int64_t i = 0; i < count; ++i) chain.push_back(random_operator(rng, errors));
  return chain;
}

void random_node_attributes(Rng& rng, Node& node, bool errors) {
  node.workers = static_cast<int>(between(rng, 1, 4));
  node.ordered = chance(rng, 0.3);
  node.fanout = chance(rng, 0.5) ? Fanout::Broadcast : Fanout::RoundRobin;
  node.on_error = errors ? OnError::Skip : (chance(rng, 0.5) ? OnError::Skip : OnError::Fail);
}

void random_edge_attributes(Rng& rng, Edge& edge, bool fail_edges) {
  edge.capacity = chance(rng, 0.1) ? std::nullopt : std::optional<std::uint64_t>(between(rng, 1, 8));
  auto pick = between(rng, 0, fail_edges ? 5 : 4);
  edge.overflow = pick <= 2 ? Overflow::Block : pick == 3 ? Overflow::DropNewest : pick == 4 ? Overflow::DropOldest
                                                                                                : Overflow::Fail;
  if (chance(rng, 0.1)) edge.max_bytes = static_cast<std::uint64_t>(between(rng, 20, 100));
}

bool has_edge(const Pipeline& p, NodeId from, NodeId to) {
  for (const auto& edge : p.edges) {
    if (edge.from == from && edge.to == to) return true;
  }
  return false;
}

void connect(Rng& rng, Pipeline& p, NodeId from, NodeId to, bool fail_edges) {
  Edge edge;
  edge.from = from;
  edge.to = to;
  random_edge_attributes(rng, edge, fail_edges);
  p.edges.push_back(edge);
  p.nodes[from].outputs.push_back(p.edges.size() - 1);
  p.nodes[to].inputs.push_back(p.edges.size() - 1);
}

/// A dead-letter edge from `producer` to the sink `dl` (one per producer).
void route_to(Pipeline& p, NodeId producer, NodeId dl) {
  for (EdgeId e : p.nodes[producer].dead_letter_outputs) {
    if (p.edges[e].to == dl) return;
  }
  Edge edge;
  edge.from = producer;
  edge.to = dl;
  edge.capacity = default_capacity(1);
  edge.overflow = Overflow::DropNewest;
  edge.dead_letter = true;
  p.edges.push_back(edge);
  p.nodes[producer].dead_letter_outputs.push_back(p.edges.size() - 1);
  p.nodes[dl].inputs.push_back(p.edges.size() - 1);
}

// Three topologies in ten get a dead-letter sink `dl`, with routes from some
// drop edges (dropped=), some failing nodes (on_error=dl) and deadlines on
// some edges, half of them routed (expired=). A stream of its own, so the
// topology of a seed is otherwise the one it always was.
void add_routes(std::uint64_t seed, Pipeline& p, std::int64_t sinks) {
  Rng rng(seed * 0x9E3779B97F4A7C15ULL + 1);
  if (!chance(rng, 0.3)) return;
  Node dl;
  dl.name = "dl";
  dl.kind = NodeKind::Sink;
  dl.chain.push_back(call("drain", {{"sink", sinks}}));
  p.nodes.push_back(std::move(dl));
  NodeId target = p.nodes.size() - 1;
  const auto declared = p.edges.size();
  for (EdgeId id = 0; id < declared; ++id) {
    bool drops = p.edges[id].overflow == Overflow::DropNewest || p.edges[id].overflow == Overflow::DropOldest;
    if (drops && chance(rng, 0.5)) {
      p.edges[id].dropped_to = target;
      route_to(p, p.edges[id].from, target);
    }
    if (!chance(rng, 0.2)) continue;
    p.edges[id].deadline = Duration{std::chrono::milliseconds(between(rng, 2, 30))};
    if (chance(rng, 0.5)) {
      p.edges[id].expired_to = target;
      route_to(p, p.edges[id].to, target);
    }
  }
  for (NodeId id = 0; id < target; ++id) {
    if (p.nodes[id].on_error != OnError::Skip || p.nodes[id].kind == NodeKind::Source || !chance(rng, 0.5))
      continue;
    p.nodes[id].on_error = OnError::DeadLetter;
    p.nodes[id].errors_to = target;
    route_to(p, id, target);
  }
  // No route made: a sink with no input is never started (flow check refuses it).
  if (p.nodes[target].inputs.empty()) p.nodes.pop_back();
}

std::string describe(const Pipeline& p) {
  std::string text;
  for (const auto& node : p.nodes) {
    text += fmt::format("  {} {} workers={} ordered={} fanout={} on_error={}:", to_string(node.kind), node.name,
                        node.workers, node.ordered, to_string(node.fanout), to_string(node.on_error));
    for (const auto& op : node.chain) text += fmt::format(" {}", op.name);
    text += "\n";
  }
  for (EdgeId id = 0; id < p.edges.size(); ++id) {
    const Edge& e = p.edges[id];
    text += fmt::format("  {} {}capacity={} overflow={} max_bytes={}", p.edge_name(id),
                        e.dead_letter ? "(dead letter) " : "",
                        e.capacity ? std::to_string(*e.capacity) : "unbounded", to_string(e.overflow),
                        e.max_bytes ? std::to_string(*e.max_bytes) : "-");
    if (e.dropped_to) text += " dropped=dl";
    if (e.deadline)
      text += fmt::format(" deadline={}ms{}", e.deadline->value.count() / 1'000'000,
                          e.expired_to ? " expired=dl" : "");
    text += "\n";
  }
  return text + fmt::format("  max_in_flight={}\n", p.max_in_flight);
}

}  // namespace

RandomTopology random_topology(std::uint64_t seed, bool fail_edges) {
  Rng rng(seed);
  RandomTopology t;
  Pipeline& p = t.pipeline;
  p.name = fmt::format("random-{}", seed);
  auto sources = between(rng, 1, 2), stages = between(rng, 0, 4), sinks = between(rng, 1, 2);
  auto add = [&](std::string name, NodeKind kind, std::vector<OperatorCall> chain, bool errors) {
    Node node;
    node.name = std::move(name);
    node.kind = kind;
    node.chain = std::move(chain);
    random_node_attributes(rng, node, errors);
    p.nodes.push_back(std::move(node));
  };
  for (std::int64_t i = 0; i < sources; ++i) {
    std::vector<std::pair<std::string, Value>> args{{"count", between(rng, 50, 300)}, {"size", between(rng, 0, 16)}};
    if (chance(rng, 0.2)) {
      args.emplace_back("burst", between(rng, 20, 50));
      args.emplace_back("pause_ms", between(rng, 1, 3));
    }
    bool errors = false;
    auto chain = random_chain(rng, errors, 1);
    chain.insert(chain.begin(), call("numbers", args));
    add(fmt::format("s{}", i), NodeKind::Source, std::move(chain), errors);
  }
  for (std::int64_t i = 0; i < stages; ++i) {
    bool errors = false;
    auto chain = random_chain(rng, errors, 3);
    if (chain.empty()) chain.push_back(call("pass"));
    add(fmt::format("m{}", i), NodeKind::Stage, std::move(chain), errors);
  }
  for (std::int64_t i = 0; i < sinks; ++i) {
    bool errors = false;
    auto chain = random_chain(rng, errors, 2);
    chain.push_back(call("drain", {{"sink", i}}));
    add(fmt::format("k{}", i), NodeKind::Sink, std::move(chain), errors);
  }
  auto first_sink = static_cast<NodeId>(sources + stages);
  // Inputs: each stage and sink takes from one or two earlier sources or stages.
  for (NodeId to = static_cast<NodeId>(sources); to < p.nodes.size(); ++to) {
    auto upstream = std::min<NodeId>(to, first_sink);
    auto inputs = between(rng, 1, 2);
    for (std::int64_t i = 0; i < inputs; ++i) {
      auto from = static_cast<NodeId>(between(rng, 0, static_cast<std::int64_t>(upstream) - 1));
      if (!has_edge(p, from, to)) connect(rng, p, from, to, fail_edges);
    }
  }
  // Outputs: a source or stage that feeds nothing feeds a later stage or a sink.
  for (NodeId from = 0; from < first_sink; ++from) {
    if (!p.nodes[from].outputs.empty()) continue;
    auto low = std::max<std::int64_t>(static_cast<std::int64_t>(from) + 1, sources);
    auto to = static_cast<NodeId>(between(rng, low, static_cast<std::int64_t>(p.nodes.size()) - 1));
    connect(rng, p, from, to, fail_edges);
  }
  p.max_in_flight = chance(rng, 0.5) ? 0 : static_cast<std::uint64_t>(between(rng, 4, 64));
  p.max_in_flight_explicit = p.max_in_flight != 0;
  t.threads = static_cast<int>(std::array<int, 3>{1, 2, 4}[static_cast<std::size_t>(between(rng, 0, 2))]);
  add_routes(seed, p, sinks);
  t.description = describe(p);
  return t;
}

}  // namespace flow::test
