#include "runtime/check/attributes.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <fmt/format.h>
#include <set>
#include <utility>

#include "flow/fields.hpp"
#include "runtime/model/value_limits.hpp"

namespace flow::checker {
namespace {

std::string read_at_least_one(const char* name, const Value& value, std::uint64_t& out) {
  const auto* integer = std::get_if<std::int64_t>(&value);
  if (integer == nullptr) return kind_error(describe(ValueKind::Integer), value);
  if (*integer < 1) return fmt::format("{} must be at least 1, got {}", name, *integer);
  out = static_cast<std::uint64_t>(*integer);
  return "";
}

// Enum values are bare words; `what` names the enum in messages ("overflow policy").
template <typename Enum, std::size_t N>
std::string read_enum(const char* what, const Value& value, const std::array<Enum, N>& choices, Enum& out) {
  std::vector<std::string> names;
  names.reserve(N);
  for (auto choice : choices) names.emplace_back(to_string(choice));
  auto list = fmt::format("{}", fmt::join(names, ", "));
  const auto* word = std::get_if<Identifier>(&value);
  if (word == nullptr) return fmt::format("expected one of {}, got {}", list, describe(kind_of(value)));
  for (auto choice : choices) {
    if (word->name == to_string(choice)) {
      out = choice;
      return "";
    }
  }
  return fmt::format("unknown {} '{}'; expected one of {}{}", what, word->name, list, did_you_mean(word->name, names));
}

std::string read_workers(const Value& value, int& out) {
  std::uint64_t workers = 0;
  auto error = read_at_least_one("workers", value, workers);
  if (!error.empty()) return error;
  if (workers > static_cast<std::uint64_t>(INT_MAX)) return fmt::format("workers must be at most {}", INT_MAX);
  out = static_cast<int>(workers);
  return "";
}

std::string read_capacity(const Value& value, EdgeSettings& edge) {
  if (std::holds_alternative<Unbounded>(value)) {
    edge.capacity_set = true;
    edge.capacity.reset();
    return "";
  }
  if (!std::holds_alternative<std::int64_t>(value)) return kind_error("an integer or unbounded", value);
  std::uint64_t capacity = 0;
  auto error = read_at_least_one("capacity", value, capacity);
  if (error.empty() && capacity > limits::largest_capacity) {
    error =
        fmt::format("capacity must be at most {} (or unbounded), got {}", limits::largest_capacity, capacity);
  }
  if (error.empty()) {
    edge.capacity_set = true;
    edge.capacity = capacity;
  }
  return error;
}

std::string read_max_bytes(const Value& value, EdgeSettings& edge) {
  const auto* size = std::get_if<Size>(&value);
  if (size == nullptr) return kind_error(describe(ValueKind::Size), value);
  // A zero byte limit would make the edge full forever.
  if (size->bytes == 0) return "max_bytes must be at least 1B";
  edge.max_bytes = size->bytes;
  return "";
}

// A part names a group of nodes run by one `flow run --part` process; it
// becomes part of JetStream names, so it is a bare word.
std::string read_part(const Value& value, std::string& out) {
  const auto* word = std::get_if<Identifier>(&value);
  if (word == nullptr) return kind_error("a part name (a bare word such as ingest)", value);
  out = word->name;
  return "";
}

// `deadline=200ms`: how old a message may be when it would be taken.
std::string read_deadline(const Value& value, std::optional<Duration>& out) {
  const auto* duration = std::get_if<Duration>(&value);
  if (duration == nullptr) return kind_error(describe(ValueKind::Duration), value);
  if (duration->value.count() <= 0) return "deadline must be longer than 0s";
  out = *duration;
  return "";
}

// A route names the node it leads to: a bare word, as in `dropped=dlq`.
std::string read_route(const std::string& key, const Value& value, std::optional<RouteName>* out) {
  const auto* word = std::get_if<Identifier>(&value);
  if (word == nullptr) return kind_error(fmt::format("a node name (a bare word, as in {}=dlq)", key), value);
  if (out != nullptr) *out = RouteName{word->name, {}, 0};
  return "";
}

// `on_error=fail`, `skip`, or the node failed messages go to. The words
// fail and skip always mean the policies (a node of that name gets a
// warning where it is named: dead_letters.cpp).
std::string read_on_error(const Value& value, Node& node) {
  const auto* word = std::get_if<Identifier>(&value);
  if (word == nullptr) return kind_error("fail, skip or a node name (a bare word)", value);
  if (word->name == "fail" || word->name == "skip") {
    node.on_error = word->name == "fail" ? OnError::Fail : OnError::Skip;
  } else {
    node.on_error = OnError::DeadLetter;  // its target is looked up once every node is known
  }
  return "";
}

// Words other tools (and flow's own metrics JSON, `policy`) use for an
// attribute, too far from its name in spelling for closest_match to find.
constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kAttributeSynonyms{{
    {"policy", "overflow"},
    {"overflow_policy", "overflow"},
    {"on_overflow", "overflow"},
    {"on_full", "overflow"},
    {"queue_size", "capacity"},
    {"buffer", "capacity"},
    {"threads", "workers"},
    {"concurrency", "workers"},
    {"parallelism", "workers"},
    {"on_failure", "on_error"},
}};

}  // namespace

std::string unknown_attribute(std::string_view what, const std::string& key, const std::vector<std::string>& names) {
  for (const auto& [synonym, name] : kAttributeSynonyms) {
    if (key == synonym && std::find(names.begin(), names.end(), name) != names.end()) {
      return fmt::format("unknown {} '{}'; did you mean '{}'?", what, key, name);
    }
  }
  return unknown_name(what, key, names);
}

std::string kind_error(std::string_view expected, const Value& got) {
  return fmt::format("expected {}, got {}", expected, describe(kind_of(got)));
}

const std::vector<std::string>& pipeline_attribute_names() {
  static const std::vector<std::string> names{"max_in_flight", "report", "seed", "clock", "state"};
  return names;
}

const std::vector<std::string>& node_attribute_names() {
  static const std::vector<std::string> names{"workers",  "ordered", "fanout",   "on_error",
                                              "part",     "deadline", "expired", "partition"};
  return names;
}

const std::vector<std::string>& edge_attribute_names() {
  static const std::vector<std::string> names{"capacity", "overflow", "max_bytes",
                                              "deadline", "dropped",  "expired"};
  return names;
}

std::string set_pipeline_attribute(Pipeline& pipeline, const std::string& key, const Value& value) {
  if (key == "max_in_flight") {
    auto error = read_at_least_one("max_in_flight", value, pipeline.max_in_flight);
    if (error.empty()) pipeline.max_in_flight_explicit = true;
    return error;
  }
  if (key == "seed") {
    const auto* seed = std::get_if<std::int64_t>(&value);
    if (seed == nullptr) return kind_error(describe(ValueKind::Integer), value);
    if (*seed < 0) return fmt::format("seed must not be negative, got {}", *seed);
    pipeline.seed = static_cast<std::uint64_t>(*seed);
    return "";
  }
  if (key == "clock") return read_enum("clock", value, std::array{ClockKind::Real, ClockKind::Virtual}, pipeline.clock);
  if (key == "state") {
    // Where followed files keep their checkpoints (docs/ingest.md).
    const auto* directory = std::get_if<std::string>(&value);
    if (directory == nullptr) return kind_error("a directory (a string)", value);
    if (directory->empty()) return "state must name a directory";
    pipeline.state = *directory;
    return "";
  }
  const auto* duration = std::get_if<Duration>(&value);
  if (duration == nullptr) return kind_error(describe(ValueKind::Duration), value);
  if (duration->value.count() <= 0) return "report must be longer than 0s";
  pipeline.report = *duration;
  return "";
}

namespace {

bool is_field_name(const std::string& name) {
  if (name.empty() || (std::isalpha(static_cast<unsigned char>(name[0])) == 0 && name[0] != '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

// `partition=by(user)` or `by(user, path)`: the fields whose text is the key (docs/routing.md).
std::string read_partition(const Value& value, std::vector<std::string>& fields) {
  const auto* expression = std::get_if<Expression>(&value);
  const auto* word = std::get_if<Identifier>(&value);
  const char* expected = "expected by(FIELD, ...), such as 'by(user)'";
  if (word != nullptr) return fmt::format("{}, got '{}': write 'by({})'", expected, word->name, word->name);
  if (expression == nullptr) return fmt::format("{}, got {}", expected, describe(kind_of(value)));
  std::string_view text = expression->text;
  if (text.substr(0, 3) != "by(" || text.back() != ')') return fmt::format("{}, got '{}'", expected, text);
  fields.clear();
  for (auto& [name, offset] : split_field_names(text.substr(3, text.size() - 4))) {
    if (!is_field_name(name)) return fmt::format("{}: '{}' is not a field name", expected, name);
    if (std::find(fields.begin(), fields.end(), name) != fields.end())
      return fmt::format("field '{}' is named twice in {}", name, text);
    fields.push_back(std::move(name));
  }
  return "";
}

}  // namespace

std::string set_node_attribute(Node& node, const std::string& key, const Value& value) {
  if (key == "workers") return read_workers(value, node.workers);
  if (key == "ordered") {
    const auto* flag = std::get_if<bool>(&value);
    if (flag == nullptr) return kind_error(describe(ValueKind::Boolean), value);
    node.ordered = *flag;
    return "";
  }
  if (key == "part") return read_part(value, node.part);
  if (key == "fanout") {
    return read_enum("fanout", value, std::array{Fanout::Broadcast, Fanout::RoundRobin}, node.fanout);
  }
  if (key == "deadline") return read_deadline(value, node.deadline);
  if (key == "expired") return read_route(key, value, nullptr);
  if (key == "partition") return read_partition(value, node.partition_by);
  return read_on_error(value, node);
}

std::string set_edge_attribute(EdgeSettings& edge, const std::string& key, const Value& value) {
  if (key == "capacity") return read_capacity(value, edge);
  if (key == "max_bytes") return read_max_bytes(value, edge);
  if (key == "deadline") return read_deadline(value, edge.deadline);
  if (key == "dropped") return read_route(key, value, &edge.dropped);
  if (key == "expired") return read_route(key, value, &edge.expired);
  return read_enum("overflow policy", value,
                   std::array{Overflow::Block, Overflow::DropNewest, Overflow::DropOldest, Overflow::Fail},
                   edge.overflow);
}

std::vector<syntax::Attribute> apply_attributes(Reporter& reporter, std::string_view what,
                                                const std::vector<std::string>& names,
                                                const std::vector<syntax::Attribute>& attributes,
                                                const AttributeSetter& set) {
  std::vector<syntax::Attribute> applied;
  std::set<std::string> seen;
  for (const auto& attribute : attributes) {
    const auto& key = attribute.key;
    if (std::find(names.begin(), names.end(), key.text) == names.end()) {
      reporter.error(key.location, key.text.size(), unknown_attribute(what, key.text, names));
      continue;
    }
    if (!seen.insert(key.text).second) {
      reporter.error(key.location, key.text.size(), fmt::format("attribute '{}' is given twice", key.text));
      continue;
    }
    auto error = limits::out_of_range(attribute.value.value);
    if (error.empty()) error = set(key.text, attribute.value.value);
    if (!error.empty()) {
      reporter.error(attribute.value.location, attribute.value.width, std::move(error));
      continue;
    }
    applied.push_back(attribute);
  }
  return applied;
}

std::optional<std::string> node_route_target(const std::string& key, const Value& value) {
  const auto* word = std::get_if<Identifier>(&value);
  if (word == nullptr) return std::nullopt;
  if (key == "expired") return word->name;
  if (key == "on_error" && word->name != "fail" && word->name != "skip") return word->name;
  return std::nullopt;
}

namespace {

RouteName located(const syntax::Attribute& attribute, std::string target) {
  return RouteName{std::move(target), attribute.value.location, attribute.value.width};
}

}  // namespace

void locate_routes(EdgeSettings& edge, const std::vector<syntax::Attribute>& attributes) {
  for (const auto& attribute : attributes) {
    const auto* word = std::get_if<Identifier>(&attribute.value.value);
    if (word == nullptr) continue;
    if (attribute.key.text == "dropped") edge.dropped = located(attribute, word->name);
    if (attribute.key.text == "expired") edge.expired = located(attribute, word->name);
  }
}

void note_node_routes(NodeRoutes& routes, const std::vector<syntax::Attribute>& attributes) {
  for (const auto& attribute : attributes) {
    if (attribute.key.text == "on_error") {
      auto target = node_route_target("on_error", attribute.value.value);
      // A later on_error=fail (or skip) takes back a route a default gave.
      routes.errors = target ? std::optional<RouteName>(located(attribute, *target)) : std::nullopt;
    }
    if (auto target = attribute.key.text == "expired" ? node_route_target("expired", attribute.value.value)
                                                      : std::nullopt) {
      routes.expired = located(attribute, *target);
    }
  }
}

}  // namespace flow::checker
