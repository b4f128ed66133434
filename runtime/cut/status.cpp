// cut_status: what `flow status` shows of a pipeline's cut edges.
#include <fmt/format.h>

#include "flow/distributed.hpp"
#include "flow/parts.hpp"
#include "runtime/cut/presence.hpp"
#include "runtime/cut/streams.hpp"

namespace flow {

std::vector<CutEdgeStatus> cut_status(const Pipeline& pipeline, const std::string& nats_url) {
  using namespace flow::cut;
  Connection connection(nats_url, fmt::format("flow status {}", pipeline.name));
  Presence presence(connection.jetstream(), presence_bucket(pipeline), /*create=*/false);
  std::vector<CutEdgeStatus> edges;
  for (auto id : cut_edges(pipeline)) {
    auto names = names_of(pipeline, id);
    CutEdgeStatus status;
    status.edge = pipeline.edge_name(id);
    status.from_part = pipeline.nodes[pipeline.edges[id].from].part;
    status.to_part = pipeline.nodes[pipeline.edges[id].to].part;
    status.stream = names.stream;
    status.capacity = pipeline.edges[id].capacity;
    jsStreamInfo* raw = nullptr;
    if (js_GetStreamInfo(&raw, connection.jetstream(), names.stream.c_str(), nullptr, nullptr) == NATS_OK) {
      NatsPtr<jsStreamInfo> info(raw);
      status.exists = true;
      status.held = info->State.Msgs;
      status.bytes_held = info->State.Bytes;
    }
    jsConsumerInfo* consumer = nullptr;
    if (js_GetConsumerInfo(&consumer, connection.jetstream(), names.stream.c_str(), names.stream.c_str(), nullptr,
                           nullptr) == NATS_OK) {
      NatsPtr<jsConsumerInfo> info(consumer);
      status.taken = static_cast<std::uint64_t>(info->NumAckPending);
    }
    status.producers = presence.census(names.presence, Side::Producer).alive;
    auto consumers = presence.census(names.presence, Side::Consumer);
    status.consumers = consumers.alive + consumers.ending;
    edges.push_back(std::move(status));
  }
  return edges;
}

}  // namespace flow
