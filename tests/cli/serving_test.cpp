// The pieces behind `flow run --metrics-port`, in-process: the listen
// address on the command line, the HTTP server, and the endpoint that serves
// the latest snapshot.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <catch2/catch.hpp>

#include "cli/http_server.hpp"
#include "cli/listen_address.hpp"
#include "cli/metrics_endpoint.hpp"
#include "http_get.hpp"

using flow::cli::HttpResponse;
using flow::cli::HttpServer;
using flow::cli::ListenAddress;
using flow::cli::MetricsEndpoint;
using flow::test::accepts_connections;
using flow::test::http_get;
using namespace std::chrono_literals;

TEST_CASE("a listen address is ADDR:PORT with an IPv6 address in brackets", "[cli][prometheus]") {
  std::string error;
  auto v4 = flow::cli::parse_listen_address("0.0.0.0:9464", error);
  REQUIRE(v4);
  CHECK(v4->host == "0.0.0.0");
  CHECK(v4->port == 9464);
  auto v6 = flow::cli::parse_listen_address("[::1]:0", error);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 0);
  CHECK(flow::cli::url_of(*v6, "/metrics") == "http://[::1]:0/metrics");
  CHECK(flow::cli::url_of(ListenAddress{"127.0.0.1", 80}, "/metrics") == "http://127.0.0.1:80/metrics");
  for (const char* bad : {"9464", ":9464", "::1:9464", "[::1]", "[]:80", "localhost:", "localhost:65536",
                          "localhost:-1", "localhost:94x"}) {
    INFO(bad);
    error.clear();
    CHECK_FALSE(flow::cli::parse_listen_address(bad, error));
    CHECK_FALSE(error.empty());
  }
  CHECK(flow::cli::parse_port("65535", error) == 65535);
  CHECK_FALSE(flow::cli::parse_port("", error));
}

TEST_CASE("the HTTP server answers its path, 404 elsewhere, and nothing once stopped", "[cli][prometheus]") {
  HttpServer server;
  std::atomic<int> calls = 0;  // bumped on a server thread
  server.get("/metrics", [&calls] {
    return HttpResponse{200, "text/plain; version=0.0.4", fmt::format("call {}\n", ++calls)};
  });
  std::string error;
  auto port = server.start("127.0.0.1", 0, error);
  REQUIRE(port);
  CHECK(*port > 0);

  auto first = http_get(*port, "/metrics");
  REQUIRE(first);
  CHECK(first->status == 200);
  CHECK(first->body == "call 1\n");
  CHECK_THAT(first->headers, Catch::Contains("Content-Type: text/plain; version=0.0.4"));
  CHECK(http_get(*port, "/metrics")->body == "call 2\n");  // asked again, not cached
  CHECK(http_get(*port, "/other")->status == 404);
  CHECK(http_get(*port, "/metricsX")->status == 404);  // the path exactly, not a prefix

  server.stop();
  CHECK_FALSE(accepts_connections(*port));
  server.stop();  // twice is harmless
}

TEST_CASE(
    "the HTTP server stops within its one-second request timeout when a client connected and sent nothing",
    "[cli][prometheus]") {
  HttpServer server;
  server.get("/", [] { return HttpResponse{}; });
  std::string error;
  auto port = server.start("127.0.0.1", 0, error);
  REQUIRE(port);
  // A connection that never sends a request holds a server thread until the
  // request timeout (1 s): stop() waits for it, and no longer.
  int idle = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(*port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(idle, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  auto before = std::chrono::steady_clock::now();
  server.stop();
  auto took = std::chrono::steady_clock::now() - before;
  close(idle);
  CHECK(took < std::chrono::seconds(3));
}

TEST_CASE("the HTTP server cuts off a request trickled in a byte every half second and stop waits for none",
          "[cli][prometheus]") {
  HttpServer server;
  server.get("/", [] { return HttpResponse{}; });
  std::string error;
  auto port = server.start("127.0.0.1", 0, error);
  REQUIRE(port);
  int slow = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(*port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(slow, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  auto connected = std::chrono::steady_clock::now();
  std::string start = "GET / HTTP/1.1\r\nX-Slow: ";
  REQUIRE(send(slow, start.data(), start.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(start.size()));
  // A byte every half second (the fault's pace), until the server closes the
  // connection: httplib's read timeout alone counts from the last byte, and never ran out.
  char reply[512];
  pollfd closed{slow, POLLIN, 0};
  while (poll(&closed, 1, 500) == 0 && std::chrono::steady_clock::now() - connected < 10s) {
    REQUIRE(send(slow, "a", 1, MSG_NOSIGNAL) == 1);
  }
  while (recv(slow, reply, sizeof reply, 0) > 0) {
  }
  CHECK(std::chrono::steady_clock::now() - connected < 3s);  // a second, on a loaded machine

  // Another one trickling when the server stops: stop cuts it off rather than wait.
  int next = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(connect(next, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(send(next, start.data(), start.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(start.size()));
  auto before = std::chrono::steady_clock::now();
  server.stop();
  CHECK(std::chrono::steady_clock::now() - before < 3s);
  close(slow);
  close(next);
}

TEST_CASE("a second HTTP server cannot bind the port one serves", "[cli][prometheus]") {
  HttpServer first;
  first.get("/", [] { return HttpResponse{}; });
  std::string error;
  auto port = first.start("127.0.0.1", 0, error);
  REQUIRE(port);
  // With SO_REUSEPORT (httplib's default) the second bound it too, and the
  // kernel split the requests between the two.
  HttpServer second;
  CHECK_FALSE(second.start("127.0.0.1", *port, error));
  CHECK(error == fmt::format("cannot listen on 127.0.0.1:{}: Address already in use", *port));
}

TEST_CASE("the HTTP server reports a port in use, naming the address", "[cli][prometheus]") {
  flow::test::HeldPort taken;
  HttpServer server;
  std::string error;
  CHECK_FALSE(server.start("127.0.0.1", taken.port(), error));
  CHECK(error == fmt::format("cannot listen on 127.0.0.1:{}: Address already in use", taken.port()));
  server.stop();  // never started: harmless
}

TEST_CASE("the metrics endpoint serves its first snapshot, then each one published", "[cli][prometheus]") {
  flow::RunMetrics initial;
  initial.pipeline = "p";
  flow::EdgeMetrics edge;
  edge.from = "a";
  edge.to = "b";
  edge.capacity = 5;
  initial.edges.push_back(edge);
  MetricsEndpoint endpoint(initial);
  std::string error;
  auto bound = endpoint.start(ListenAddress{"127.0.0.1", 0}, error);
  REQUIRE(bound);
  CHECK(bound->host == "127.0.0.1");
  REQUIRE(bound->port > 0);

  auto before = http_get(bound->port, "/metrics");
  REQUIRE(before);
  CHECK_THAT(before->headers, Catch::Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"));
  CHECK_THAT(before->body, Catch::Contains("\nflow_edge_in_total{pipeline=\"p\",edge=\"a -> b\"} 0\n"));

  flow::RunMetrics later = initial;
  later.edges[0].in = 42;
  endpoint.publish(later);
  auto after = http_get(bound->port, "/metrics");
  REQUIRE(after);
  CHECK_THAT(after->body, Catch::Contains("\nflow_edge_in_total{pipeline=\"p\",edge=\"a -> b\"} 42\n"));
  CHECK(after->body == endpoint.scrape());

  endpoint.stop();
  CHECK_FALSE(accepts_connections(bound->port));
}
