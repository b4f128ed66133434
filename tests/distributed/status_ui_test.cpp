// `flow status FILE --nats URL --ui 0`: the live page of `flow run --ui` for a
// whole distributed pipeline, its cut edges filled from the server, loaded in
// Debian's headless chromium.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <csignal>
#include <regex>
#include <thread>

#include "../cli/chromium.hpp"
#include "support.hpp"

using namespace flow::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* page_state = R"(({
  bottleneck: Array.from(document.querySelectorAll('#graph g.node.bottleneck')).map((g) => g.dataset.name),
  labels: Object.fromEntries(Array.from(document.querySelectorAll('#graph g.edge'))
                               .map((g) => [g.dataset.name, g.querySelector('text').textContent])),
}))";

}  // namespace

TEST_CASE("flow status --ui shows the fill of each cut edge and marks the node behind the fullest", "[nats]") {
  NatsServer server;
  auto directory = temp_directory();
  auto file = directory + "/three.flow";
  // A producer alone fills the first stream to its capacity of 5; the second stays empty.
  write_file(file, "pipeline three\n"
                   "source ingest = generate(count=50, size=8B) [part=front]\n"
                   "stage  work   = upper() [part=middle]\n"
                   "sink   store  = discard() [part=back]\n"
                   "ingest -> work [capacity=5, overflow=drop_newest]\n"
                   "work -> store [capacity=3]\n");
  REQUIRE(run_command(fmt::format("{} run {} --part front --quiet --nats {}", FLOW_BINARY, file, server.url()))
              .exit_code == 0);
  // work -> store gets its stream when a part that uses it starts; before that it reads 0 held.
  Child status(FLOW_BINARY, {"status", file, "--nats", server.url(), "--ui", "0", "--report", "200ms"}, true);
  std::string url;
  static const std::regex served(R"(flow: ui at (http://127\.0\.0\.1:\d+/))");
  while (auto line = status.read_line(10s)) {
    std::smatch match;
    if (std::regex_match(*line, match, served)) {
      url = match[1];
      break;
    }
  }
  REQUIRE_FALSE(url.empty());
  HeadlessChromium browser;
  REQUIRE(browser.open(url, 1000, 700));
  nlohmann::json state;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  auto shown = [&] {
    return state.is_object() && state["bottleneck"] == nlohmann::json::array({"work"}) &&
           state["labels"].value("ingest->work", "") == "5/5";
  };
  while (!shown()) {
    INFO("the page showed: " << state.dump());
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(50ms);  // the poll's pace, not a wait for anything
    state = browser.evaluate(page_state).value_or(nlohmann::json());
  }
  CHECK(state["labels"].value("work->store", "") == "0/3");
  status.send(SIGINT);
  CHECK(status.finish(30s) == 130);
  CHECK(status.out().find("backpressure builds at ingest -> work (5/5, full)") != std::string::npos);
}
