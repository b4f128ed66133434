// parse_json(): one JSON object per line into fields (docs/fields.md).
// Nested objects are flattened to dotted names (Benthos and Vector users
// write `a.b` for them), arrays are kept as their compact JSON text.
#include <fmt/format.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "runtime/fields/parsers.hpp"

namespace flow::fields {
namespace {

using Json = nlohmann::json;

/// Deeper than this, an object is kept as JSON text: the flattening recurses,
/// and a hostile line of a million '{' must not exhaust the stack.
constexpr int kMaxDepth = 32;

void flatten(const Json& object, const std::string& prefix, int depth, Fields& out) {
  for (const auto& [key, value] : object.items()) {
    auto name = prefix.empty() ? key : fmt::format("{}.{}", prefix, key);
    switch (value.type()) {
      case Json::value_t::object:
        if (depth < kMaxDepth) {
          flatten(value, name, depth + 1, out);
        } else {
          out.set(name, value.dump());
        }
        break;
      case Json::value_t::string:
        out.set(name, value.get_ref<const std::string&>());
        break;
      case Json::value_t::number_integer:
        out.set(name, value.get<std::int64_t>());
        break;
      case Json::value_t::number_unsigned: {
        auto number = value.get<std::uint64_t>();
        if (number <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          out.set(name, static_cast<std::int64_t>(number));
        } else {
          out.set(name, static_cast<double>(number));
        }
        break;
      }
      case Json::value_t::number_float:
        out.set(name, value.get<double>());
        break;
      // Fields hold text or numbers: true and false become their JSON words,
      // so format(json) writes "true" back as text; null is no value at all.
      case Json::value_t::boolean:
        out.set(name, std::string(value.get<bool>() ? "true" : "false"));
        break;
      case Json::value_t::null:
        break;
      default:
        out.set(name, value.dump());
        break;  // an array, as its JSON text
    }
  }
}

/// nlohmann's message without its "[json.exception...] parse error at line 1, column N: " head.
std::string reason(const Json::parse_error& error) {
  std::string_view what = error.what();
  if (auto column = what.find("column "); column != std::string_view::npos) {
    if (auto colon = what.find(": ", column); colon != std::string_view::npos) what.remove_prefix(colon + 2);
  }
  return std::string(what);
}

class JsonParser final : public LineParser {
 public:
  std::string parse(std::string_view line, Fields& out) const override {
    Json object;
    try {
      object = Json::parse(line);
    } catch (const Json::parse_error& error) {
      return fmt::format("json: {} (at byte {})", reason(error), error.byte);
    }
    if (!object.is_object())
      return fmt::format("json: expected an object ('{{'), got {}", object.type_name());
    flatten(object, "", 1, out);
    return "";
  }

  FieldChange change() const override {
    FieldChange change;
    change.sets_unknown = true;
    return change;
  }
};

}  // namespace

std::unique_ptr<LineParser> make_json_parser() {
  return std::make_unique<JsonParser>();
}

}  // namespace flow::fields
