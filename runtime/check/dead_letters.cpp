#include "runtime/check/dead_letters.hpp"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "flow/parts.hpp"

namespace flow::checker {
namespace {

/// One route to check: `key=target` written at `name`, whose messages leave `producer`.
struct Route {
  const char* key;
  const RouteName* name;
  NodeId producer;
};

class RouteBuilder {
 public:
  RouteBuilder(Reporter& reporter, Pipeline& pipeline) : reporter_(reporter), pipeline_(pipeline) {
    for (const auto& node : pipeline.nodes) names_.push_back(node.name);
  }

  /// The route's target, checked and with its dead-letter edge made; nullopt after an error.
  std::optional<NodeId> add(const Route& route) {
    auto target = check_target(route);
    if (target) edge_to(route, *target);
    return target;
  }

  void error(const RouteName& at, std::string message) {
    reporter_.error(at.at, at.width, std::move(message));
  }

 private:
  std::optional<NodeId> check_target(const Route& route) {
    const auto& name = route.name->target;
    auto prefix = fmt::format("{}={}: ", route.key, name);
    auto id = pipeline_.find_node(name);
    if (!id) {
      error(*route.name, fmt::format("{}unknown node '{}'; expected a stage or a sink of this file{}", prefix,
                                     name, did_you_mean(name, names_)));
      return std::nullopt;
    }
    const Node& target = pipeline_.nodes[*id];
    const Node& producer = pipeline_.nodes[route.producer];
    std::string problem;
    if (target.kind == NodeKind::Source) {
      problem = fmt::format("'{}' is a source; a dead-letter route leads to a stage or a sink", name);
    } else if (*id == route.producer) {
      problem = fmt::format("the route starts at '{}' itself; expected another stage or sink", name);
    } else if (target.part != producer.part) {
      problem = fmt::format(
          "'{}' is in part '{}' and the route starts at '{}' in part '{}'; a dead-letter route "
          "stays inside its part",
          name, target.part, producer.name, producer.part);
    } else if (auto edge = declared_edge(route.producer, *id)) {
      problem = fmt::format(
          "'{}' already takes the output of '{}' (edge {}); a dead-letter route leads to a node "
          "that edge does not feed",
          name, producer.name, pipeline_.edge_name(*edge));
    }
    if (!problem.empty()) {
      error(*route.name, prefix + problem);
      return std::nullopt;
    }
    return id;
  }

  std::optional<EdgeId> declared_edge(NodeId from, NodeId to) const {
    for (EdgeId id : pipeline_.nodes[from].outputs) {
      if (pipeline_.edges[id].to == to) return id;
    }
    return std::nullopt;
  }

  // One dead-letter edge per (producer, target): every reason between them shares it.
  void edge_to(const Route& route, NodeId target) {
    auto [known, fresh] = made_.emplace(std::pair{route.producer, target}, pipeline_.edges.size());
    if (!fresh) return;
    Edge edge;
    edge.from = route.producer;
    edge.to = target;
    edge.capacity = default_capacity(pipeline_.nodes[target].workers);
    edge.overflow = Overflow::DropNewest;  // it never makes its producer wait
    edge.dead_letter = true;
    edge.location = route.name->at;
    pipeline_.nodes[route.producer].dead_letter_outputs.push_back(known->second);
    pipeline_.nodes[target].inputs.push_back(known->second);
    pipeline_.edges.push_back(edge);
  }

  Reporter& reporter_;
  Pipeline& pipeline_;
  std::vector<std::string> names_;
  std::map<std::pair<NodeId, NodeId>, EdgeId> made_;
};

void resolve_node_routes(RouteBuilder& builder, Pipeline& pipeline, NodeId id, const NodeRoutes& routes) {
  Node& node = pipeline.nodes[id];
  if (routes.errors && node.on_error == OnError::DeadLetter) {
    if (node.kind == NodeKind::Source) {
      builder.error(*routes.errors,
                    fmt::format("on_error={}: source '{}' runs no operator that fails a message; "
                                "expected on_error on a stage or a sink",
                                routes.errors->target, node.name));
    } else {
      node.errors_to = builder.add({"on_error", &*routes.errors, id});
    }
  }
  if (!routes.expired) return;
  if (!node.deadline) {
    builder.error(*routes.expired,
                  fmt::format("expired={} needs a deadline on node '{}' (deadline=200ms, say): "
                              "nothing expires there without one",
                              routes.expired->target, node.name));
    return;
  }
  node.expired_to = builder.add({"expired", &*routes.expired, id});
}

std::string why_no_drops(Overflow overflow) {
  return overflow == Overflow::Block ? "overflow=block makes the producer wait and drops nothing"
                                     : "overflow=fail fails the run instead of dropping";
}

void resolve_edge_routes(RouteBuilder& builder, Pipeline& pipeline, EdgeId id, const EdgeRoutes& routes) {
  // Copied, and written back by index: making a dead-letter edge grows pipeline.edges.
  const Edge edge = pipeline.edges[id];
  auto name = pipeline.edge_name(id);
  bool cut = is_cut(pipeline, id);
  for (const auto* route : {&routes.dropped, &routes.expired}) {
    if (*route && cut) {
      builder.error(**route,
                    fmt::format("edge {} joins two parts: what it drops or sheds stays in its stream, so it "
                                "cannot be routed; expected an edge inside one part",
                                name));
      return;
    }
  }
  if (routes.dropped) {
    if (edge.overflow == Overflow::DropNewest || edge.overflow == Overflow::DropOldest) {
      auto target = builder.add({"dropped", &*routes.dropped, edge.from});
      pipeline.edges[id].dropped_to = target;
    } else {
      builder.error(*routes.dropped,
                    fmt::format("dropped={} needs overflow=drop_newest or drop_oldest on edge {}: {}",
                                routes.dropped->target, name, why_no_drops(edge.overflow)));
    }
  }
  if (!routes.expired) return;
  if (!edge.deadline) {
    builder.error(*routes.expired,
                  fmt::format("expired={} needs a deadline on edge {} (deadline=200ms, say): "
                              "nothing expires there without one",
                              routes.expired->target, name));
    return;
  }
  auto target = builder.add({"expired", &*routes.expired, edge.to});
  pipeline.edges[id].expired_to = target;
}

// on_error=fail and on_error=skip always mean the policies: a node called
// fail or skip can never be on_error's target, which a reader could expect.
void warn_policy_names(Reporter& reporter, const Pipeline& pipeline) {
  for (const auto& node : pipeline.nodes) {
    if (node.name != "fail" && node.name != "skip") continue;
    reporter.warning(
        node.location, node.name.size(),
        fmt::format("on_error={0} always means the policy {0}, never this node: rename it to send "
                    "failed messages here",
                    node.name));
  }
}

}  // namespace

void resolve_dead_letters(Reporter& reporter, Pipeline& pipeline, const Routes& routes) {
  RouteBuilder builder(reporter, pipeline);
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    auto found = routes.nodes.find(pipeline.nodes[id].name);
    if (found != routes.nodes.end()) resolve_node_routes(builder, pipeline, id, found->second);
  }
  // Edges made here are appended: only the declared ones carry routes.
  for (const auto& [id, edge_routes] : routes.edges) resolve_edge_routes(builder, pipeline, id, edge_routes);
  warn_policy_names(reporter, pipeline);
}

}  // namespace flow::checker
