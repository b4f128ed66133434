#include "flow/metrics_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace flow {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json optional_json(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json node_json(const NodeMetrics& n) {
  Json json{{"name", n.name},
            {"kind", to_string(n.kind)},
            {"workers", n.workers},
            {"in", n.in},
            {"out", n.out},
            {"errors", n.errors},
            {"filtered", n.filtered},
            {"busy", n.busy},
            {"busy_s", n.busy_s},
            {"latency_p50_s", n.latency_p50_s},
            {"latency_p99_s", n.latency_p99_s},
            {"expired", n.expired},
            {"dead_lettered", n.dead_lettered}};
  if (n.remote) json["remote"] = true;
  if (!n.counts.empty()) {
    Json counts = Json::object();
    for (const auto& [name, count] : n.counts) counts[name] = count;
    json["counts"] = std::move(counts);
  }
  return json;
}

Json edge_json(const EdgeMetrics& e) {
  Json json{{"from", e.from},
            {"to", e.to},
            {"capacity", optional_json(e.capacity)},
            {"policy", to_string(e.policy)},
            {"in", e.in},
            {"out", e.out},
            {"dropped", e.dropped},
            {"held", e.held},
            {"high_water", e.high_water},
            {"bytes_held", e.bytes_held},
            {"high_water_bytes", e.high_water_bytes},
            {"blocked_s", e.blocked_s},
            {"full_s", e.full_s},
            {"expired", e.expired},
            {"dead_lettered", e.dead_lettered}};
  // Only an edge from a labeled output (route) names it: two edges `r.a -> k`
  // and `r.b -> k` are told apart, and other runs keep their JSON as it was.
  if (!e.output.empty()) json["output"] = e.output;
  // Only dead-letter edges say so, as only cut edges carry a transport.
  if (e.dead_letter) json["dead_letter"] = true;
  // Only cut edges carry these: a run in one process keeps its JSON as it was.
  if (!e.transport.empty()) {
    json["transport"] = e.transport;
    json["redelivered"] = e.redelivered;
  }
  return json;
}

Json sink_json(const SinkMetrics& s) {
  return Json{{"name", s.name},
              {"delivered", s.delivered},
              {"latency_p50_s", s.latency_p50_s},
              {"latency_p99_s", s.latency_p99_s},
              {"latency_mean_s", s.latency_mean_s},
              {"latency_max_s", s.latency_max_s}};
}

Json source_json(const SourceBalance& s) {
  return Json{{"name", s.name},
              {"produced", s.produced},
              {"delivered", s.delivered},
              {"dropped", s.dropped},
              {"filtered", s.filtered},
              {"errors", s.errors},
              {"expected", optional_json(s.expected)},
              {"dead_lettered", s.dead_lettered},
              {"expired", s.expired}};
}

template <typename T, typename F>
Json list_json(const std::vector<T>& items, F&& convert) {
  Json list = Json::array();
  for (const auto& item : items) list.push_back(convert(item));
  return list;
}

// ---- reading: every error names the element and key, e.g. "edges[1].capacity".

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error(fmt::format("metrics JSON: {}: {}", where, what));
}

std::string key_path(const std::string& where, const char* key) {
  return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
}

// The value at `key`, or nullptr when it is missing and not required.
const Json* field(const Json& object, const std::string& where, const char* key, bool required) {
  auto found = object.find(key);
  if (found != object.end()) return &*found;
  if (required) fail(key_path(where, key), "missing");
  return nullptr;
}

std::string text_of(const Json& object, const std::string& where, const char* key, bool required = true) {
  const auto* value = field(object, where, key, required);
  if (value == nullptr) return "";
  if (!value->is_string()) fail(key_path(where, key), fmt::format("expected a string, got {}", value->type_name()));
  return value->get<std::string>();
}

std::uint64_t count_of(const Json& object, const std::string& where, const char* key, bool required = true) {
  const auto* value = field(object, where, key, required);
  if (value == nullptr) return 0;
  if (!value->is_number_unsigned() && !(value->is_number_integer() && value->get<std::int64_t>() >= 0))
    fail(key_path(where, key), fmt::format("expected a count (an integer >= 0), got {}", value->dump()));
  return value->get<std::uint64_t>();
}

std::optional<std::uint64_t> optional_count(const Json& object, const std::string& where, const char* key) {
  const auto* value = field(object, where, key, false);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_number_unsigned() && !(value->is_number_integer() && value->get<std::int64_t>() >= 0))
    fail(key_path(where, key), fmt::format("expected an integer >= 0 or null, got {}", value->dump()));
  return value->get<std::uint64_t>();
}

// A key written only when true (`remote`, `dead_letter`): absent reads as false.
bool flag_of(const Json& object, const std::string& where, const char* key) {
  const auto* value = field(object, where, key, false);
  if (value == nullptr) return false;
  if (!value->is_boolean())
    fail(key_path(where, key), fmt::format("expected true or false, got {}", value->type_name()));
  return value->get<bool>();
}

// Seconds and fractions; null stands for a value that was not measurable (NaN).
double number_of(const Json& object, const std::string& where, const char* key, bool required = true) {
  const auto* value = field(object, where, key, required);
  if (value == nullptr || value->is_null()) return 0;
  if (!value->is_number()) fail(key_path(where, key), fmt::format("expected a number, got {}", value->type_name()));
  return value->get<double>();
}

template <typename Enum>
Enum enum_of(const Json& object, const std::string& where, const char* key, std::initializer_list<Enum> choices,
             bool required = true) {
  auto word = text_of(object, where, key, required);
  if (word.empty() && !required) return *choices.begin();
  std::string names;
  for (auto choice : choices) {
    if (word == to_string(choice)) return choice;
    names += names.empty() ? to_string(choice) : fmt::format(", {}", to_string(choice));
  }
  fail(key_path(where, key), fmt::format("unknown value '{}'; expected one of {}", word, names));
}

template <typename T, typename F>
std::vector<T> list_of(const Json& object, const char* key, bool required, F&& read) {
  const auto* value = field(object, "", key, required);
  std::vector<T> items;
  if (value == nullptr) return items;
  if (!value->is_array()) fail(key, fmt::format("expected an array, got {}", value->type_name()));
  for (std::size_t i = 0; i < value->size(); ++i) {
    auto where = fmt::format("{}[{}]", key, i);
    if (!(*value)[i].is_object()) fail(where, fmt::format("expected an object, got {}", (*value)[i].type_name()));
    items.push_back(read((*value)[i], where));
  }
  return items;
}

NodeMetrics read_node(const Json& j, const std::string& at) {
  NodeMetrics n;
  n.name = text_of(j, at, "name");
  n.kind = enum_of(j, at, "kind", {NodeKind::Stage, NodeKind::Source, NodeKind::Sink});
  n.workers = static_cast<int>(count_of(j, at, "workers"));
  n.in = count_of(j, at, "in");
  n.out = count_of(j, at, "out");
  n.errors = count_of(j, at, "errors");
  n.filtered = count_of(j, at, "filtered", false);
  n.busy = number_of(j, at, "busy");
  n.busy_s = number_of(j, at, "busy_s", false);
  n.latency_p50_s = number_of(j, at, "latency_p50_s");
  n.latency_p99_s = number_of(j, at, "latency_p99_s");
  n.remote = flag_of(j, at, "remote");
  // Files written before dead-letter routes and deadlines read them as 0.
  n.expired = count_of(j, at, "expired", false);
  n.dead_lettered = count_of(j, at, "dead_lettered", false);
  if (const auto* counts = field(j, at, "counts", false); counts != nullptr) {
    auto where = key_path(at, "counts");
    if (!counts->is_object()) fail(where, fmt::format("expected an object, got {}", counts->type_name()));
    for (const auto& [name, count] : counts->items()) n.counts.emplace_back(name, count_of(*counts, where, name.c_str()));
  }
  return n;
}

EdgeMetrics read_edge(const Json& j, const std::string& at) {
  EdgeMetrics e;
  e.from = text_of(j, at, "from");
  e.to = text_of(j, at, "to");
  e.output = text_of(j, at, "output", false);
  if (field(j, at, "capacity", true) != nullptr) e.capacity = optional_count(j, at, "capacity");
  e.policy = enum_of(j, at, "policy", {Overflow::Block, Overflow::DropNewest, Overflow::DropOldest, Overflow::Fail});
  e.in = count_of(j, at, "in");
  e.out = count_of(j, at, "out");
  e.dropped = count_of(j, at, "dropped");
  e.held = count_of(j, at, "held", false);
  e.high_water = count_of(j, at, "high_water");
  e.bytes_held = count_of(j, at, "bytes_held", false);
  e.high_water_bytes = count_of(j, at, "high_water_bytes", false);
  e.blocked_s = number_of(j, at, "blocked_s");
  e.full_s = number_of(j, at, "full_s", false);
  e.transport = text_of(j, at, "transport", false);
  e.redelivered = count_of(j, at, "redelivered", false);
  e.expired = count_of(j, at, "expired", false);
  e.dead_lettered = count_of(j, at, "dead_lettered", false);
  e.dead_letter = flag_of(j, at, "dead_letter");
  return e;
}

// latency_mean_s and latency_max_s came later than p50: files written before them still read.
SinkMetrics read_sink(const Json& j, const std::string& at) {
  SinkMetrics s;
  s.name = text_of(j, at, "name");
  s.delivered = count_of(j, at, "delivered");
  s.latency_p50_s = number_of(j, at, "latency_p50_s");
  s.latency_p99_s = number_of(j, at, "latency_p99_s");
  s.latency_mean_s = number_of(j, at, "latency_mean_s", false);
  s.latency_max_s = number_of(j, at, "latency_max_s", false);
  return s;
}

SourceBalance read_source(const Json& j, const std::string& at) {
  SourceBalance s{text_of(j, at, "name"),           count_of(j, at, "produced"), count_of(j, at, "delivered"),
                  count_of(j, at, "dropped"),       count_of(j, at, "filtered"), count_of(j, at, "errors"),
                  optional_count(j, at, "expected")};
  s.dead_lettered = count_of(j, at, "dead_lettered", false);
  s.expired = count_of(j, at, "expired", false);
  return s;
}

RunMetrics read_run(const Json& j) {
  if (!j.is_object()) fail("top level", fmt::format("expected an object, got {}", j.type_name()));
  RunMetrics m;
  m.pipeline = text_of(j, "", "pipeline");
  m.status = enum_of(
      j, "", "status",
      {RunStatus::Ok, RunStatus::Failed, RunStatus::Interrupted, RunStatus::BrokenPipe, RunStatus::Running});
  if (const auto* error = field(j, "", "error", false); error != nullptr && !error->is_null())
    m.error = text_of(j, "", "error");
  if (const auto* signal = field(j, "", "signal", false); signal != nullptr && !signal->is_null())
    m.signal = text_of(j, "", "signal");
  m.elapsed_s = number_of(j, "", "elapsed_s");
  if (field(j, "", "clock", false) != nullptr) m.clock = enum_of(j, "", "clock", {ClockKind::Real, ClockKind::Virtual});
  m.wall_s = number_of(j, "", "wall_s", false);
  m.peak_rss_bytes = count_of(j, "", "peak_rss_bytes", false);
  m.peak_messages = count_of(j, "", "peak_messages", false);
  m.peak_payload_bytes = count_of(j, "", "peak_payload_bytes", false);
  m.messages_per_s = number_of(j, "", "messages_per_s", false);
  m.latency_p50_s = number_of(j, "", "latency_p50_s", false);
  m.latency_p99_s = number_of(j, "", "latency_p99_s", false);
  m.latency_mean_s = number_of(j, "", "latency_mean_s", false);
  m.latency_max_s = number_of(j, "", "latency_max_s", false);
  if (const auto* name = field(j, "", "bottleneck", false); name != nullptr && !name->is_null()) {
    m.bottleneck.node = text_of(j, "", "bottleneck");
    if (const auto* why = field(j, "", "bottleneck_reason", false); why != nullptr && !why->is_null())
      m.bottleneck.reason = text_of(j, "", "bottleneck_reason");
  }
  m.nodes = list_of<NodeMetrics>(j, "nodes", true, read_node);
  m.edges = list_of<EdgeMetrics>(j, "edges", true, read_edge);
  m.sinks = list_of<SinkMetrics>(j, "sinks", true, read_sink);
  m.sources = list_of<SourceBalance>(j, "sources", false, read_source);
  return m;
}

}  // namespace

std::string to_json(const RunMetrics& m) {
  Json json{{"pipeline", m.pipeline},
            {"status", to_string(m.status)},
            {"error", optional_json(m.error)},
            {"signal", optional_json(m.signal)},
            {"elapsed_s", m.elapsed_s},
            {"clock", to_string(m.clock)},
            {"wall_s", m.wall_s},
            {"peak_rss_bytes", m.peak_rss_bytes},
            {"peak_messages", m.peak_messages},
            {"peak_payload_bytes", m.peak_payload_bytes},
            {"messages_per_s", m.messages_per_s},
            {"latency_p50_s", m.latency_p50_s},
            {"latency_p99_s", m.latency_p99_s},
            {"latency_mean_s", m.latency_mean_s},
            {"latency_max_s", m.latency_max_s},
            {"bottleneck", m.bottleneck.node.empty() ? Json(nullptr) : Json(m.bottleneck.node)},
            {"bottleneck_reason", m.bottleneck.node.empty() ? Json(nullptr) : Json(m.bottleneck.reason)},
            {"nodes", list_json(m.nodes, node_json)},
            {"edges", list_json(m.edges, edge_json)},
            {"sinks", list_json(m.sinks, sink_json)},
            {"sources", list_json(m.sources, source_json)}};
  // Names and error lines may hold any bytes; invalid UTF-8 must not stop the write.
  return json.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

MetricsRead metrics_from_json(const std::string& text) {
  MetricsRead result;
  // Inside, a bad field throws from deep in the reader; the library's
  // convention (docs/library.md) turns that into a diagnostic at its edge.
  try {
    result.metrics = read_run(Json::parse(text));
  } catch (const Json::parse_error& error) {
    result.diagnostics.push_back(
        Diagnostic{Severity::Error, SourceLocation{}, fmt::format("metrics JSON: not valid JSON: {}", error.what()), 0});
  } catch (const std::runtime_error& error) {
    result.diagnostics.push_back(Diagnostic{Severity::Error, SourceLocation{}, error.what(), 0});
  }
  return result;
}

}  // namespace flow
