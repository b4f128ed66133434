// count() and aggregate() against a Python reference computed from the same
// input (tests/fields/count_reference.py), on the virtual clock.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "process.hpp"
#include "tests/fields/count_support.hpp"

namespace {

using flow::test::read_file;
using flow::test::run_command;
using flow::test::shell_quote;
using flow::test::write_file;

/// `lines` access-log-like records: times rising by 0-40 ms, a few statuses,
/// `paths` paths (some lines without one), bytes, and ms (some not numbers).
std::string make_input(std::size_t lines, int paths, unsigned seed) {
  std::mt19937 random(seed);
  const int statuses[] = {200, 200, 200, 301, 404, 500, 503};
  std::string text;
  std::int64_t t = 0;
  for (std::size_t i = 0; i < lines; ++i) {
    t += static_cast<std::int64_t>(random() % 41);
    text += fmt::format("t={} status={}", t, statuses[random() % 7]);
    if (random() % 10 != 0) text += fmt::format(" path=/p{}", random() % static_cast<unsigned>(paths));
    text += fmt::format(" bytes={}", random() % 100000);
    if (random() % 20 == 0) {
      text += " ms=n/a";
    } else {
      text += fmt::format(" ms={}.{:03}", random() % 3000, random() % 1000);
    }
    text += '\n';
  }
  return text;
}

struct Outcome {
  flow::RunMetrics metrics;
  std::string reference;  ///< what the reference printed: the overflow, or what differs
  int reference_status = -1;
  std::size_t rows = 0;  ///< lines flow wrote
};

/// Runs `call` between kv() and format(json) over `input` on the virtual clock,
/// then the reference over the same input and flow's output.
Outcome run_and_compare(const std::string& input, const std::string& call, int every_ms, int max_keys,
                        const std::string& by, const std::string& aggregations) {
  auto dir = flow::test::temp_directory();
  write_file(dir + "/in.log", input);
  auto text = fmt::format(
      "pipeline counting [clock=virtual]\n"
      "source logs = read(\"{0}/in.log\")\n"
      "stage fields = kv()\n"
      "stage agg = {1}\n"
      "sink out = format(json) | write(\"{0}/out.json\")\n"
      "logs -> fields -> agg -> out\n",
      dir, call);
  auto registry = flow::test::registry_with_kv();
  auto checked = flow::load_string("counting.flow", text, registry);
  REQUIRE(checked.pipeline);
  Outcome outcome;
  outcome.metrics = flow::run(*checked.pipeline, registry, {});
  INFO(outcome.metrics.error.value_or(""));
  REQUIRE(outcome.metrics.status == flow::RunStatus::Ok);
  auto command =
      fmt::format("python3 {} {} {} {} {} {} {}", shell_quote(FIELDS_TEST_DIR "/count_reference.py"),
                  shell_quote(dir + "/in.log"), shell_quote(dir + "/out.json"), every_ms, max_keys,
                  shell_quote(by), shell_quote(aggregations));
  auto written = read_file(dir + "/out.json");
  outcome.rows = static_cast<std::size_t>(std::count(written.begin(), written.end(), '\n'));
  auto result = run_command(command);
  outcome.reference = result.out + result.err;
  outcome.reference_status = result.exit_code;
  return outcome;
}

std::uint64_t node_count(const flow::RunMetrics& metrics, const std::string& node, const std::string& name) {
  for (const auto& entry : metrics.nodes) {
    if (entry.name != node) continue;
    for (const auto& [key, value] : entry.counts) {
      if (key == name) return value;
    }
  }
  return UINT64_MAX;
}

}  // namespace

TEST_CASE("count by status per second agrees with the reference, window by window") {
  auto input = make_input(3000, 20, 7);
  auto outcome = run_and_compare(input, "count(by=status, every=1s)", 1000, 10000, "status", "");
  INFO(outcome.reference);
  REQUIRE(outcome.reference_status == 0);
  CHECK(std::stoull(outcome.reference) == 0);
  CHECK(node_count(outcome.metrics, "agg", "overflowed") == 0);
}

TEST_CASE("aggregate by path with sum, min, max, avg and percentiles agrees with the reference") {
  auto input = make_input(4000, 6, 11);
  auto outcome = run_and_compare(input,
                                 "aggregate(by=path, every=2s, sum=bytes, min=ms, max=\"ms,bytes\", avg=ms, "
                                 "p50=ms, p90=ms, p99=\"ms,bytes\")",
                                 2000, 10000, "path",
                                 "sum=bytes,min=ms,max=ms,max=bytes,avg=ms,p50=ms,p90=ms,"
                                 "p99=ms,p99=bytes");
  INFO(outcome.reference);
  REQUIRE(outcome.reference_status == 0);
}

// Metrics logs write NaN and inf; awk and the expressions read "+5" as 5.
TEST_CASE("aggregate leaves out nan and inf and reads +5 as 5, as the reference does") {
  auto input = make_input(2000, 3, 19);
  const char* odd[] = {"nan", "inf", "+5", "-Infinity", "NaN", "+0.5"};
  std::size_t replaced = 0;
  for (auto at = input.find("ms=n/a"); at != std::string::npos; at = input.find("ms=n/a", at)) {
    input.replace(at + 3, 3, odd[replaced++ % std::size(odd)]);
  }
  REQUIRE(replaced >= std::size(odd));
  auto outcome =
      run_and_compare(input, "aggregate(by=path, every=1s, sum=ms, min=ms, max=ms, avg=ms, p50=ms)", 1000,
                      10000, "path", "sum=ms,min=ms,max=ms,avg=ms,p50=ms");
  INFO(outcome.reference);
  REQUIRE(outcome.reference_status == 0);
}

TEST_CASE("keys past max_keys are counted under _other and the overflow is counted exactly") {
  auto input = make_input(3000, 40, 13);
  auto outcome = run_and_compare(input, "aggregate(by=\"path,status\", every=1s, max_keys=5, sum=bytes)",
                                 1000, 5, "path,status", "sum=bytes");
  INFO(outcome.reference);
  REQUIRE(outcome.reference_status == 0);
  auto expected = std::stoull(outcome.reference);
  CHECK(expected > 100);  // the input does overflow: the test means something
  CHECK(node_count(outcome.metrics, "agg", "overflowed") == expected);
}

TEST_CASE("count without by gives one row per window, and the balance of the source holds") {
  auto input = make_input(2000, 5, 17);
  auto outcome = run_and_compare(input, "count(every=500ms)", 500, 10000, "", "");
  INFO(outcome.reference);
  REQUIRE(outcome.reference_status == 0);
  const auto& source = outcome.metrics.sources.at(0);
  // Each row goes on as one of the messages it counts; the others are filtered.
  CHECK(source.produced == 2000);
  CHECK(source.delivered + source.filtered == source.produced);
  CHECK(source.delivered == outcome.rows);
  CHECK(outcome.rows > 10);
}

namespace {

std::string check_errors(const std::string& stage) {
  auto text = fmt::format(
      "pipeline p\nsource s = generate(count=1) | set(status = 200, method = \"GET\", path = \"/\", bytes = "
      "10, "
      "ms = 1.5)\nstage c = {}\nsink o = discard()\ns -> c -> o\n",
      stage);
  auto checked = flow::load_string("c.flow", text, flow::builtin_operators());
  return checked.pipeline ? "" : flow::render_all(*checked.source, checked.diagnostics);
}

}  // namespace

TEST_CASE("count and aggregate check their arguments with a caret on the one at fault") {
  CHECK(check_errors("count(by=status, every=1s)").empty());
  CHECK(check_errors("count(\"status, method\")").empty());
  CHECK(check_errors("aggregate(by=path, sum=\"bytes,ms\", p99=ms)").empty());
  CHECK(check_errors("count(by=status, every=0s)").find("c.flow:3:34: error: every must be longer than 0s") !=
        std::string::npos);
  CHECK(check_errors("count(max_keys=0)").find("c.flow:3:26: error: max_keys must be at least 1, got 0") !=
        std::string::npos);
  CHECK(check_errors("count(by=count)").find("the output would have the field 'count' twice") !=
        std::string::npos);
  CHECK(check_errors("count(by=\"a,,b\")").find("by: an empty field name") != std::string::npos);
  CHECK(check_errors("aggregate(sum=bytes * 2)")
            .find("expected a name such as 'status' or a string, got an expression") != std::string::npos);
  CHECK(check_errors("count(sum=bytes)").find("operator 'count' has no argument 'sum'") != std::string::npos);
}

TEST_CASE("downstream of count the checker knows exactly its fields, with their types") {
  CHECK(
      check_errors("aggregate(by=path, p99=ms) | where(status == 200)")
          .find("c.flow:3:46: error: unknown field 'status'; known fields: count, p99_ms, path, window_end, "
                "window_start") != std::string::npos);
  CHECK(
      check_errors("aggregate(by=path, p99=ms) | where(count > 1 && p99_ms > 1.5 && path == \"/\")").empty());
  CHECK(check_errors("count(by=path) | where(lower(count) == \"1\")")
            .find("lower() takes text, got an integer") != std::string::npos);
  CHECK(check_errors("aggregate(p99=ms) | where(upper(p99_ms) == \"1\")")
            .find("upper() takes text, got a decimal") != std::string::npos);
}
