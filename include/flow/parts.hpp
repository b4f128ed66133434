#pragma once
// Parts: the groups of nodes that separate `flow run --part` processes run
// (docs/distributed.md). Plain functions of the graph model: which parts a
// pipeline has, which edges cross between them, and the pipeline one part
// runs, with each cut edge ending at a stand-in node for its far side.
#include <string>
#include <vector>

#include "flow/model.hpp"

namespace flow {

/// The part names the file gives, in order of first appearance; empty when
/// it names none. A node without `part=` belongs to the part "" (its own,
/// unnamed part: `--part` cannot select it).
std::vector<std::string> parts_of(const Pipeline& pipeline);

/// An edge between nodes of two parts: it is carried by a JetStream stream.
bool is_cut(const Pipeline& pipeline, EdgeId edge);
std::vector<EdgeId> cut_edges(const Pipeline& pipeline);

/// Names of the operators a part's pipeline uses for the ends of its cut
/// edges (their one argument `edge` is the cut edge's EdgeId in the whole pipeline).
inline constexpr const char* kCutPublishOperator = "cut_publish";
inline constexpr const char* kCutConsumeOperator = "cut_consume";

/// Where a node of a part's pipeline came from.
struct PartNode {
  NodeId whole = 0;      ///< the node in the whole pipeline it is, or stands in for
  bool stand_in = false;  ///< the far end of a cut edge (a cut_publish sink or cut_consume source)
};

struct PartPipeline {
  Pipeline pipeline;            ///< the part's nodes, plus one stand-in per cut edge end
  std::vector<PartNode> nodes;  ///< per node of `pipeline`
  std::vector<EdgeId> edges;    ///< per edge of `pipeline`: the edge of the whole pipeline it is
};

/// The pipeline part `part` runs. A cut edge leaving the part ends at a sink
/// named like the node it goes to, running cut_publish; one entering starts
/// at a source named like the node it comes from, running cut_consume. Such
/// an edge keeps its name ("a -> b") and settings but blocks locally, with at
/// most kLargestChunk messages: the capacity and the policy are the stream's.
PartPipeline part_pipeline(const Pipeline& pipeline, const std::string& part);

}  // namespace flow
