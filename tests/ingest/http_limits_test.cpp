// listen("http://…")'s limits against real sockets and curl: the body's
// announced length checked before it is read, max_connections, idle_timeout,
// a slow client beside a fast one, and what a stopping run answers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "http_run.hpp"

using namespace flow::test;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

// A client connection of the test's own: it sends what the test says, when it says.
class RawClient {
 public:
  explicit RawClient(int port) : socket_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~RawClient() { close(socket_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  /// Sends what the server takes of `text`; false once it stopped taking it (closed or reset).
  bool try_send(const std::string& text) {
    return ::send(socket_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }

  void send_text(const std::string& text) {
    REQUIRE(::send(socket_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()));
  }

  /// What the server sends until it closes the connection, or `timeout` passes (then `closed` stays false).
  std::string read_until_closed(std::chrono::milliseconds timeout, bool& closed) {
    std::string got;
    closed = false;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd ready{socket_, POLLIN, 0};
      if (left.count() <= 0 || poll(&ready, 1, static_cast<int>(left.count())) <= 0) return got;
      char buffer[4096];
      auto n = recv(socket_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed = true;
        return got;
      }
      got.append(buffer, static_cast<std::size_t>(n));
    }
  }

 private:
  int socket_;
};

std::uint64_t count_of(const Json& metrics, const std::string& name) {
  return item(metrics.at("nodes"), "name", "in").at("counts").at(name).get<std::uint64_t>();
}

}  // namespace

TEST_CASE("a body announced over max_body is answered 413 before it is sent", "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest", max_body=1KB, idle_timeout=30s)
sink out = write("@OUT@")
in -> out [capacity=8]
)");
  // 100 MB announced, ten bytes sent: read first, the answer would wait 30 s for the rest.
  RawClient client(run.port());
  client.send_text("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n0123456789");
  bool closed = false;
  auto answer = client.read_until_closed(5s, closed);
  CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(closed);  // the unread body is never taken for a next request
  auto metrics = run.stop();
  CHECK(count_of(metrics, "too_large") == 1);
}

TEST_CASE(
    "max_connections bounds the open connections, idle_timeout closes idle ones, a slow client stalls nobody",
    "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest", max_connections=2, idle_timeout=1s)
sink out = write("@OUT@")
in -> out [capacity=100]
)");
  auto body = lines_file(run.dir(), "fast", 3);
  // One client trickles a body (half of it, then nothing); another sits idle.
  RawClient slow(run.port());
  slow.send_text("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234");
  RawClient idle(run.port());
  // The two hold both threads (wait until the server has taken the second:
  // a third connection is then answered 503 at once, before it sends anything).
  Reply refused;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  do {
    refused = run.post(body);
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  } while (refused.status == 202);  // the slow or idle connection had not been taken yet
  CHECK(refused.status == 503);
  CHECK(header(refused.headers, "retry-after") == "1");
  // After idle_timeout both are closed, and the next client is served.
  bool closed = false;
  idle.read_until_closed(5s, closed);
  CHECK(closed);
  slow.read_until_closed(5s, closed);
  CHECK(closed);
  auto served = run.post(body);
  CHECK(served.status == 202);
  auto metrics = run.stop();
  CHECK(count_of(metrics, "refused_connections") >= 1);
  CHECK(run.sink_text().find(read_file(body)) != std::string::npos);
}

TEST_CASE("a request whose header lines never end is cut off, and the server goes on serving",
          "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest", max_body=1KB)
sink out = write("@OUT@")
in -> out [capacity=8]
)");
  RawClient endless(run.port());
  // 1 MiB of header lines, each well under cpp-httplib's 8 KiB per line.
  bool taken = endless.try_send("POST /ingest HTTP/1.1\r\nHost: x\r\n");
  const std::string filler = "X-Filler: " + std::string(90, 'a') + "\r\n";
  for (int i = 0; taken && i < 10000; ++i) taken = endless.try_send(filler);
  if (taken) endless.try_send("\r\n");
  bool closed = false;
  auto answer = endless.read_until_closed(5s, closed);
  CHECK(closed);                                              // at once, not after the idle timeout
  CHECK(answer.rfind("HTTP/1.1 2", 0) == std::string::npos);  // never served
  CHECK(run.post(lines_file(run.dir(), "after", 2)).status == 202);
  run.stop();
}

TEST_CASE("a client trickling its body holds one server thread while others are served and delivered",
          "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest", ack=delivered, idle_timeout=30s)
sink out = write("@OUT@")
in -> out [capacity=100]
)");
  RawClient slow(run.port());
  slow.send_text("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\nslow-");
  auto body = lines_file(run.dir(), "fast", 3);
  for (int i = 0; i < 3; ++i) {
    auto reply = run.post(body);
    CHECK(reply.status == 200);  // delivered by the sink while the slow body is still coming
    CHECK(reply.seconds < 5);
  }
  slow.send_text("line\n");  // the rest, 12 bytes in all: "slow-line\n" and two more
  slow.send_text("x\n");
  bool closed = false;
  auto answer = slow.read_until_closed(3s, closed);  // a keep-alive answer: waits the whole time
  CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
  auto metrics = run.stop();
  CHECK(count_of(metrics, "acknowledged") == 4);
  CHECK(run.sink_text() == read_file(body) + read_file(body) + read_file(body) + "slow-line\nx\n");
}

TEST_CASE("a stopping run answers new requests 503 and still delivers everything it accepted",
          "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest")
sink out = delay(200ms) | write("@OUT@")
in -> out [capacity=10]
)");
  auto body = lines_file(run.dir(), "taken", 10);
  REQUIRE(run.post(body).status == 202);
  run.child().send(SIGTERM);
  // The drain takes two seconds: /health says when the listener was told to stop.
  Reply health;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  do {
    health = run.curl("", "/health");
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  } while (health.body.find("\"stopping\":true") == std::string::npos);
  CHECK(health.status == 503);
  CHECK(run.post(body).status == 503);
  auto metrics = run.stop(/*signal=*/false);
  CHECK(run.sink_text() == read_file(body));
  CHECK(count_of(metrics, "unavailable") == 1);
}

TEST_CASE("with ack=delivered a request whose lines are dropped further on is answered 503, not 200",
          "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest", ack=delivered)
stage up = upper()
sink out = delay(100ms) | write("@OUT@")
in -> up [capacity=100]
up -> out [capacity=1, overflow=drop_newest]
)");
  // 20 lines into an edge of one, in front of a sink that takes one a tenth of a second: most are dropped.
  auto body = lines_file(run.dir(), "shed", 20);
  auto reply = run.post(body);
  CHECK(reply.status == 503);
  auto metrics = run.stop();
  CHECK(count_of(metrics, "lost") == 1);
  CHECK(count_of(metrics, "acknowledged") == 0);
}
