// The two servers of `flow run` (--metrics-port, --ui) against hostile and
// careless clients over real loopback sockets: a second flow on the port, a
// client that trickles its request, pages that never read their events, and
// --ui-hold after a failed run. Every wait is on what flow printed or on a
// socket, with a deadline; the trickling client's pace is the fault itself.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "child.hpp"
#include "process.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using flow::test::Child;

// What "at most a second" gets on a loaded two-core machine.
constexpr auto margin = 3s;

// 40 messages through a sink that takes 50ms each: about two seconds.
// `count` makes it longer.
std::string pipeline(int count = 40) {
  auto path = flow::test::temp_directory() + "/served.flow";
  flow::test::write_file(path, fmt::format(R"(pipeline served
source ingest = generate(count={}, size=16B)
sink   store  = delay(50ms) | discard()
ingest -> store [capacity=5]
)",
                                           count));
  return path;
}

// The port of `flow: WHAT at http://127.0.0.1:PORT/...`, from the lines flow prints before the run.
int served_port(Child& child, const std::string& what) {
  const std::regex url("flow: " + what + R"( at http://127\.0\.0\.1:(\d+)/.*)");
  for (auto line = child.read_line(10s); line; line = child.read_line(10s)) {
    std::smatch match;
    if (std::regex_match(*line, match, url)) return std::stoi(match[1]);
  }
  FAIL("flow did not say where it serves " << what << ": " << child.out());
  return 0;
}

// Reads lines until the summary's first (`pipeline served: ok after ...`): the run is over.
bool wait_for_summary(Child& child) {
  for (auto line = child.read_line(30s); line; line = child.read_line(30s)) {
    if (line->rfind("pipeline served:", 0) == 0) return true;
  }
  return false;
}

// A port nothing listens on now: one the system picked, released.
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
  close(fd);
  return ntohs(address.sin_port);
}

// A client's end of a loopback connection.
class Client {
 public:
  explicit Client(int port) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Client() { close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  bool send_text(std::string_view text) {
    return connected_ &&
           send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }

  // Reads until `until` has arrived, or with `until` empty until the server
  // closes (or cuts off) the connection; false when that has not happened by `deadline`.
  bool receive(Clock::time_point deadline, const std::string& until = "") {
    for (;;) {
      if (!until.empty() && received_.find(until) != std::string::npos) return true;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd ready{fd_, POLLIN, 0};
      if (left <= 0 || poll(&ready, 1, static_cast<int>(left)) <= 0) return false;
      char buffer[4096];
      auto got = recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) return until.empty();  // closed (or cut off): the whole answer is in
      received_.append(buffer, static_cast<std::size_t>(got));
    }
  }

  const std::string& received() const { return received_; }

 private:
  int fd_;
  bool connected_ = false;
  std::string received_;
};

// The status of a GET of `path` answered and closed within `margin`; 0 when it was not.
int get_status(int port, const std::string& path) {
  Client client(port);
  if (!client.send_text(
          fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path)) ||
      !client.receive(Clock::now() + margin)) {
    return 0;
  }
  int status = 0;
  return std::sscanf(client.received().c_str(), "HTTP/1.1 %d", &status) == 1 ? status : 0;
}

// A client that sends the start of a request and then one byte of a header
// line every half second, never ending it. Notes when the server cut it off.
class Trickler {
 public:
  Trickler(int port, const std::string& path) : thread_([this, port, path] { trickle(port, path); }) {}
  ~Trickler() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  // Waits for the client to end: how long after connecting the server closed
  // the connection; nullopt when it did not (in twenty seconds).
  std::optional<Clock::duration> cut_off_after() {
    if (thread_.joinable()) thread_.join();
    return cut_off_after_;
  }

 private:
  void trickle(int port, const std::string& path) {
    Client client(port);
    auto connected = Clock::now();
    if (!client.send_text(fmt::format("GET {} HTTP/1.1\r\nX-Slow: ", path))) return;
    // Twenty seconds at most: far longer than the run, the request's second and the test.
    while (!stop_ && Clock::now() - connected < 20s) {
      // The pace of the fault; a server that answers or closes ends the wait at once.
      if (client.receive(Clock::now() + 500ms) || !client.send_text("a")) break;
    }
    if (Clock::now() - connected < 20s && !stop_) cut_off_after_ = Clock::now() - connected;
  }

  std::atomic<bool> stop_{false};
  std::optional<Clock::duration> cut_off_after_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("a second flow run on a port another flow serves is Address already in use, exit 1", "[faults]") {
  auto file = pipeline(200);  // ten seconds: stopped by SIGINT once the second has failed
  Child first(FLOW_BINARY, {"run", file, "--metrics-port", "0", "-q"}, /*merge_stderr=*/true);
  int port = served_port(first, "metrics");

  for (const char* option : {"--metrics-port", "--ui"}) {
    INFO(option);
    auto second = flow::test::run_command(fmt::format("{} run {} {} {} -q", FLOW_BINARY, file, option, port));
    CHECK(second.exit_code == 1);
    auto server = std::string(option) == "--ui" ? "ui" : "metrics";
    CHECK_THAT(second.err, Catch::Contains(fmt::format(
                               "flow: error: {}: cannot listen on 127.0.0.1:{}: Address already in use\n",
                               server, port)));
  }
  first.send(SIGINT);
  CHECK(first.finish(30s) == 130);
}

TEST_CASE("one run whose --ui and --metrics-port share a port is Address already in use, exit 1", "[faults]") {
  int port = free_port();
  auto both = flow::test::run_command(
      fmt::format("{} run {} --metrics-port {} --ui {} -q", FLOW_BINARY, pipeline(), port, port));
  CHECK(both.exit_code == 1);
  CHECK(both.err == fmt::format("flow: metrics at http://127.0.0.1:{}/metrics\n"
                                "flow: error: ui: cannot listen on 127.0.0.1:{}: Address already in use\n",
                                port, port));
  CHECK(both.out.empty());  // nothing ran
}

TEST_CASE(
    "clients trickling their requests are cut off after a second and neither hold up a request nor the exit",
    "[faults]") {
  auto [option, server, path] = GENERATE(table<const char*, const char*, const char*>(
      {{"--metrics-port", "metrics", "/metrics"}, {"--ui", "ui", "/"}}));
  INFO(option);
  Child child(FLOW_BINARY, {"run", pipeline(), option, "0"}, /*merge_stderr=*/true);
  int port = served_port(child, server);
  // More than the server has threads: each one's request is still cut off
  // within a second of its connection, so the request behind them waits at most that.
  std::vector<std::unique_ptr<Trickler>> slow;
  for (int i = 0; i < 6; ++i) slow.push_back(std::make_unique<Trickler>(port, path));
  CHECK(get_status(port, path) == 200);
  for (auto& trickler : slow) {
    auto cut = trickler->cut_off_after();
    REQUIRE(cut);
    CHECK(*cut < margin);
  }
  // Now one that trickles on past the run's end: flow exits all the same.
  Trickler last(port, path);
  REQUIRE(wait_for_summary(child));
  auto ended = Clock::now();
  CHECK(child.finish(30s) == 0);
  CHECK(Clock::now() - ended < margin);
}

TEST_CASE(
    "pages that open /events and never read hold up neither the page, /metrics, other pages nor the exit",
    "[faults]") {
  // Three seconds of snapshots at 100ms, each a kilobyte or two.
  Child child(FLOW_BINARY, {"run", pipeline(60), "--ui", "0", "--metrics-port", "0"}, /*merge_stderr=*/true);
  int metrics = served_port(child, "metrics");
  int ui = served_port(child, "ui");
  // Eight, as many as the server had threads: each stream held one.
  std::vector<std::unique_ptr<Client>> stalled;
  for (int i = 0; i < 8; ++i) {
    stalled.push_back(std::make_unique<Client>(ui));
    REQUIRE(stalled.back()->send_text("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  }
  for (const char* path : {"/", "/app.js", "/style.css", "/graph.svg"}) {
    INFO(path);
    CHECK(get_status(ui, path) == 200);
  }
  CHECK(get_status(metrics, "/metrics") == 200);
  Client page(ui);
  REQUIRE(page.send_text("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  CHECK(page.receive(Clock::now() + margin, "event: snapshot\ndata: {"));

  REQUIRE(wait_for_summary(child));
  auto ended = Clock::now();
  CHECK(child.finish(30s) == 0);
  CHECK(Clock::now() - ended < margin);
}

TEST_CASE("a failed run with --ui-hold says why before it holds the page, and exits 1 after SIGINT",
          "[faults]") {
  auto path = flow::test::temp_directory() + "/failing.flow";
  flow::test::write_file(path, R"(pipeline failing
source s = generate(count=100)
sink   k = delay(100ms) | discard()
s -> k [capacity=1, overflow=fail]
)");
  Child child(FLOW_BINARY, {"run", path, "--ui", "0", "--ui-hold", "-q"}, /*merge_stderr=*/true);
  served_port(child, "ui");
  auto error = child.read_line(30s);
  REQUIRE(error);
  CHECK_THAT(*error, Catch::StartsWith("flow: error: edge s -> k overflowed: capacity 1, at "));
  auto held = child.read_line(30s);
  REQUIRE(held);
  CHECK_THAT(*held, Catch::Contains("the run is over"));
  child.send(SIGINT);
  CHECK(child.finish(30s) == 1);
  CHECK(child.out().find("flow: error:", child.out().find("the run is over")) == std::string::npos);
}
