// parse_json(): a JSON object per line; nested objects flattened to a.b,
// arrays kept as JSON text, numbers as numbers, true/false as text, null as
// no field (docs/fields.md).
#include "parse_support.hpp"

using namespace flow;
using namespace flow::test;

namespace {

std::string nested(int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += "{\"a\":";
  text += "1";
  for (int i = 0; i < depth; ++i) text += "}";
  return text;
}

}  // namespace

TEST_CASE("parse_json makes a field of each member, nested ones as a.b", "[fields][parse]") {
  auto parsed = parse_with(
      "parse_json", {},
      {R"({"status":200,"path":"/api","ms":12.5,"ok":true,"bad":false,"err":null,)"
       R"("user":{"id":7,"name":"al","geo":{"cc":"NZ"}},"tags":["a",{"b":1}],"big":18446744073709551615,"neg":-3})"});
  REQUIRE(parsed.failures.empty());
  const auto& m = parsed.kept.at(0);
  CHECK(integer(m, "status") == 200);
  CHECK(string(m, "path") == "/api");
  REQUIRE(m.fields.find("ms").has_value());
  CHECK(std::get<double>(*m.fields.find("ms")) == 12.5);
  CHECK(string(m, "ok") == "true");
  CHECK(string(m, "bad") == "false");
  CHECK_FALSE(m.fields.find("err"));
  CHECK(integer(m, "user.id") == 7);
  CHECK(string(m, "user.name") == "al");
  CHECK(string(m, "user.geo.cc") == "NZ");
  CHECK_FALSE(m.fields.find("user"));
  CHECK(string(m, "tags") == R"(["a",{"b":1}])");
  REQUIRE(m.fields.find("big").has_value());
  CHECK(std::get<double>(*m.fields.find("big")) == 18446744073709551615.0);  // beyond int64: a decimal
  CHECK(integer(m, "neg") == -3);
}

TEST_CASE("parse_json decodes string escapes", "[fields][parse]") {
  auto parsed = parse_with("parse_json", {}, {R"({"msg":"line\nwith \"quotes\" \u00e9 \ud83d\ude00"})"});
  REQUIRE(parsed.failures.empty());
  CHECK(string(parsed.kept[0], "msg") == "line\nwith \"quotes\" \xC3\xA9 \xF0\x9F\x98\x80");
}

TEST_CASE("parse_json keeps an object nested deeper than 32 as JSON text", "[fields][parse]") {
  auto parsed = parse_with("parse_json", {}, {nested(40)});
  REQUIRE(parsed.failures.empty());
  std::string name = "a";
  for (int i = 1; i < 32; ++i) name += ".a";
  CHECK(string(parsed.kept[0], name) == nested(8));
}

TEST_CASE("a line that is not one JSON object fails", "[fields][parse]") {
  std::vector<std::string> lines{R"({"a":x})", "[1,2]", R"({"a":1)", "", "42"};
  auto parsed = parse_with("parse_json", {}, lines);
  CHECK(parsed.kept.empty());
  REQUIRE(parsed.failures.size() == 5);
  CHECK(parsed.failures[0].second.starts_with("json: syntax error"));
  CHECK(parsed.failures[0].second.ends_with(fmt::format("(at byte {})", byte_of(lines[0], "x"))));
  CHECK(parsed.failures[1].second == "json: expected an object ('{'), got array");
  CHECK(parsed.failures[2].second.ends_with(fmt::format("(at byte {})", lines[2].size() + 1)));
  CHECK(parsed.failures[3].second.starts_with("json: syntax error"));
  CHECK(parsed.failures[4].second == "json: expected an object ('{'), got number");
}

// nlohmann reports a number past a double's range as out_of_range, not as a
// parse_error: it is still this line's failure alone.
TEST_CASE("a JSON number too large for a double fails its line alone", "[fields][parse]") {
  auto parsed = parse_with("parse_json", {}, {R"({"n": 1e400})", R"({"ok": 1})"});
  REQUIRE(parsed.failures.size() == 1);
  CHECK(parsed.failures[0].second == "json: number overflow parsing '1e400'");
  REQUIRE(parsed.kept.size() == 1);
  CHECK(integer(parsed.kept[0], "ok") == 1);
}

// Writing a nested value back as JSON text recurses once per level: a line
// nested past 512 levels fails before it is parsed, wherever the nesting is.
TEST_CASE("a JSON line nested deeper than 512 levels fails with a cause", "[fields][parse]") {
  constexpr std::size_t kDeep = 200000;
  std::string arrays = R"({"a":)" + std::string(kDeep, '[') + std::string(kDeep, ']') + "}";
  std::string objects = nested(kDeep);
  std::string quoted =
      R"({"s":")" + std::string(1000, '[') + R"(", "b":[[1]]})";  // brackets in a string do not nest
  auto parsed = parse_with("parse_json", {}, {arrays, objects, nested(511), quoted});
  REQUIRE(parsed.failures.size() == 2);
  // Level 513 opens at the 512th '[' (after `{"a":`), or at the 513th `{"a":`.
  CHECK(parsed.failures[0].second ==
        fmt::format("json: nested deeper than 512 levels (at byte {})", 5 + 512));
  CHECK(parsed.failures[1].second ==
        fmt::format("json: nested deeper than 512 levels (at byte {})", 5 * 512 + 1));
  REQUIRE(parsed.kept.size() == 2);
  CHECK(string(parsed.kept[1], "b") == "[[1]]");
}
