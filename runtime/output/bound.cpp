#include "flow/bound.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <limits>
#include <vector>

#include "flow/value.hpp"
#include "flow/registry.hpp"
#include "runtime/output/cost.hpp"

namespace flow {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::uint64_t add(std::uint64_t a, std::uint64_t b) { return a > kMax - b ? kMax : a + b; }
std::uint64_t mul(std::uint64_t a, std::uint64_t b) { return b != 0 && a > kMax / b ? kMax : a * b; }

// The runtime's unit limits (runtime/exec/node_runner.cpp), by what an
// operator's cost() says, which its plan repeats.
constexpr std::uint64_t kChunk = kLargestChunk, kCpuChunk = 8;

/// Batch levels of a message, innermost last: `batch(max=10)` twice makes {10, 10}.
using Levels = std::vector<std::uint64_t>;

std::uint64_t members(const Levels& levels) {
  std::uint64_t n = 1;
  for (auto level : levels) n = mul(n, level);
  return n;
}

/// Levels that cover every input: the largest at each depth, counted from the innermost.
Levels merge(const Levels& a, const Levels& b) {
  Levels out(std::max(a.size(), b.size()), 1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto pick = [&](const Levels& l) { return i < l.size() ? l[l.size() - 1 - i] : std::uint64_t{1}; };
    out[out.size() - 1 - i] = std::max(pick(a), pick(b));
  }
  return out;
}

/// What one node does to the count of messages, as far as the file tells.
struct NodeShape {
  Levels in, out;
  std::uint64_t unit = kChunk;     ///< messages a worker takes at once
  std::uint64_t batch_held = 0;    ///< members its batch operators hold between units: Σ (max − 1) × members
  bool credit = false;             ///< an output edge is bounded and blocks: the node takes only the room there
  bool hand = false;               ///< works message by message: with no room, a worker still takes one
};

/// How the runtime hands the operator messages: one at a time (Wait, or one
/// that expands), a few (Cpu), or chunks (Cheap). One that says nothing may
/// work message by message: a worker may hold one in hand.
void take_unit(const OperatorPlan& plan, NodeShape& shape) {
  if (!plan.cost) {
    shape.hand = true;
  } else if (*plan.cost == Operator::Cost::Wait || plan.expands) {
    shape.unit = 1;
    shape.hand = true;
  } else if (*plan.cost == Operator::Cost::Cpu) {
    shape.unit = std::min(shape.unit, kCpuChunk);
    shape.hand = true;
  }
}

void apply_call(const OperatorPlan& plan, Levels& levels, NodeShape& shape) {
  if (plan.holds_back) {
    auto most = std::max<std::uint64_t>(1, plan.holds_back->release_at) - 1;
    shape.batch_held = add(shape.batch_held, mul(most, members(levels)));
  }
  if (plan.groups) levels.push_back(std::max<std::uint64_t>(1, *plan.groups));
  if (plan.ungroups && !levels.empty()) levels.pop_back();
  take_unit(plan, shape);
}

NodeShape shape_of(const Pipeline& pipeline, const OperatorRegistry& registry, const Node& node,
                   const std::vector<NodeShape>& shapes) {
  NodeShape shape;
  for (std::size_t k = 0; k < node.inputs.size(); ++k) {
    const auto& from = shapes.at(pipeline.edges.at(node.inputs[k]).from).out;
    shape.in = k == 0 ? from : merge(shape.in, from);
  }
  Levels levels = shape.in;
  for (const auto& call : node.chain) {
    if (auto plan = registry.plan(call)) {
      apply_call(*plan, levels, shape);
    } else {
      shape.hand = true;  // an operator that says nothing may work message by message
    }
  }
  if (node.on_error == OnError::Skip) {
    shape.unit = 1;
    shape.hand = true;
  }
  shape.out = levels;
  for (auto id : node.outputs) {
    const Edge& edge = pipeline.edges.at(id);
    shape.credit = shape.credit || (edge.overflow == Overflow::Block && edge.capacity);
  }
  return shape;
}

/// Members a node's workers hold beyond the room reserved in its output edges.
std::uint64_t hands_of(const Pipeline& pipeline, const Node& node, const NodeShape& shape) {
  auto workers = static_cast<std::uint64_t>(std::max(1, node.workers));
  // A broadcast holds a copy per output edge for a moment before it offers them.
  bool broadcast = node.fanout == Fanout::Broadcast && node.outputs.size() > 1;
  std::uint64_t copies = broadcast ? node.outputs.size() : 1;
  if (shape.credit) {
    // A source pulls only into reserved room, and so does a cheap stage. A
    // worker of a stage that works message by message takes one message in
    // hand with no room, which leaves as at most one message (a copy to each edge).
    bool hand_taken = node.kind != NodeKind::Source && shape.hand;
    std::uint64_t hand = hand_taken ? mul(copies, std::max(members(shape.in), members(shape.out))) : 0;
    // What goes to edges that never block has no reserved room: the worker
    // holds it until the edge takes it or drops it.
    std::uint64_t unreserved = 0;
    for (auto id : node.outputs) {
      const Edge& edge = pipeline.edges.at(id);
      if (!(edge.overflow == Overflow::Block && edge.capacity)) ++unreserved;
    }
    if (unreserved > 0) hand = add(hand, mul(mul(shape.unit, members(shape.out)), broadcast ? unreserved : 1));
    return mul(workers, hand);
  }
  // No credit (a sink, or only edges that never block): a worker takes up to
  // its unit, no more than its inputs hold, plus what it flushes out of a batch.
  std::uint64_t take = shape.unit;
  if (!node.inputs.empty()) {
    std::uint64_t held = 0;
    for (auto id : node.inputs) held = add(held, pipeline.edges.at(id).capacity.value_or(kMax));
    take = std::min(take, held);
  }
  return mul(workers, mul(copies, add(mul(take, members(shape.in)), shape.batch_held)));
}

/// partition=by with several workers (docs/routing.md): the node's queues
/// hold up to a unit per worker of messages taken and not yet worked.
std::uint64_t queued_of(const Node& node, const NodeShape& shape) {
  if (node.partition_by.empty() || node.workers < 2 || node.kind == NodeKind::Source) return 0;
  return mul(static_cast<std::uint64_t>(node.workers), mul(shape.unit, members(shape.in)));
}

bool broadcasts(const Pipeline& pipeline) {
  return std::any_of(pipeline.nodes.begin(), pipeline.nodes.end(),
                     [](const Node& n) { return n.fanout == Fanout::Broadcast && n.outputs.size() > 1; });
}

}  // namespace

HoldBound hold_bound(const Pipeline& pipeline, const OperatorRegistry& registry) {
  HoldBound bound;
  auto costs = output::node_costs(pipeline, registry);
  std::vector<NodeShape> shapes(pipeline.nodes.size());
  for (auto id : output::topological_order(pipeline))
    shapes[id] = shape_of(pipeline, registry, pipeline.nodes[id], shapes);

  // Payload bytes per member where each term's messages are, when the file says.
  bool sizes_known = true;
  std::uint64_t bytes = 0, largest = 0;
  auto count_bytes = [&](std::uint64_t messages, std::optional<std::uint64_t> per_member) {
    sizes_known = sizes_known && per_member;
    if (!sizes_known) return;
    bytes = add(bytes, mul(messages, *per_member));
    largest = std::max(largest, *per_member);
  };
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) {
    const Edge& edge = pipeline.edges[id];
    if (!edge.capacity) {
      if (!bound.unbounded_edge) bound.unbounded_edge = pipeline.edge_name(id);
      count_bytes(0, costs[edge.from].bytes_out);  // its message size still caps max_in_flight's bytes
      continue;
    }
    // A dead-letter edge carries what its producer took in (its errors, what
    // expired on its inputs) as well as what it sent out (drops on its edges).
    const auto& producer = shapes[edge.from];
    auto per_message =
        edge.dead_letter ? std::max(members(producer.in), members(producer.out)) : members(producer.out);
    auto held = mul(*edge.capacity, per_message);
    bound.edges = add(bound.edges, held);
    count_bytes(held, costs[edge.from].bytes_out);
  }
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    const Node& node = pipeline.nodes[id];
    // The larger of the sizes entering and leaving (prefix grows a payload).
    std::optional<std::uint64_t> size = costs[id].bytes_out;
    for (auto e : node.inputs) {
      auto in = costs[pipeline.edges[e].from].bytes_out;
      size = size && in ? std::optional(std::max(*size, *in)) : std::nullopt;
    }
    auto hands = add(hands_of(pipeline, node, shapes[id]), queued_of(node, shapes[id]));
    bound.hands = add(bound.hands, hands);
    bound.batches = add(bound.batches, shapes[id].batch_held);
    count_bytes(add(hands, shapes[id].batch_held), size);
  }

  auto total = add(add(bound.edges, bound.hands), bound.batches);
  if (!bound.unbounded_edge) bound.messages = total;
  // Broadcast copies enter max_in_flight's count when made, past the limit.
  if (pipeline.max_in_flight_explicit && pipeline.max_in_flight > 0 && !broadcasts(pipeline) &&
      (!bound.messages || pipeline.max_in_flight < *bound.messages)) {
    bound.in_flight = pipeline.max_in_flight;
    bound.messages = pipeline.max_in_flight;
    auto capped = mul(*bound.in_flight, largest);
    bytes = bound.unbounded_edge ? capped : std::min(bytes, capped);
  }
  if (bound.messages && sizes_known) bound.payload_bytes = bytes;
  return bound;
}

std::string count_text(std::uint64_t count) {
  return count == kMax ? fmt::format("\u2265 {}", count) : fmt::format("{}", count);
}

std::string messages_bound_text(const HoldBound& bound) {
  auto total = add(add(bound.edges, bound.hands), bound.batches);
  auto terms = fmt::format("edge capacities {} + workers' hands {} + batch contents {}",
                           count_text(bound.edges), count_text(bound.hands), count_text(bound.batches));
  if (bound.in_flight) {
    auto why = bound.unbounded_edge ? fmt::format("{} is unbounded", *bound.unbounded_edge)
                                    : fmt::format("{} = {}", terms, count_text(total));
    return fmt::format("at most {} messages (max_in_flight, enforced at the sources; {})", *bound.in_flight,
                       why);
  }
  if (!bound.messages) return fmt::format("unbounded ({} has no capacity)", *bound.unbounded_edge);
  // A sum that saturated is no bound a run could reach: say so rather than print a wrapped number.
  if (*bound.messages == kMax)
    return fmt::format("{} messages, too many to count ({})", count_text(kMax), terms);
  return fmt::format("at most {} messages ({})", *bound.messages, terms);
}

std::string bytes_bound_text(const HoldBound& bound) {
  if (!bound.messages) return "unbounded";
  if (!bound.payload_bytes) return "not derivable (a message size is not known from the file)";
  if (*bound.payload_bytes == kMax) return fmt::format("\u2265 {}B, too many to count", kMax);
  return fmt::format("at most {} (each term times the largest message where it is)",
                     to_string(Value{Size{*bound.payload_bytes}}));
}

}  // namespace flow
