#include "flow/parts.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace flow {

std::vector<std::string> parts_of(const Pipeline& pipeline) {
  std::vector<std::string> parts;
  for (const auto& node : pipeline.nodes) {
    if (node.part.empty() || std::find(parts.begin(), parts.end(), node.part) != parts.end()) continue;
    parts.push_back(node.part);
  }
  return parts;
}

bool is_cut(const Pipeline& pipeline, EdgeId edge) {
  const auto& e = pipeline.edges[edge];
  return pipeline.nodes[e.from].part != pipeline.nodes[e.to].part;
}

std::vector<EdgeId> cut_edges(const Pipeline& pipeline) {
  std::vector<EdgeId> cuts;
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) {
    if (is_cut(pipeline, id)) cuts.push_back(id);
  }
  return cuts;
}

namespace {

class PartBuilder {
 public:
  PartBuilder(const Pipeline& whole, const std::string& part) : whole_(whole), part_(part) {
    auto& pipeline = out_.pipeline;
    pipeline.name = whole.name;
    pipeline.max_in_flight = whole.max_in_flight;
    pipeline.max_in_flight_explicit = whole.max_in_flight_explicit;
    pipeline.report = whole.report;
    pipeline.seed = whole.seed;
    pipeline.clock = whole.clock;
    pipeline.file = whole.file;
  }

  PartPipeline build() {
    for (NodeId id = 0; id < whole_.nodes.size(); ++id) {
      if (whole_.nodes[id].part == part_) local_[id] = add_node(whole_.nodes[id], id, false);
    }
    for (EdgeId id = 0; id < whole_.edges.size(); ++id) add_edge(id);
    // Routes stay inside their part (flow check): their targets are local too.
    for (auto& node : out_.pipeline.nodes) {
      node.errors_to = local(node.errors_to);
      node.expired_to = local(node.expired_to);
    }
    for (auto& edge : out_.pipeline.edges) {
      edge.dropped_to = local(edge.dropped_to);
      edge.expired_to = local(edge.expired_to);
    }
    return std::move(out_);
  }

 private:
  NodeId add_node(Node node, NodeId whole_id, bool stand_in) {
    node.inputs.clear();
    node.outputs.clear();
    node.dead_letter_outputs.clear();
    out_.pipeline.nodes.push_back(std::move(node));
    out_.nodes.push_back({whole_id, stand_in});
    return out_.pipeline.nodes.size() - 1;
  }

  // The far end of cut edge `edge`: node `far` of the whole pipeline, played
  // by a source (it feeds this part) or a sink (this part feeds it).
  NodeId add_stand_in(EdgeId edge, NodeId far, bool feeds_part) {
    const auto& original = whole_.nodes[far];
    Node node;
    node.name = original.name;
    node.part = original.part;
    node.location = original.location;
    node.kind = feeds_part ? NodeKind::Source : NodeKind::Sink;
    OperatorCall call;
    call.name = feeds_part ? kCutConsumeOperator : kCutPublishOperator;
    call.args["edge"] = static_cast<std::int64_t>(edge);
    call.location = whole_.edges[edge].location;
    node.chain.push_back(std::move(call));
    return add_node(std::move(node), far, true);
  }

  void add_edge(EdgeId id) {
    auto edge = whole_.edges[id];
    bool from_here = whole_.nodes[edge.from].part == part_;
    bool to_here = whole_.nodes[edge.to].part == part_;
    if (!from_here && !to_here) return;
    if (from_here != to_here) {
      // The stream holds the edge's messages and applies its policy; the
      // local hand-off to or from it only passes them on.
      edge.from = from_here ? local_.at(edge.from) : add_stand_in(id, edge.from, true);
      edge.to = to_here ? local_.at(edge.to) : add_stand_in(id, edge.to, false);
      edge.capacity = std::min<std::uint64_t>(edge.capacity.value_or(kLargestChunk), kLargestChunk);
      edge.overflow = Overflow::Block;
      edge.max_bytes.reset();
    } else {
      edge.from = local_.at(edge.from);
      edge.to = local_.at(edge.to);
    }
    auto local_id = out_.pipeline.edges.size();
    auto& leaving = edge.dead_letter ? out_.pipeline.nodes[edge.from].dead_letter_outputs
                                     : out_.pipeline.nodes[edge.from].outputs;
    leaving.push_back(local_id);
    out_.pipeline.nodes[edge.to].inputs.push_back(local_id);
    out_.pipeline.edges.push_back(edge);
    out_.edges.push_back(id);
  }

  std::optional<NodeId> local(std::optional<NodeId> whole_id) const {
    if (!whole_id) return std::nullopt;
    auto found = local_.find(*whole_id);
    return found == local_.end() ? std::nullopt : std::optional<NodeId>(found->second);
  }

  const Pipeline& whole_;
  const std::string& part_;
  PartPipeline out_;
  std::map<NodeId, NodeId> local_;
};

}  // namespace

PartPipeline part_pipeline(const Pipeline& pipeline, const std::string& part) {
  return PartBuilder(pipeline, part).build();
}

}  // namespace flow
