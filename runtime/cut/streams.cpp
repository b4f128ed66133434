#include "runtime/cut/streams.hpp"

#include <fmt/format.h>
#include <vector>

namespace flow::cut {
namespace {

// Every setting of a stream that decides whether a message can be lost, or
// refused forever, as flow creates it. A stream that differs in any is refused.
struct Limits {
  std::int64_t max_msgs = -1;
  std::int64_t max_bytes = -1;
  jsDiscardPolicy discard = js_DiscardNew;
  jsRetentionPolicy retention = js_WorkQueuePolicy;
  jsStorageType storage = js_FileStorage;  // memory: a server restart loses every message
  std::int64_t max_age_ns = 0;             // 0: never expire; else messages vanish unread
  std::int64_t max_msg_size = -1;          // a message over it is refused forever
  std::int64_t max_per_subject = -1;       // one subject: a second max_msgs that discards old ones
  bool no_ack = false;                     // publishes never acknowledged: sent again and again
  bool sealed = false;                     // takes no message at all
  std::string subject;

  bool operator==(const Limits&) const = default;
};

// The server spells "no limit" -1, and may keep a 0 it was given.
std::int64_t unlimited_below_one(std::int64_t value) {
  return value <= 0 ? -1 : value;
}

Limits limits_of(const Pipeline& pipeline, EdgeId id) {
  const auto& edge = pipeline.edges[id];
  Limits limits;
  if (edge.capacity) limits.max_msgs = static_cast<std::int64_t>(*edge.capacity);
  if (edge.max_bytes) limits.max_bytes = static_cast<std::int64_t>(*edge.max_bytes);
  limits.discard = edge.overflow == Overflow::DropOldest ? js_DiscardOld : js_DiscardNew;
  limits.subject = names_of(pipeline, id).subject;
  return limits;
}

Limits limits_of(const jsStreamConfig& config) {
  Limits limits;
  limits.max_msgs = unlimited_below_one(config.MaxMsgs);
  limits.max_bytes = unlimited_below_one(config.MaxBytes);
  limits.discard = config.Discard;
  limits.retention = config.Retention;
  limits.storage = config.Storage;
  limits.max_age_ns = config.MaxAge;
  limits.max_msg_size = unlimited_below_one(config.MaxMsgSize);
  limits.max_per_subject = unlimited_below_one(config.MaxMsgsPerSubject);
  limits.no_ack = config.NoAck;
  limits.sealed = config.Sealed;
  limits.subject = config.SubjectsLen == 1   ? config.Subjects[0]
                   : config.SubjectsLen == 0 ? "(none)"
                                             : "(several)";
  return limits;
}

std::string limit_text(std::int64_t value) {
  return value < 0 ? "unlimited" : fmt::format("{}", value);
}
const char* discard_text(jsDiscardPolicy discard) {
  return discard == js_DiscardOld ? "old" : "new";
}

const char* retention_text(jsRetentionPolicy retention) {
  switch (retention) {
    case js_WorkQueuePolicy:
      return "work-queue";
    case js_InterestPolicy:
      return "interest";
    case js_LimitsPolicy:
      break;
  }
  return "limits";
}

std::string age_text(std::int64_t ns) {
  return ns <= 0 ? std::string("unlimited") : fmt::format("{:g}s", static_cast<double>(ns) / 1e9);
}

std::string describe_limits(const Limits& limits) {
  auto text = fmt::format(
      "max_msgs {}, max_bytes {}, discard={}, {} retention, {} storage, max_age {}, max_msg_size {}",
      limit_text(limits.max_msgs), limit_text(limits.max_bytes), discard_text(limits.discard),
      retention_text(limits.retention), limits.storage == js_FileStorage ? "file" : "memory",
      age_text(limits.max_age_ns), limit_text(limits.max_msg_size));
  // Rare settings are named only when set, to keep the message short.
  if (limits.max_per_subject >= 0) text += fmt::format(", max_msgs_per_subject {}", limits.max_per_subject);
  if (limits.no_ack) text += ", no_ack";
  if (limits.sealed) text += ", sealed";
  return text + fmt::format(", subject {}", limits.subject);
}

std::string where(const Pipeline& pipeline, EdgeId id) {
  const auto& location = pipeline.edges[id].location;
  return fmt::format("{}:{}:{}", pipeline.file ? pipeline.file->name : "<pipeline>", location.line, location.column);
}

}  // namespace

CutNames names_of(const Pipeline& pipeline, EdgeId edge) {
  const auto& from = pipeline.nodes[pipeline.edges[edge].from].name;
  const auto& to = pipeline.nodes[pipeline.edges[edge].to].name;
  return {fmt::format("flow-{}-{}-{}", pipeline.name, from, to), fmt::format("flow.{}.{}.{}", pipeline.name, from, to),
          fmt::format("{}.{}", from, to)};
}

std::string presence_bucket(const Pipeline& pipeline) { return fmt::format("flow-{}", pipeline.name); }

void ensure_stream(jsCtx* js, const Pipeline& pipeline, EdgeId edge) {
  auto names = names_of(pipeline, edge);
  auto wanted = limits_of(pipeline, edge);
  jsStreamInfo* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  auto status = js_GetStreamInfo(&raw, js, names.stream.c_str(), nullptr, &code);
  NatsPtr<jsStreamInfo> info(raw);
  if (status == NATS_OK) {
    auto found = limits_of(*info->Config);
    if (found == wanted) return;
    throw NatsError(fmt::format("edge {} ({}) needs a stream with {}; the JetStream stream {} has {}: "
                                "delete the stream or change the file",
                                pipeline.edge_name(edge), where(pipeline, edge), describe_limits(wanted), names.stream,
                                describe_limits(found)));
  }
  if (code != JSStreamNotFoundErr) check(status, fmt::format("stream {} of edge {}", names.stream, pipeline.edge_name(edge)), code);
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  const char* subjects[] = {names.subject.c_str()};
  config.Name = names.stream.c_str();
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Retention = js_WorkQueuePolicy;
  config.MaxMsgs = wanted.max_msgs;
  config.MaxBytes = wanted.max_bytes;
  config.Discard = wanted.discard;
  config.Storage = js_FileStorage;
  raw = nullptr;
  // Two parts starting at once may both create it: the same config twice is no error.
  status = js_AddStream(&raw, js, &config, nullptr, &code);
  info.reset(raw);
  if (status != NATS_OK && code != JSStreamNameExistErr) {
    check(status, fmt::format("creating stream {} for edge {}", names.stream, pipeline.edge_name(edge)), code);
  }
  if (status != NATS_OK) ensure_stream(js, pipeline, edge);
}

void ensure_consumer(jsCtx* js, const Pipeline& pipeline, EdgeId edge) {
  auto names = names_of(pipeline, edge);
  jsConsumerInfo* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  auto status = js_GetConsumerInfo(&raw, js, names.stream.c_str(), names.stream.c_str(), nullptr, &code);
  NatsPtr<jsConsumerInfo> info(raw);
  if (status == NATS_OK) return;
  if (code != JSConsumerNotFoundErr) check(status, fmt::format("consumer {} of edge {}", names.stream, pipeline.edge_name(edge)), code);
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = names.stream.c_str();
  config.AckPolicy = js_AckExplicit;
  config.AckWait = kAckWaitMs * 1'000'000;
  config.MaxAckPending = -1;
  config.FilterSubject = names.subject.c_str();
  config.DeliverPolicy = js_DeliverAll;
  raw = nullptr;
  status = js_AddConsumer(&raw, js, names.stream.c_str(), &config, nullptr, &code);
  info.reset(raw);
  if (status != NATS_OK) {
    // Another process of the part may have made it between the two calls.
    raw = nullptr;
    if (js_GetConsumerInfo(&raw, js, names.stream.c_str(), names.stream.c_str(), nullptr, nullptr) == NATS_OK) {
      info.reset(raw);
      return;
    }
    check(status, fmt::format("creating consumer {} for edge {}", names.stream, pipeline.edge_name(edge)), code);
  }
}

}  // namespace flow::cut
