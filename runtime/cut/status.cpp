// cut_status: what `flow status` shows of a pipeline's cut edges.
#include <fmt/format.h>

#include "flow/distributed.hpp"
#include "flow/parts.hpp"
#include "runtime/cut/presence.hpp"
#include "runtime/cut/streams.hpp"

namespace flow {
namespace {

// The stream's fill and what its consumer has handed out. A stream or consumer
// no part has created yet reads as none; any other failure (the server went
// away mid-way) throws, so the caller does not show an outage as empty edges.
void read_stream(jsCtx* js, const std::string& stream, CutEdgeStatus& status) {
  using namespace flow::cut;
  jsStreamInfo* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  auto found = js_GetStreamInfo(&raw, js, stream.c_str(), nullptr, &code);
  NatsPtr<jsStreamInfo> info(raw);
  if (found != NATS_OK && code == JSStreamNotFoundErr) return;
  check(found, fmt::format("stream {}", stream), code);
  status.exists = true;
  status.held = info->State.Msgs;
  status.bytes_held = info->State.Bytes;
  jsConsumerInfo* consumer = nullptr;
  code = static_cast<jsErrCode>(0);
  found = js_GetConsumerInfo(&consumer, js, stream.c_str(), stream.c_str(), nullptr, &code);
  NatsPtr<jsConsumerInfo> held(consumer);
  if (found != NATS_OK && code == JSConsumerNotFoundErr) return;
  check(found, fmt::format("consumer {}", stream), code);
  status.taken = static_cast<std::uint64_t>(held->NumAckPending);
}

}  // namespace

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
    read_stream(connection.jetstream(), names.stream, status);
    status.producers = presence.census(names.presence, Side::Producer).alive;
    auto consumers = presence.census(names.presence, Side::Consumer);
    status.consumers = consumers.alive + consumers.ending;
    edges.push_back(std::move(status));
  }
  return edges;
}

}  // namespace flow
