// The live page shows the whole run: the server's history of every edge
// (bounded by decimation), sent first to a page that connects late or after
// the run, and the final state drawn as `flow dot --metrics` draws it.
#include <catch2/catch.hpp>
#include <csignal>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "child.hpp"
#include "chromium.hpp"
#include "cli/live_history.hpp"
#include "cli/live_view.hpp"
#include "helpers.hpp"
#include "http_get.hpp"

using flow::cli::LiveHistory;
using flow::test::Child;
using flow::test::http_get;
using flow::test::run_flow;
using flow::test::shell_quote;
using Json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A snapshot of a pipeline with edges a->b and b->c holding `held` and `held / 2`.
flow::RunMetrics sample(double elapsed_s, std::uint64_t held,
                        flow::RunStatus status = flow::RunStatus::Running) {
  flow::RunMetrics metrics;
  metrics.pipeline = "p";
  metrics.status = status;
  metrics.elapsed_s = elapsed_s;
  for (auto [from, to, h] : {std::tuple{"a", "b", held}, std::tuple{"b", "c", held / 2}}) {
    flow::EdgeMetrics edge;
    edge.from = from;
    edge.to = to;
    edge.capacity = 100;
    edge.held = h;
    metrics.edges.push_back(edge);
  }
  return metrics;
}

// Each `event: NAME` of a server-sent event stream with its data, in order.
std::vector<std::pair<std::string, Json>> events_of(const std::string& stream) {
  std::vector<std::pair<std::string, Json>> events;
  std::regex event(R"(event: (\w+)\n((?:data: .*\n)+)\n)");
  std::regex data_line(R"(data: (.*)\n)");
  for (std::sregex_iterator at(stream.begin(), stream.end(), event), end; at != end; ++at) {
    std::string lines = (*at)[2].str(), json;
    for (std::sregex_iterator line(lines.begin(), lines.end(), data_line), none; line != none; ++line) {
      json += (*line)[1].str() + "\n";
    }
    events.emplace_back((*at)[1].str(), Json::parse(json));
  }
  return events;
}

}  // namespace

TEST_CASE("the history keeps every snapshot until it holds max_points, then halves, keeping the peaks",
          "[cli][ui]") {
  LiveHistory history;
  const std::size_t most = LiveHistory::max_points;
  for (std::size_t i = 1; i <= most; ++i) history.add(sample(0.1 * static_cast<double>(i), i % 7));
  CHECK(history.points() == most);
  CHECK(history.samples_per_point() == 1);
  CHECK(history.series()[0].high[6] == 0);  // snapshot 7: 7 % 7

  // One more: pairs merge, each point now covering two snapshots.
  history.add(sample(0.1 * static_cast<double>(most + 1), 3));
  CHECK(history.points() == most / 2 + 1);
  CHECK(history.samples_per_point() == 2);
  CHECK(history.first_times().front() == 0.1);  // still from the first snapshot
  CHECK(history.last_times()[0] == 0.2);
  CHECK(history.series()[0].low[3] == 0);  // snapshots 7 and 8 held 0 and 1
  CHECK(history.series()[0].high[3] == 1);
  CHECK(history.series()[1].high[2] == 3);  // b->c held 6 / 2 at snapshot 6
}

TEST_CASE(
    "a run of any length keeps at most max_points points, from its first snapshot to its last, its peak kept",
    "[cli][ui]") {
  LiveHistory history;
  const std::uint64_t snapshots = 100'000;  // nearly three hours at 100ms
  for (std::uint64_t i = 1; i <= snapshots; ++i) {
    history.add(sample(0.1 * static_cast<double>(i), i == 54'321 ? 99 : 10));
  }
  CHECK(history.samples() == snapshots);
  CHECK(history.points() <= LiveHistory::max_points);
  CHECK(history.points() > LiveHistory::max_points / 2);
  // The rule: a point covers 2^k snapshots, the least that fits them all.
  CHECK(history.samples_per_point() == 128);  // 100000 / 64 > 1024 >= 100000 / 128
  CHECK(history.first_times().front() == 0.1);
  CHECK(history.last_times().back() == 0.1 * static_cast<double>(snapshots));
  const auto& high = history.series()[0].high;
  CHECK(std::count(high.begin(), high.end(), 99) == 1);  // one snapshot of 100,000, not averaged away
  CHECK(*std::min_element(history.series()[0].low.begin(), history.series()[0].low.end()) == 10);
}

TEST_CASE("a page that connects after the run is sent the whole run, then its final state", "[cli][ui]") {
  flow::cli::LiveView view("<svg></svg>", "");
  std::string error;
  auto bound = view.start({"127.0.0.1", 0}, error);
  REQUIRE(bound);
  // Five seconds of snapshots at 1ms: more than max_points, with no page there to see them.
  for (int i = 1; i <= 5000; ++i) view.observe(sample(0.001 * i, i == 1 ? 100 : 20));
  CHECK(view.events_made() == 0);
  view.finish(sample(5.25, 0, flow::RunStatus::Ok));

  auto reply = http_get(bound->port, "/events", 10s);  // the stream ends after the final event
  REQUIRE(reply);
  auto events = events_of(reply->body);
  REQUIRE(events.size() == 2);
  CHECK(events[0].first == "history");
  CHECK(events[1].first == "final");
  const auto& history = events[0].second;
  CHECK(history["samples"] == 5001);
  CHECK(history["t0"].size() <= LiveHistory::max_points);
  CHECK(history["t0"][0] == 0.001);     // from the first snapshot
  CHECK(history["t1"].back() == 5.25);  // to the final state
  CHECK(history["edges"][0]["name"] == "a->b");
  CHECK(history["edges"][0]["high"][0] == 100);  // the first snapshot's 100, kept through the halvings
  CHECK(history["edges"][0]["low"].back() == 0);
  CHECK(events[1].second["status"] == "ok");
}

TEST_CASE("a page that connects during the run gets the run so far, the latest snapshot, then each new one",
          "[cli][ui]") {
  flow::cli::LiveView view("<svg></svg>", "");
  std::string error;
  auto bound = view.start({"127.0.0.1", 0}, error);
  REQUIRE(bound);
  for (int i = 1; i <= 5; ++i) view.observe(sample(i, 10 * i));
  auto stream = std::async(std::launch::async, [&] { return http_get(bound->port, "/events", 20s); });
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (view.pages() == 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(5ms);  // the poll's pace, not a wait for anything
  }
  view.observe(sample(6, 60));
  view.finish(sample(7, 0, flow::RunStatus::Ok));
  auto reply = stream.get();
  REQUIRE(reply);
  auto events = events_of(reply->body);
  REQUIRE(events.size() >= 3);
  CHECK(events[0].first == "history");
  CHECK(events[0].second["t0"] == Json::array({1.0, 2.0, 3.0, 4.0, 5.0}));
  CHECK(events[0].second["edges"][0]["high"] == Json::array({10, 20, 30, 40, 50}));
  CHECK(events[1].first == "snapshot");
  CHECK(events[1].second["elapsed_s"] == 5.0);  // the latest, at once: no wait for the next
  // Then the newest snapshot when the page is sent one (6, unless the final came first), and the final.
  CHECK(events.back().first == "final");
  CHECK(events.back().second["elapsed_s"] == 7.0);
}

namespace {

const std::string drop_metrics = std::string(FLOW_SOURCE_DIR) + "/examples/drop_metrics.flow";

// What the page shows of edge metrics->collector, read from its DOM.
constexpr const char* collector_state = R"((() => {
  const chart = document.querySelector('figure.chart[data-edge="metrics->collector"]');
  const edge = document.querySelector('#graph g.edge[data-name="metrics->collector"]');
  return {
    status: document.getElementById('status').textContent,
    first: chart ? Number(chart.dataset.first) : null,
    last: chart ? Number(chart.dataset.last) : null,
    points: chart ? Number(chart.dataset.points) : null,
    caption: chart ? chart.querySelector('figcaption').textContent : null,
    label: edge ? edge.querySelector('text').textContent : null,
    colour: edge ? getComputedStyle(edge.querySelector('path')).stroke : null,
  };
})())";

// How many samples a --trace CSV holds: its distinct times.
int distinct_times(const std::string& csv) {
  std::set<std::string> times;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) times.insert(line.substr(0, line.find(',')));
  return static_cast<int>(times.size());
}

// `#rrggbb` as the browser's computed style writes it: `rgb(r, g, b)`.
std::string rgb_of(const std::string& hex) {
  auto channel = [&](int at) { return std::stoi(hex.substr(static_cast<std::size_t>(at), 2), nullptr, 16); };
  return fmt::format("rgb({}, {}, {})", channel(1), channel(3), channel(5));
}

}  // namespace

TEST_CASE(
    "a page opened after a run under --ui-hold charts it from the start and labels edges as flow dot does",
    "[cli][ui]") {
  auto dir = flow::test::temp_directory();
  auto json = dir + "/run.json";
  // On the virtual clock a snapshot comes every 100ms of simulated time.
  auto trace = dir + "/trace.csv";
  Child child(FLOW_BINARY,
              {"run", drop_metrics, "--clock", "virtual", "--ui", "0", "--ui-hold", "--quiet",
               "--metrics-json", json, "--trace", trace},
              /*merge_stderr=*/true);
  static const std::regex url(R"(flow: ui at (http://127\.0\.0\.1:\d+/))");
  auto line = child.read_line(10s);
  REQUIRE(line);
  std::smatch match;
  REQUIRE(std::regex_match(*line, match, url));
  std::string address = match[1];
  for (;;) {  // the run is over before the page is opened
    auto next = child.read_line(60s);
    REQUIRE(next);
    if (next->find("the run is over") != std::string::npos) break;
  }
  auto run = Json::parse(flow::test::read_file(json));
  const auto& edge = run["edges"][0];
  double elapsed = run["elapsed_s"];
  // drop_metrics.flow: 1000/s into a collector that takes 100 per 450ms: the
  // edge of 100 fills, drops, and spends most of the run full.
  REQUIRE(edge["high_water"] == 100);
  REQUIRE(edge["dropped"] > 0);

  // flow dot's label and colour for the same run.
  auto dot = run_flow(fmt::format("dot {} --metrics {}", shell_quote(drop_metrics), shell_quote(json)));
  REQUIRE(dot.exit_code == 0);
  std::smatch dot_edge;
  REQUIRE(std::regex_search(
      dot.out, dot_edge,
      std::regex(R"re("metrics" -> "collector" \[.*color="(#[0-9a-f]{6})".*label="[^"]*\\n([^"]*)"\])re")));
  std::string dot_colour = dot_edge[1], dot_label = dot_edge[2];
  CHECK_THAT(dot_label, Catch::StartsWith("peak 100/100, full "));
  CHECK_THAT(dot_label, Catch::EndsWith(fmt::format(", dropped {}", edge["dropped"].get<std::uint64_t>())));

  flow::test::HeadlessChromium browser;
  bool opened = browser.open(address, 1280, 860);
  INFO("chromium said: " << browser.last_reply());
  REQUIRE(opened);
  Json state;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!state.is_object() || state["status"] != "finished: ok" || !state["points"].is_number()) {
    INFO("the page showed: " << state.dump());
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(50ms);  // the poll's pace, not a wait for anything
    state = browser.evaluate(collector_state).value_or(Json());
  }
  INFO(state.dump());
  CHECK(state["first"] == Approx(0.1));  // the run's first snapshot, though the page came after its end
  CHECK(state["last"] == Approx(elapsed));
  // Every snapshot and the final state: the samples of the trace, taken at
  // the same 100ms of simulated time, with its last at the end.
  CHECK(state["points"] == distinct_times(flow::test::read_file(trace)));
  CHECK(state["label"] == dot_label);
  CHECK(state["colour"] == rgb_of(dot_colour));
  CHECK_THAT(state["caption"].get<std::string>(), Catch::Contains(dot_label));

  auto png = browser.screenshot();
  REQUIRE(png);
  flow::test::write_file(FLOW_UI_FINAL_SCREENSHOT, *png);  // docs/ui_final.png is a copy of one

  // The page's own copy follows the server's rule (a page left open for
  // hours): 3000 snapshots into a chart of the page hold what LiveHistory holds.
  auto page_rule = browser.evaluate(R"((() => {
    const chart = { points: [], perPoint: 1, inLast: 0 };
    for (let i = 1; i <= 3000; ++i) addSample(chart, i / 10, i === 1500 ? 99 : 10);
    return { points: chart.points.length, perPoint: chart.perPoint, first: chart.points[0].t0,
             last: chart.points[chart.points.length - 1].t1, peaks: chart.points.filter((p) => p.high === 99).length };
  })())");
  REQUIRE(page_rule);
  LiveHistory server_rule;
  for (int i = 1; i <= 3000; ++i) server_rule.add(sample(i / 10.0, i == 1500 ? 99 : 10));
  CHECK((*page_rule)["points"] == server_rule.points());
  CHECK((*page_rule)["perPoint"] == server_rule.samples_per_point());
  CHECK((*page_rule)["first"] == 0.1);
  CHECK((*page_rule)["last"] == 300.0);
  CHECK((*page_rule)["peaks"] == 1);

  child.send(SIGINT);
  CHECK(child.finish(30s) == 0);
}
