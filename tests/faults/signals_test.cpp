// Stopping a run from outside: SIGINT (Ctrl-C), SIGTERM (systemd, Docker,
// Kubernetes) and SIGHUP drain what is in flight, print the summary, write the
// JSON and exit 128 + the signal; a second signal kills at once. Every wait is
// on what the child printed, never on a sleep.
#include <csignal>

#include <fmt/format.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "child.hpp"
#include "process.hpp"

namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
using flow::test::Child;

// An endless source into a file, through a stage slow enough that a signal
// finds messages on the edges and in the workers.
std::string endless_into_file(const std::string& directory, const std::string& out) {
  auto path = directory + "/endless.flow";
  flow::test::write_file(path, fmt::format(R"(pipeline endless
source ticks = generate(size=16B)
stage  work  = delay(2ms)
sink   out   = write(path="{}")
edge [capacity=4]
ticks -> work -> out
)",
                                           out));
  return path;
}

// A drain that takes minutes: an endless source in front of a sink that takes
// 10 s per message, behind a full edge.
std::string slow_drain(const std::string& directory) {
  auto path = directory + "/slow.flow";
  flow::test::write_file(path, R"(pipeline slow
source ticks = generate(size=16B)
sink   slow  = delay(10s) | discard()
edge [capacity=8]
ticks -> slow
)");
  return path;
}

// Reads lines until one contains `needle`; false at the end of output or after `timeout`.
bool wait_for(Child& child, const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto line = child.read_line(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (!line) return false;
    if (line->find(needle) != std::string::npos) return true;
  }
  return false;
}

const char* name_of(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "SIGHUP";
  }
}

}  // namespace

TEST_CASE("SIGINT, SIGTERM and SIGHUP drain, write whole lines and the JSON, and exit 128 + the signal",
          "[faults]") {
  auto signal = GENERATE(SIGINT, SIGTERM, SIGHUP);
  INFO(name_of(signal));
  auto directory = flow::test::temp_directory();
  auto out = directory + "/out.txt", json = directory + "/run.json";
  // The reports, the notice and the summary are all on standard error: read there, as they come.
  Child child(FLOW_BINARY,
              {"run", endless_into_file(directory, out), "--report", "50ms", "--metrics-json", json},
              /*merge_stderr=*/true);
  // A report with the first edge full: messages are in flight (a first report on a loaded machine may
  // come before the source made any, and an empty file would prove nothing about whole lines).
  REQUIRE(wait_for(child, "ticks->work 4/4", 20s));
  child.send(signal);
  int status = child.finish(20s);
  INFO(child.out());
  CHECK(child.killed_by() == 0);
  CHECK(status == 128 + signal);
  CHECK(child.out().find(fmt::format("flow: {}: stopping the sources and draining", name_of(signal))) !=
        std::string::npos);
  CHECK(child.out().find("interrupted") != std::string::npos);
  CHECK(child.out().find("source ticks: produced") != std::string::npos);

  auto metrics = Json::parse(flow::test::read_file(json));
  CHECK(metrics.at("status") == "interrupted");
  CHECK(metrics.at("signal") == name_of(signal));
  // The drain delivered everything the source made, and the file holds exactly that, in whole lines.
  auto written = flow::test::read_file(out);
  REQUIRE_FALSE(written.empty());
  CHECK(written.back() == '\n');
  auto lines = static_cast<std::uint64_t>(std::count(written.begin(), written.end(), '\n'));
  CHECK(lines == metrics.at("sinks").at(0).at("delivered").get<std::uint64_t>());
  CHECK(lines == metrics.at("sources").at(0).at("produced").get<std::uint64_t>());
}

TEST_CASE("a second signal during the drain kills the run at once, by that signal", "[faults]") {
  auto [first, second] =
      GENERATE(table<int, int>({{SIGTERM, SIGTERM}, {SIGINT, SIGINT}, {SIGTERM, SIGINT}, {SIGHUP, SIGTERM}}));
  INFO(name_of(first) << " then " << name_of(second));
  // stderr in the same pipe: the notice that the first signal was heard is what the test waits for,
  // so the second cannot arrive while the first is still pending (the two would merge into one).
  Child child(FLOW_BINARY, {"run", slow_drain(flow::test::temp_directory()), "--report", "50ms"}, true);
  REQUIRE(wait_for(child, "ticks->slow", 20s));
  child.send(first);
  REQUIRE(wait_for(child, fmt::format("flow: {}: stopping the sources", name_of(first)), 20s));
  auto sent = std::chrono::steady_clock::now();
  child.send(second);
  // The drain would take 90 s; finish() kills with SIGKILL after 5 s, which fails the check below.
  child.finish(5s);
  INFO(child.out());
  CHECK(child.killed_by() == second);
  CHECK(std::chrono::steady_clock::now() - sent < 5s);
  CHECK(child.out().find("source ticks: produced") == std::string::npos);  // no summary: it did not wait
}
