// Reports finer than anything happens (issue 30, item 19): `--clock virtual
// --report 1ns` once reported every simulated nanosecond — gigabytes — and a
// SIGTERM could not end the run, whose drain needs simulated time and so more
// reports. A report that would show nothing new is skipped now, and a signal
// ends the run at once, in wall time.
#include <csignal>

#include <fmt/format.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "child.hpp"
#include "process.hpp"
#include "sanitized.hpp"

namespace {

using namespace std::chrono_literals;
using flow::test::Child;

// Endless: a message every simulated millisecond through a 1 ms delay.
std::string ticking(const std::string& directory) {
  auto path = directory + "/ticking.flow";
  flow::test::write_file(path, R"(pipeline ticking
source s = generate(size=16B, rate=1000/s)
stage  w = delay(1ms)
sink   k = discard()
edge [capacity=4]
s -> w -> k
)");
  return path;
}

// The simulated seconds of the last report line (`[23.89s] ...`) in `out`.
double last_report_s(const std::string& out) {
  auto at = out.rfind("\n[");
  if (at == std::string::npos) return 0;
  return std::stod(out.substr(at + 2));
}

}  // namespace

TEST_CASE("a virtual run with reports every 1ns reports once per event, and a SIGTERM ends it at once",
          "[faults]") {
  // The reports and the summary are on standard error: read there, as they come.
  Child child(FLOW_BINARY,
              {"run", ticking(flow::test::temp_directory()), "--clock", "virtual", "--report", "1ns"},
              /*merge_stderr=*/true);
  // Some simulated time first: a few hundred reports.
  for (int i = 0; i < 300; ++i) REQUIRE(child.read_line(20s));
  auto sent = std::chrono::steady_clock::now();
  child.send(SIGTERM);
  int status = child.finish(20s);
  auto took = std::chrono::steady_clock::now() - sent;
  INFO(child.out());
  CHECK(status == 143);
  CHECK(child.killed_by() == 0);
  // The drain takes a few simulated milliseconds, nothing in wall time.
  CHECK(took < (flow::test::sanitized ? 5s : 1s));
  CHECK(child.out().find("source s: produced") != std::string::npos);
  // Two timers a simulated millisecond (the source's next message, the
  // delay's end), each at most one report: not one every nanosecond.
  auto reports = std::count(child.out().begin(), child.out().end(), '[');
  double simulated_s = last_report_s(child.out());
  INFO(reports << " reports in " << simulated_s << " simulated seconds");
  REQUIRE(simulated_s > 0);
  CHECK(static_cast<double>(reports) <= 2000 * simulated_s + 2);
}
