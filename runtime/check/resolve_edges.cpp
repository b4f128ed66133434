#include "runtime/check/resolve_edges.hpp"
#include "runtime/check/routing.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <tuple>
#include <optional>
#include <unordered_map>
#include <utility>

namespace flow::checker {
namespace {

/// One name of a step: the node, if known, and the output label (`r.errors`: "errors").
struct StepId {
  std::optional<NodeId> id;
  std::string label;
};
using StepIds = std::vector<StepId>;

class EdgeBuilder {
 public:
  EdgeBuilder(Reporter& reporter, Pipeline& pipeline, bool report_unknown, Routes& routes)
      : reporter_(reporter), pipeline_(pipeline), report_unknown_(report_unknown), routes_(routes) {
    for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
      node_names_.push_back(pipeline.nodes[id].name);
      ids_.emplace(pipeline.nodes[id].name, id);
    }
  }

  void add_chain(const PendingChain& pending) {
    const auto& steps = pending.chain->steps;
    std::vector<StepIds> ids;
    for (std::size_t step = 0; step < steps.size(); ++step) ids.push_back(resolve_step(steps, step));
    for (std::size_t step = 0; step + 1 < steps.size() && step < pending.chain->arrows.size(); ++step) {
      for (const auto& from : ids[step]) {
        for (const auto& to : ids[step + 1]) {
          if (from.id && to.id) add_edge(*from.id, from.label, *to.id, pending.chain->arrows[step], pending.settings);
        }
      }
    }
  }

 private:
  // Looks up every name of one step, reporting each bad reference once.
  StepIds resolve_step(const std::vector<syntax::EdgeStep>& steps, std::size_t step) {
    StepIds ids;
    for (const auto& name : steps[step].nodes) {
      // `r.errors`: the node r, leaving by its output `errors`.
      auto dot = name.text.find('.');
      syntax::Name node{name.text.substr(0, dot), name.location};
      auto found = ids_.find(node.text);
      auto id = found == ids_.end() ? std::nullopt : std::optional<NodeId>(found->second);
      if (!id && report_unknown_) report_unknown(node);
      if (id) check_direction(node, pipeline_.nodes[*id].kind, step > 0, step + 1 < steps.size());
      std::string label = dot == std::string::npos ? "" : name.text.substr(dot + 1);
      if (id && !label.empty() && !check_label(name, pipeline_.nodes[*id], label, step > 0)) id.reset();
      ids.push_back({id, label});
    }
    return ids;
  }

  // A labeled step names an output of a node with labeled outputs, and only where an edge leaves.
  bool check_label(const syntax::Name& name, const Node& node, const std::string& label, bool has_incoming) {
    std::string message;
    if (has_incoming) {
      message = fmt::format("an edge enters '{}' itself, not its output '{}': write '{}'", node.name, label, node.name);
    } else if (node.output_labels.empty()) {
      message = fmt::format("'{}' has no labeled outputs: only a node whose chain ends in route(...) has", node.name);
    } else if (std::find(node.output_labels.begin(), node.output_labels.end(), label) == node.output_labels.end()) {
      std::string outputs;
      for (const auto& known : node.output_labels) outputs += fmt::format("{}{}", outputs.empty() ? "" : ", ", known);
      message = fmt::format("'{}' has no output '{}' (its outputs: {}){}", node.name, label, outputs,
                            did_you_mean(label, node.output_labels));
    }
    if (message.empty()) return true;
    reporter_.error(name.location, name.text.size(), std::move(message));
    return false;
  }

  // A suggestion compares the name with every node's: past the first hundred
  // unknown names (as many as are shown) that would make the check quadratic.
  void report_unknown(const syntax::Name& name) {
    static const std::vector<std::string> none;
    bool suggest = ++unknown_ <= max_diagnostics_shown;
    reporter_.error(name.location, name.text.size(),
                    unknown_name("node", name.text, suggest ? node_names_ : none));
  }

  void check_direction(const syntax::Name& name, NodeKind kind, bool has_incoming, bool has_outgoing) {
    if (kind == NodeKind::Source && has_incoming) {
      reporter_.error(name.location, name.text.size(),
                      fmt::format("source '{}' cannot have an incoming edge", name.text));
    }
    if (kind == NodeKind::Sink && has_outgoing) {
      reporter_.error(name.location, name.text.size(), fmt::format("sink '{}' cannot have an outgoing edge", name.text));
    }
  }

  void add_edge(NodeId from, const std::string& label, NodeId to, SourceLocation arrow,
                const EdgeSettings& settings) {
    auto [known, fresh] = declared_.emplace(std::tuple{from, label, to}, arrow.line);
    auto name = fmt::format("{}{}{} -> {}", pipeline_.nodes[from].name, label.empty() ? "" : ".", label,
                            pipeline_.nodes[to].name);
    if (!fresh) {
      reporter_.error(arrow, 2, fmt::format("edge {} is already declared on line {}", name, known->second));
      return;
    }
    Edge edge;
    edge.from = from;
    edge.to = to;
    edge.overflow = settings.overflow;
    edge.max_bytes = settings.max_bytes;
    edge.deadline = settings.deadline;
    edge.location = arrow;
    edge.output = label;
    if (settings.capacity_set) {
      edge.capacity = settings.capacity;
    } else {
      edge.capacity = default_capacity(pipeline_.nodes[to].workers);
    }
    if (!edge.capacity) {
      reporter_.warning(arrow, 2, fmt::format("edge {} is unbounded; its memory use has no limit", name));
    }
    auto id = pipeline_.edges.size();
    if (settings.dropped || settings.expired)
      routes_.edges[id] = EdgeRoutes{settings.dropped, settings.expired};
    pipeline_.edges.push_back(edge);
    pipeline_.nodes[from].outputs.push_back(id);
    pipeline_.nodes[to].inputs.push_back(id);
  }

  Reporter& reporter_;
  Pipeline& pipeline_;
  bool report_unknown_;
  Routes& routes_;
  std::vector<std::string> node_names_;
  std::unordered_map<std::string, NodeId> ids_;  ///< first declarations only, as in pipeline_.nodes
  std::size_t unknown_ = 0;
  std::map<std::tuple<NodeId, std::string, NodeId>, std::size_t> declared_;  ///< edge → line of its declaration
};

}  // namespace

void resolve_edges(Reporter& reporter, Pipeline& pipeline, const std::vector<PendingChain>& chains,
                   bool report_unknown, Routes& routes) {
  EdgeBuilder builder(reporter, pipeline, report_unknown, routes);
  for (const auto& pending : chains) builder.add_chain(pending);
  if (report_unknown) check_labeled_edges(reporter, pipeline);
}

}  // namespace flow::checker
