// What `flow check` knows of the fields at each operator (runtime/check/
// fields_check.cpp, docs/expressions.md): count and aggregate replace them,
// a parser of unknown names makes every type unknown, set() declares its
// expressions' types, and a name read outside an expression (count's by=,
// aggregate's fields, format's template, drop, partition=by) that cannot be
// there gets the same error as one inside an expression, under the name.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "process.hpp"

using namespace flow::test;

namespace {

ProcessResult check_text(const std::string& text) {
  auto dir = temp_directory();
  write_file(dir + "/p.flow", text);
  return run_command(fmt::format("{} check p.flow", FLOW_BINARY), dir);
}

// The error as flow renders it, under the `skip`+1-th `culprit` of line `line`.
std::string error_at(const std::string& text, int line, const std::string& culprit,
                     const std::string& message, int skip = 0) {
  std::size_t start = 0;
  for (int i = 1; i < line; ++i) start = text.find('\n', start) + 1;
  auto shown = text.substr(start, text.find('\n', start) - start);
  auto column = shown.find(culprit);
  for (int i = 0; i < skip; ++i) column = shown.find(culprit, column + 1);
  REQUIRE(column != std::string::npos);
  return fmt::format("p.flow:{}:{}: error: {}\n    {}\n    {}{}\n", line, column + 1, message, shown,
                     std::string(column, ' '), std::string(culprit.size(), '^'));
}

const std::string count_fields = "count, status, window_end, window_start";

}  // namespace

TEST_CASE("after count only its own fields are known, even after parse_json", "[fields][check]") {
  for (const std::string parser : {"parse(nginx_combined)", "parse_json()"}) {
    INFO(parser);
    const std::string text = "source s = read(\"access.log\") | " + parser +
                             "\n"
                             "stage  c = count(by=status, every=1s) | where(path == \"/\")\n"
                             "sink   k = discard()\ns -> c -> k\n";
    auto result = check_text(text);
    CHECK(result.exit_code == 2);
    CHECK(result.err == error_at(text, 2, "path", "unknown field 'path'; known fields: " + count_fields));
  }
  auto fine = check_text(
      "source s = read(\"access.log\") | parse_json() | count(by=status) | where(count > 10 && status == "
      "200)\n"
      "sink   k = discard()\ns -> k\n");
  INFO(fine.err);
  CHECK(fine.exit_code == 0);
}

TEST_CASE("a field named outside an expression is checked as one inside", "[fields][check]") {
  const std::string text =
      "source s = read(\"access.log\") | parse(nginx_combined)\n"
      "stage  a = count(by=stauts, every=1s)\n"
      "stage  b = aggregate(by=\"method, pth\", sum=body_bytes_sent, p99=ms)\n"
      "stage  f = format(\"{remote_addr} {stauts} {{literal}} {message}\") | drop(path, http_referr)\n"
      "stage  w = delay(1ms) [workers=4, partition=by(path, usr)]\n"
      "sink   k = discard()\ns -> {a, b, f, w} -> k\n";
  auto result = check_text(text);
  CHECK(result.exit_code == 2);
  const std::string nginx =
      "known fields: body_bytes_sent, http_referer, http_user_agent, method, path, protocol, remote_addr, "
      "remote_user, request, status, time_local";
  auto unknown = [&nginx](const std::string& name, const std::string& meant) {
    return fmt::format("unknown field '{}'; {}{}", name, nginx,
                       meant.empty() ? "" : fmt::format(" (did you mean '{}'?)", meant));
  };
  CHECK(result.err == error_at(text, 2, "stauts", unknown("stauts", "status")) +
                          error_at(text, 3, "pth", unknown("pth", "path")) +
                          error_at(text, 3, "ms", unknown("ms", "")) +
                          error_at(text, 4, "stauts", unknown("stauts", "status")) +
                          error_at(text, 4, "http_referr", unknown("http_referr", "http_referer")) +
                          error_at(text, 5, "usr", unknown("usr", "")));
}

TEST_CASE("field names are not checked where the fields are not all known", "[fields][check]") {
  auto result = check_text(
      "source s = read(\"access.log\") | parse_json() | drop(anything) | format(\"{stauts} {count}\")\n"
      "stage  w = count(by=stauts) [workers=2, partition=by(whatever)]\n"
      "sink   k = discard()\ns -> w -> k\n");
  INFO(result.err);
  CHECK(result.err.find("error") == std::string::npos);
}

TEST_CASE("after a parser of unknown names a field's type is unknown too", "[fields][check]") {
  auto result = check_text(
      "source s = read(\"access.log\") | parse(nginx_combined) | parse_json() | where(status == \"n/a\")\n"
      "sink   k = discard()\ns -> k\n");
  INFO(result.err);
  CHECK(result.exit_code == 0);
}

TEST_CASE("set declares its expression's type where it runs, so a later misuse is caught",
          "[fields][check]") {
  const std::string text =
      "source s = read(\"access.log\") | parse(nginx_combined) | set(code = status, kind = lower(method))\n"
      "stage  w = where(lower(code) == \"x\" && upper(kind) == \"GET\" && len(kind) > 2)\n"
      "sink   k = discard()\ns -> w -> k\n";
  auto result = check_text(text);
  CHECK(result.err == error_at(text, 2, "code", "lower() takes text, got an integer"));
}

TEST_CASE("a plain decimal given to set is read as written", "[fields][check]") {
  auto dir = temp_directory();
  write_file(dir + "/p.flow",
             "source s = generate(count=1) | set(a = 0.00001, b = 10000000000000000.0, c = 10_000)\n"
             "sink   k = format(json) | stdout()\ns -> k\n");
  auto checked = run_command(fmt::format("{} check p.flow", FLOW_BINARY), dir);
  INFO(checked.err);
  CHECK(checked.exit_code == 0);
  auto run = run_command(fmt::format("{} run p.flow --quiet", FLOW_BINARY), dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto row = nlohmann::json::parse(run.out);
  CHECK(row.at("a").get<double>() == 0.00001);
  CHECK(row.at("b").get<double>() == 1e16);
  CHECK(row.at("c").get<std::int64_t>() == 10000);
}
