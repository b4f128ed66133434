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

/// Deeper than this, an object is kept as JSON text: names of 32 parts are
/// already more than a reader wants.
constexpr int kMaxDepth = 32;

/// Deeper than this, a line fails. nlohmann parses and frees without
/// recursion, but dump() (an array, or an object past kMaxDepth) recurses
/// once per level, and a hostile line of a million '[' would exhaust a
/// worker's stack.
constexpr int kMaxNesting = 512;

/// The byte (from 1) where `line` opens its (kMaxNesting + 1)th level, or 0
/// when it nests no deeper. Brackets inside strings do not count; the rest
/// of the syntax is the parser's to check.
std::size_t too_deep_at(std::string_view line) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxNesting) return i + 1;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return 0;
}

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

/// nlohmann's message without its "[json.exception.NAME.ID] " head.
std::string_view reason(const Json::exception& error) {
  std::string_view what = error.what();
  if (auto head = what.find("] "); what.starts_with("[json.exception.") && head != std::string_view::npos)
    what.remove_prefix(head + 2);
  return what;
}

/// A parse error's reason without its "parse error at line 1, column N: ".
std::string_view reason(const Json::parse_error& error) {
  auto what = reason(static_cast<const Json::exception&>(error));
  if (auto column = what.find("column "); column != std::string_view::npos) {
    if (auto colon = what.find(": ", column); colon != std::string_view::npos) what.remove_prefix(colon + 2);
  }
  return what;
}

class JsonParser final : public LineParser {
 public:
  // Every nlohmann exception is this line's failure, not the chunk's: a
  // number too large for a double ({"n": 1e400}) throws out_of_range, not
  // parse_error.
  std::string parse(std::string_view line, Fields& out) const override {
    if (auto byte = too_deep_at(line); byte != 0)
      return fmt::format("json: nested deeper than {} levels (at byte {})", kMaxNesting, byte);
    try {
      auto object = Json::parse(line);
      if (!object.is_object())
        return fmt::format("json: expected an object ('{{'), got {}", object.type_name());
      flatten(object, "", 1, out);
    } catch (const Json::parse_error& error) {
      return fmt::format("json: {} (at byte {})", reason(error), error.byte);
    } catch (const Json::exception& error) {
      return fmt::format("json: {}", reason(error));
    }
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
