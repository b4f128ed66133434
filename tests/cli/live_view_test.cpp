// The live page's server (cli/live_view) on its own, and `flow run --ui` from
// the outside: the event stream, --ui-hold, the files, the option's faults.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "child.hpp"
#include "cli/live_view.hpp"
#include "cli/web_files.hpp"
#include "helpers.hpp"
#include "http_get.hpp"

using flow::test::Child;
using flow::test::data;
using flow::test::http_get;
using flow::test::run_flow;
using namespace std::chrono_literals;

namespace {

flow::RunMetrics snapshot_at(double elapsed_s, flow::RunStatus status) {
  flow::RunMetrics metrics;
  metrics.pipeline = "p";
  metrics.status = status;
  metrics.elapsed_s = elapsed_s;
  return metrics;
}

// The JSON of the last `event: NAME` in a server-sent event stream.
nlohmann::json last_event(const std::string& stream, const std::string& name) {
  auto at = stream.rfind("event: " + name + "\n");
  REQUIRE(at != std::string::npos);
  auto end = stream.find("\n\n", at);
  std::string json;
  std::regex data_line(R"(data: (.*))");
  std::string event = stream.substr(at, end - at);
  for (std::sregex_iterator line(event.begin(), event.end(), data_line), none; line != none; ++line) {
    json += (*line)[1].str() + "\n";
  }
  return nlohmann::json::parse(json);
}

int served_port(Child& child) {
  static const std::regex url(R"(flow: ui at http://127\.0\.0\.1:(\d+)/)");
  auto line = child.read_line(10s);
  REQUIRE(line);
  std::smatch match;
  REQUIRE(std::regex_match(*line, match, url));
  return std::stoi(match[1]);
}

}  // namespace

TEST_CASE("without a page connected the live view serialises no snapshot, with one it streams to the end",
          "[cli][ui]") {
  flow::cli::LiveView view("<svg></svg>", "");
  std::string error;
  auto bound = view.start({"127.0.0.1", 0}, error);
  REQUIRE(bound);
  for (int i = 1; i <= 3; ++i) view.observe(snapshot_at(i, flow::RunStatus::Running));
  CHECK(view.events_made() == 0);

  auto stream = std::async(std::launch::async, [&] { return http_get(bound->port, "/events", 20s); });
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (view.pages() == 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(5ms);  // the poll's pace, not a wait for anything
  }
  view.observe(snapshot_at(4, flow::RunStatus::Running));
  CHECK(view.events_made() == 1);
  view.finish(snapshot_at(5, flow::RunStatus::Ok));
  auto reply = stream.get();  // the stream ends after the final event
  REQUIRE(reply);
  CHECK_THAT(reply->headers, Catch::Contains("Content-Type: text/event-stream"));
  auto final_state = last_event(reply->body, "final");
  CHECK(final_state["status"] == "ok");
  CHECK(final_state["elapsed_s"] == 5.0);
}

TEST_CASE("pages that stop reading are dropped a second after their sockets fill and hold up no other page",
          "[cli][ui]") {
  flow::cli::LiveView view("<svg></svg>", "");
  std::string error;
  auto bound = view.start({"127.0.0.1", 0}, error);
  REQUIRE(bound);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(bound->port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Eight pages that ask for the events and never read: as many as the server
  // once had threads, each held by a stream. A small receive buffer (set
  // before connecting: it sizes the window) fills with the first event.
  std::vector<int> stalled;
  for (int i = 0; i < 8; ++i) {
    int page = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int small = 4096;
    setsockopt(page, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    REQUIRE(connect(page, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    std::string request = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    REQUIRE(send(page, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
    stalled.push_back(page);
  }
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (view.pages() < 8) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(5ms);  // the poll's pace, not a wait for anything
  }
  auto page = http_get(bound->port, "/", 3s);
  REQUIRE(page);
  CHECK(page->status == 200);
  auto reading = std::async(std::launch::async, [&] { return http_get(bound->port, "/events", 20s); });
  while (view.pages() < 9) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(5ms);  // the poll's pace, not a wait for anything
  }

  // A final event far larger than what a page's socket buffers hold (64 KiB
  // sent, a few KiB received): the stalled pages cannot take it.
  auto final_state = snapshot_at(5, flow::RunStatus::Ok);
  final_state.pipeline = std::string(512 * 1024, 'p');
  auto published = std::chrono::steady_clock::now();
  view.finish(final_state);
  auto reply = reading.get();
  REQUIRE(reply);
  CHECK(reply->body.find("event: final\n") != std::string::npos);
  CHECK(reply->body.find(final_state.pipeline) != std::string::npos);  // all of it, to the page that reads
  // Dropped a second after a page last took a byte. The system lets a full
  // socket take a few more bytes about a second in (a zero-window probe),
  // which starts that second again: two seconds, and margin for a loaded machine.
  while (view.pages() > 0) {
    REQUIRE(std::chrono::steady_clock::now() - published < 5s);
    std::this_thread::sleep_for(5ms);  // the poll's pace, not a wait for anything
  }
  for (int stalled_page : stalled) close(stalled_page);
}

TEST_CASE("the live view serves 64 pages at once and ends a 65th's stream at once", "[cli][ui]") {
  flow::cli::LiveView view("<svg></svg>", "");
  std::string error;
  auto bound = view.start({"127.0.0.1", 0}, error);
  REQUIRE(bound);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(bound->port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<int> watching;
  for (int i = 0; i < flow::cli::EventStreams::max_pages; ++i) {
    int page = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(connect(page, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    std::string request = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    REQUIRE(send(page, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
    watching.push_back(page);
  }
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (view.pages() < flow::cli::EventStreams::max_pages) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(5ms);  // the poll's pace, not a wait for anything
  }
  auto refused = http_get(bound->port, "/events", 3s);  // ends, with no event, rather than wait
  REQUIRE(refused);
  CHECK(refused->status == 200);
  CHECK(refused->body.empty());
  CHECK(view.pages() == flow::cli::EventStreams::max_pages);
  for (int page : watching) close(page);
}

TEST_CASE("the live page's files are built in and fetch nothing from elsewhere", "[cli][ui]") {
  for (const char* path : {"/index.html", "/app.js", "/style.css"}) {
    INFO(path);
    auto file = flow::cli::web_file(path);
    REQUIRE(file);
    std::string body(file->body);
    CHECK(body.size() > 100);
    CHECK_FALSE(std::regex_search(
        body, std::regex(R"((src|href)=["']?(https?:)?//|url\(|@import|fetch\(['"]https?:)")));
  }
  CHECK_FALSE(flow::cli::web_file("/missing.js"));
}

TEST_CASE("flow run --ui-hold serves the final state after the run until SIGINT", "[cli][ui]") {
  Child child(FLOW_BINARY, {"run", data("slow_stage"), "--ui", "0", "--ui-hold", "--quiet"},
              /*merge_stderr=*/true);
  int port = served_port(child);
  auto held = child.read_line(30s);
  REQUIRE(held);
  CHECK_THAT(*held, Catch::Contains("the run is over"));

  auto events = http_get(port, "/events");
  REQUIRE(events);
  auto final_state = last_event(events->body, "final");
  CHECK(final_state["status"] == "ok");
  CHECK(final_state["sinks"][0]["delivered"] == 3);  // slow_stage.flow generates 3
  auto page = http_get(port, "/");
  REQUIRE(page);
  CHECK_THAT(page->body, Catch::Contains("<script src=\"app.js\">"));
  auto graph = http_get(port, "/graph.svg");
  REQUIRE(graph);
  CHECK(graph->status == 200);
  CHECK_THAT(graph->body, Catch::Contains("<title>work</title>"));
  CHECK_THAT(graph->body, Catch::Contains("<title>s&#45;&gt;work</title>"));

  child.send(SIGINT);
  CHECK(child.finish(30s) == 0);  // the run's own status: the signal ended only the hold
}

TEST_CASE("a bad --ui is a usage error and a --ui port in use stops flow run before the run", "[cli][ui]") {
  auto bad = run_flow(fmt::format("run {} --ui 99999", data("slow_stage")));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--ui: '99999' is not a port"));
  auto hold_alone = run_flow(fmt::format("run {} --ui-hold", data("slow_stage")));
  CHECK(hold_alone.exit_code == 2);
  CHECK_THAT(hold_alone.err, Catch::Contains("--ui-hold requires --ui"));

  flow::test::HeldPort taken;
  auto in_use = run_flow(fmt::format("run {} --ui {}", data("slow_stage"), taken.port()));
  CHECK(in_use.exit_code == 1);
  CHECK(in_use.err == fmt::format("flow: error: ui: cannot listen on 127.0.0.1:{}: Address already in use\n",
                                  taken.port()));
  CHECK(in_use.out.empty());
}
