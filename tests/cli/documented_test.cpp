// Behaviours docs/commands.md, docs/operators.md and docs/language.md promise
// that no other test ran through the binary: throttle's rate, read("-"), a
// message over max_bytes, `check` with warnings only, and the command line
// overriding the pipeline's attributes (--threads, --set pipeline.*, --report).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "child.hpp"
#include "helpers.hpp"
#include "json_run.hpp"

using flow::test::data;
using flow::test::run_flow;
using flow::test::shell_quote;
using Json = nlohmann::json;
using flow::test::named;
using flow::test::run_with_json;
using namespace std::chrono_literals;

namespace {

// Report lines as docs/commands.md gives them for a pipe: `[0.50s] a->b 1/2 | bottleneck x`.
std::size_t report_lines(const std::string& out) {
  std::size_t lines = 0;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line,
                          std::regex(R"(^\[\d+\.\d\ds\] s->work \d+/\d+ work->k \d+/\d+ \| bottleneck )"))) {
      ++lines;
    }
  }
  return lines;
}

}  // namespace

TEST_CASE("throttle passes at most its rate across all its workers", "[cli]") {
  // throttled.flow: 21 messages through throttle(40/s) with 4 workers. The
  // first may go at once, each later one a full 1/40 s after the one before.
  constexpr int messages = 21;
  constexpr double rate = 40.0;
  auto run = run_with_json("throttled", "--quiet");
  CHECK(run.process.exit_code == 0);
  CHECK(named(run.metrics.at("sinks"), "k").at("delivered") == messages);
  auto elapsed = run.metrics.at("elapsed_s").get<double>();
  CHECK(elapsed >= (messages - 1) / rate);
  CHECK(run.metrics.at("messages_per_s").get<double>() <= rate * messages / (messages - 1));
  // Not far slower either: timers run late under load, but not by seconds.
  CHECK(elapsed < 5 * (messages - 1) / rate);
}

TEST_CASE("read of - takes standard input line by line, a last line without a line end too", "[cli]") {
  // Three lines, the second ending in \r\n, the third in nothing.
  auto run = run_with_json("stdin_lines", "--quiet", "printf 'alpha\\nbeta\\r\\ngamma'");
  INFO(run.process.err);
  CHECK(run.process.exit_code == 0);
  CHECK(run.process.out == "ALPHA\nBETA\nGAMMA\n");
  CHECK(named(run.metrics.at("sources"), "lines").at("produced") == 3);
  CHECK(named(run.metrics.at("sinks"), "out").at("delivered") == 3);
}

TEST_CASE("read of - ends with an empty standard input and delivers nothing", "[cli]") {
  auto run = run_with_json("stdin_lines", "--quiet", "printf ''");
  CHECK(run.process.exit_code == 0);
  CHECK(run.metrics.at("status") == "ok");
  CHECK(run.process.out.empty());
  CHECK(named(run.metrics.at("sinks"), "out").at("delivered") == 0);
}

TEST_CASE("messages larger than max_bytes pass an empty edge one at a time", "[cli]") {
  // oversized.flow: 5 messages of 100 bytes into an edge of max_bytes 10B.
  // Run as a child with a deadline: a message stuck in front of the edge
  // would stall the run, and must fail this test rather than the suite.
  auto path = flow::test::temp_directory() + "/run.json";
  flow::test::Child child(FLOW_BINARY, {"run", "--quiet", data("oversized"), "--metrics-json", path});
  int status = child.finish(20s);
  INFO(child.err());
  REQUIRE(status == 0);
  auto metrics = Json::parse(flow::test::read_file(path));
  CHECK(named(metrics.at("sinks"), "k").at("delivered") == 5);
  const auto& edge = metrics.at("edges").at(0);
  CHECK(edge.at("in") == 5);
  CHECK(edge.at("dropped") == 0);
  // One at a time: the edge never held a second message beside an oversized one.
  CHECK(edge.at("high_water") == 1);
  CHECK(edge.at("high_water_bytes") == 100);
}

TEST_CASE("check exits 0 when a file has warnings but no errors, and prints the warnings", "[cli]") {
  auto result = run_flow("check " + shell_quote(data("unbounded_warning")));
  CHECK(result.exit_code == 0);
  CHECK(std::regex_search(
      result.err, std::regex(R"(unbounded_warning\.flow:\d+:\d+: warning: edge s -> k is unbounded)")));
  CHECK(result.err.find("error") == std::string::npos);
}

TEST_CASE("run --threads 1 gives the pool one thread, so spinning workers take turns", "[cli]") {
  // spin_workers.flow: 8 messages × spin(50ms), 4 workers. spin holds its
  // thread, so on one thread the 8 spins cannot overlap: at least 0.4 s. On
  // two or more cores without the option, they would overlap.
  auto run = run_with_json("spin_workers", "--quiet --threads 1");
  CHECK(run.process.exit_code == 0);
  CHECK(named(run.metrics.at("sinks"), "k").at("delivered") == 8);
  CHECK(run.metrics.at("elapsed_s").get<double>() >= 8 * 0.050);
}

TEST_CASE("run --set pipeline.max_in_flight bounds the messages alive", "[cli]") {
  // deep_edge.flow: a fast source in front of an edge of 50 and a slow sink.
  auto unlimited = run_with_json("deep_edge", "--quiet");
  CHECK(unlimited.process.exit_code == 0);
  // Without the limit the edge fills well past 3 (the contrast that makes the next check mean something).
  CHECK(unlimited.metrics.at("peak_messages").get<int>() > 3);
  auto limited = run_with_json("deep_edge", "--quiet --set pipeline.max_in_flight=3");
  CHECK(limited.process.exit_code == 0);
  CHECK(named(limited.metrics.at("sinks"), "k").at("delivered") == 100);
  CHECK(limited.metrics.at("peak_messages").get<int>() <= 3);
  CHECK(limited.metrics.at("edges").at(0).at("high_water").get<int>() <= 3);
}

TEST_CASE("the command line overrides the pipeline's report interval", "[cli]") {
  // reported.flow says report=1h; its run takes at least 30 × 10 ms = 0.3 s.
  auto [extra, reports] = GENERATE(table<std::string, bool>({
      {"", false},                                        // the file's hour never comes
      {"--report 50ms", true},                            // --report overrides the attribute
      {"--set pipeline.report=50ms", true},               // --set overrides it too
      {"--report 1h --set pipeline.report=50ms", false},  // and --report overrides --set's attribute
  }));
  CAPTURE(extra);
  auto run = run_with_json("reported", extra);
  INFO(run.process.out << run.process.err);
  CHECK(run.process.exit_code == 0);
  auto lines = report_lines(run.process.err);
  if (!reports) {
    CHECK(lines == 0);
  } else {
    // One line per 50 ms of a run of at least 0.3 s: several, and no more than the interval allows.
    CHECK(lines >= 2);
    CHECK(lines <= static_cast<std::size_t>(run.metrics.at("elapsed_s").get<double>() / 0.050) + 1);
  }
}

TEST_CASE("flow run --set 'FROM->TO.KEY=VALUE' sets that edge, as docs/commands.md says", "[cli]") {
  // overflow.flow's s -> k: capacity 3, overflow fail. Made large and dropping,
  // the run that failed completes, and the JSON shows the edge as set.
  auto run = run_with_json("overflow", "--quiet --set 's -> k.capacity=1000' --set 's->k.overflow=drop_newest' --set s.count=20");
  INFO(run.process.err);
  CHECK(run.process.exit_code == 0);
  const auto& edge = run.metrics.at("edges").at(0);
  CHECK(edge.at("capacity") == 1000);
  CHECK(edge.at("policy") == "drop_newest");
}
