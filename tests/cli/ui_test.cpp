// `flow run --ui`: the live page loaded in Debian's headless chromium during a
// run of the end-to-end example, asked what it shows; the event stream, the
// hold after the run, and the option's faults.
#include <catch2/catch.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "child.hpp"
#include "chromium.hpp"
#include "helpers.hpp"
#include "http_get.hpp"

using flow::test::Child;
using flow::test::data;
using flow::test::http_get;
using flow::test::run_flow;
using namespace std::chrono_literals;

namespace {

const std::string end_to_end = std::string(FLOW_SOURCE_DIR) + "/examples/end_to_end.flow";

// The URL from `flow: ui at http://127.0.0.1:PORT/`, which flow prints before the run.
std::string served_url(Child& child, int& port) {
  static const std::regex url(R"(flow: ui at (http://127\.0\.0\.1:(\d+)/))");
  auto line = child.read_line(10s);
  REQUIRE(line);
  std::smatch match;
  REQUIRE(std::regex_match(*line, match, url));
  port = std::stoi(match[2]);
  return match[1];
}

// What the page shows, read from its DOM: the nodes carrying the class
// `bottleneck`, each edge's label in the graph and its chart's caption.
constexpr const char* page_state = R"(({
  bottleneck: Array.from(document.querySelectorAll('#graph g.node.bottleneck')).map((g) => g.dataset.name),
  labels: Object.fromEntries(Array.from(document.querySelectorAll('#graph g.edge'))
                               .map((g) => [g.dataset.name, g.querySelector('text').textContent])),
  charts: Object.fromEntries(Array.from(document.querySelectorAll('figure.chart'))
                               .map((f) => [f.dataset.edge, f.querySelector('figcaption').textContent])),
  status: document.getElementById('status').textContent,
  points: Math.min(...Array.from(document.querySelectorAll('figure.chart polyline'))
                        .map((line) => line.getAttribute('points').split(' ').length)),
}))";

// In the example every edge holds 5 and `process` (50ms a message) is the
// slowest: in its steady state both edges in front of it are full. Twenty
// points a chart (two seconds at 100ms) give the screenshot a history.
bool backpressure_shown(const nlohmann::json& state) {
  if (!state.is_object()) return false;  // not evaluated yet, or the page was not ready
  // points is null until the first snapshot has drawn the charts.
  return state["points"].is_number() && state["points"] >= 20 && state["bottleneck"] == nlohmann::json::array({"process"}) &&
         state["labels"].value("ingest->validate", "") == "5/5" &&
         state["labels"].value("validate->process", "") == "5/5";
}

}  // namespace

TEST_CASE(
    "the live page in headless chromium marks process as the bottleneck and the edges in front of it 5/5",
    "[cli][ui]") {
  // Ten thousand messages at 50ms: far longer than the test, stopped by SIGINT.
  Child child(FLOW_BINARY, {"run", end_to_end, "--ui", "0", "--set", "ingest.count=10000", "--quiet"},
              /*merge_stderr=*/true);
  int port = 0;
  auto url = served_url(child, port);
  flow::test::HeadlessChromium browser;
  bool opened = browser.open(url, 1280, 860);
  INFO("chromium (Debian's chromium package, scripts/setup.sh) said: " << browser.last_reply());
  REQUIRE(opened);

  nlohmann::json state;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!backpressure_shown(state)) {
    INFO("the page showed: " << state.dump());
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(50ms);  // the poll's pace, not a wait for anything
    state = browser.evaluate(page_state).value_or(nlohmann::json());
  }
  INFO(state.dump());
  CHECK(state["status"] == "running");
  CHECK_THAT(state["charts"].value("validate->process", ""), Catch::StartsWith("validate → process: 5/5"));
  CHECK(state["labels"].value("process->store", "").find("/5") != std::string::npos);

  auto png = browser.screenshot();
  REQUIRE(png);
  CHECK(png->substr(0, 8) == "\x89PNG\r\n\x1a\n");
  // Kept in the build directory: docs/ui.png is a copy of one.
  flow::test::write_file(FLOW_UI_SCREENSHOT, *png);

  child.send(SIGINT);
  CHECK(child.finish(30s) == 130);
}
