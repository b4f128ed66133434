// parse(format="logfmt") against heroku's logfmt example and Go's quoting,
// and parse(format="csv") against RFC 4180's quoting (the cars example).
#include "parse_support.hpp"

using namespace flow;
using namespace flow::test;

TEST_CASE("logfmt reads key=value pairs, quoted values and bare keys", "[fields][parse]") {
  auto parsed = parse_format("logfmt", sample_lines("logfmt.log"));
  REQUIRE(parsed.failures.empty());
  REQUIRE(parsed.kept.size() == 3);
  const auto& heroku = parsed.kept[0];
  CHECK(string(heroku, "at") == "info");
  CHECK(string(heroku, "path") == "/");
  CHECK(string(heroku, "fwd") == "124.133.52.161");
  CHECK(string(heroku, "connect") == "4ms");
  CHECK(string(heroku, "status") == "200");  // text: the expressions compare it as a number
  CHECK(string(heroku, "bytes") == "1653");
  REQUIRE(heroku.fields.get() != nullptr);
  CHECK(heroku.fields.get()->size() == 10);
  const auto& warn = parsed.kept[1];
  CHECK(string(warn, "msg") == R"(disk "/data" is 91% full)");
  CHECK(string(warn, "retry") == "true");  // a bare key
  const auto& third = parsed.kept[2];
  CHECK(string(third, "empty") == "");
  CHECK(string(third, "msg") == "line one\nline two");
  CHECK(string(third, "ts") == "2026-12-07T10:00:00Z");
}

TEST_CASE("broken logfmt lines fail with what was expected and where", "[fields][parse]") {
  std::vector<std::string> lines{R"(level=info msg="unclosed)", R"(a="x"b=1)", "=value", R"(ke"y=1)"};
  auto parsed = parse_format("logfmt", lines);
  REQUIRE(parsed.failures.size() == 4);
  CHECK(
      parsed.failures[0].second ==
      fmt::format("logfmt: expected '\"' closing the value that opens at byte {}", byte_of(lines[0], "\"")));
  CHECK(parsed.failures[1].second == "logfmt: expected a space after the quoted value at byte 6");
  CHECK(parsed.failures[2].second == "logfmt: expected a key at byte 1");
  CHECK(parsed.failures[3].second ==
        "logfmt: expected '=' or a space after the key (no '\"' in a key) at byte 3");
}

TEST_CASE("csv names its columns from columns= and unquotes RFC 4180 fields", "[fields][parse]") {
  auto lines = sample_lines("cars.csv");
  REQUIRE(lines.size() == 4);
  auto parsed = parse_with(
      "parse",
      {{"format", std::string("csv")}, {"columns", std::string("year,make,model,description,price")}}, lines);
  REQUIRE(parsed.kept.size() == 2);
  CHECK(string(parsed.kept[0], "year") == "1997");
  CHECK(string(parsed.kept[0], "description") == "ac, abs, moon");
  CHECK(string(parsed.kept[0], "price") == "3000.00");
  CHECK(string(parsed.kept[1], "model") == R"(Venture "Extended Edition")");
  CHECK(string(parsed.kept[1], "description") == "");
  // One line is one record: the example's quoted line break splits a record in two broken lines.
  REQUIRE(parsed.failures.size() == 2);
  CHECK(parsed.failures[0].second == fmt::format("csv: expected '\"' closing the field that opens at byte {}",
                                                 byte_of(lines[2], "\"MUST")));
  CHECK(parsed.failures[1].second == "csv: expected 5 columns (year,make,model,description,price), got 4");
}

TEST_CASE("csv without columns= names fields c1, c2, ... as awk's $1, $2", "[fields][parse]") {
  auto parsed = parse_format("csv", {"1997,Ford,E350,\"ac, abs, moon\",3000.00", "x,y\r", "", "\"a\"b,c"});
  REQUIRE(parsed.kept.size() == 3);
  CHECK(string(parsed.kept[0], "c1") == "1997");
  CHECK(string(parsed.kept[0], "c4") == "ac, abs, moon");
  CHECK(string(parsed.kept[0], "c5") == "3000.00");
  CHECK_FALSE(parsed.kept[0].fields.find("c6"));
  CHECK(string(parsed.kept[1], "c2") == "y");  // a CRLF line's \r is not data
  CHECK(string(parsed.kept[2], "c1") == "");   // an empty line is one empty field
  REQUIRE(parsed.failures.size() == 1);
  CHECK(parsed.failures[0].second ==
        "csv: expected ',' or the end of the line after the quoted field at byte 4");
}

TEST_CASE("csv takes another separator and counts a line with too many columns", "[fields][parse]") {
  auto parsed = parse_with(
      "parse",
      {{"format", std::string("csv")}, {"separator", std::string(";")}, {"columns", std::string("a,b,c")}},
      {"1;\"x;y\";3", "1;2;3;4"});
  REQUIRE(parsed.kept.size() == 1);
  CHECK(string(parsed.kept[0], "b") == "x;y");
  REQUIRE(parsed.failures.size() == 1);
  CHECK(parsed.failures[0].second == "csv: expected 3 columns (a,b,c), got 4");
}
