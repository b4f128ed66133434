// listen("http://…") against the real curl: what each answer promises is
// checked against what reached the sink and what the metrics counted.
#include <algorithm>
#include <sstream>

#include "http_run.hpp"

using namespace flow::test;
using Json = nlohmann::json;

namespace {

std::uint64_t count_of(const Json& metrics, const std::string& node, const std::string& name) {
  return item(metrics.at("nodes"), "name", node).at("counts").at(name).get<std::uint64_t>();
}

const Json& edge(const Json& metrics, const std::string& from) {
  return item(metrics.at("edges"), "from", from);
}

}  // namespace

TEST_CASE("every line of every 202 request reaches the sink exactly once and in order", "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest")
sink out = write("@OUT@")
in -> out [capacity=1000]
)");
  std::string expected;
  const int requests = 20, lines = 50;
  for (int r = 0; r < requests; ++r) {
    auto body = lines_file(run.dir(), fmt::format("r{}", r), lines);
    auto reply = run.post(body);
    REQUIRE(reply.status == 202);
    CHECK(reply.body == fmt::format("{{\"accepted\":{}}}\n", lines));
    expected += read_file(body);
  }
  // Newline-delimited JSON is taken line by line too, blank lines skipped.
  write_file(run.dir() + "/events.ndjson", "{\"a\":1}\n\n[2,3]\r\n\"four\"");
  REQUIRE(run.post(run.dir() + "/events.ndjson", "-H 'Content-Type: application/x-ndjson'").status == 202);
  expected += "{\"a\":1}\n[2,3]\n\"four\"\n";
  auto metrics = run.stop();
  CHECK(run.sink_text() == expected);
  CHECK(count_of(metrics, "in", "accepted") == requests + 1);
  CHECK(count_of(metrics, "in", "accepted_messages") == requests * lines + 3);
  CHECK(item(metrics.at("sinks"), "name", "out").at("delivered") == requests * lines + 3);
}

TEST_CASE("a line of a ndjson body that is not JSON refuses the whole request with 400", "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest")
sink out = write("@OUT@")
in -> out [capacity=100]
)");
  write_file(run.dir() + "/bad.ndjson", "{\"a\":1}\n{not json}\n");
  auto reply = run.post(run.dir() + "/bad.ndjson", "-H 'Content-Type: application/x-ndjson'");
  CHECK(reply.status == 400);
  CHECK(reply.body.find("line 2 is not JSON") != std::string::npos);
  // The same bytes as plain text are two lines.
  CHECK(run.post(run.dir() + "/bad.ndjson", "-H 'Content-Type: text/plain'").status == 202);
  auto metrics = run.stop();
  CHECK(run.sink_text() == "{\"a\":1}\n{not json}\n");
  CHECK(count_of(metrics, "in", "bad_request") == 1);
}

TEST_CASE("under drop_newest a slow sink turns the surplus into 429s, each one counted dropped at the edge",
          "[ingest][http]") {
  // The sink takes 200 ms a line (5 a second); requests of 5 lines come much
  // faster, even from curl started one after another on a loaded machine.
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest")
sink out = delay(200ms) | write("@OUT@")
in -> out [capacity=10, overflow=drop_newest]
)");
  const int requests = 40, lines = 5;
  std::string expected;
  std::uint64_t accepted = 0, rejected = 0;
  for (int r = 0; r < requests; ++r) {
    auto body = lines_file(run.dir(), fmt::format("r{}", r), lines);
    auto reply = run.post(body);
    REQUIRE((reply.status == 202 || reply.status == 429));
    if (reply.status == 202) {
      ++accepted;
      expected += read_file(body);
    } else {
      ++rejected;
      CHECK(std::stoi(header(reply.headers, "retry-after")) >= 1);
    }
  }
  auto metrics = run.stop();
  REQUIRE(rejected > 0);
  REQUIRE(accepted > 0);
  // What the client was told is what happened: a 202's lines all arrived, a
  // 429's none (whole requests, never half), and the edge counts the refused lines as dropped.
  CHECK(run.sink_text() == expected);
  CHECK(edge(metrics, "in").at("dropped") == rejected * lines);
  CHECK(count_of(metrics, "in", "rejected") == rejected);
  CHECK(count_of(metrics, "in", "accepted") == accepted);
  CHECK(item(metrics.at("sinks"), "name", "out").at("delivered") == accepted * lines);
}

TEST_CASE("Retry-After is the time the measured drain rate needs to make room for the request",
          "[ingest][http]") {
  // 10 lines a second leave the edge; a request of 100 lines finds it full.
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest")
sink out = delay(100ms) | discard()
in -> out [capacity=100, overflow=drop_newest]
)");
  auto body = lines_file(run.dir(), "big", 100);
  REQUIRE(run.post(body).status == 202);
  // Refused until the rate has been measured (a fifth of a second of samples); then
  // about (100 - drained) / 10 per second: far more than the 1 s said before.
  std::uint64_t retry = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (retry <= 1 && std::chrono::steady_clock::now() < deadline) {
    auto reply = run.post(body);
    REQUIRE(reply.status == 429);
    retry = std::stoull(header(reply.headers, "retry-after"));
  }
  CHECK(retry >= 4);
  CHECK(retry <= 11);
  // The run is killed with the test: a drain would take 10 s.
}

TEST_CASE("a body over max_body, or more lines than the edge holds, is refused with 413", "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest", max_body=1KB)
sink out = write("@OUT@")
in -> out [capacity=8]
)");
  write_file(run.dir() + "/big.txt", std::string(2000, 'x') + "\n");
  // Told by Content-Length, before the body is read; and by curl's Expect: 100-continue.
  CHECK(run.post(run.dir() + "/big.txt", "-H 'Expect:'").status == 413);
  CHECK(run.post(run.dir() + "/big.txt", "-H 'Expect: 100-continue'").status == 413);
  // A chunked body has no length: counted as it comes.
  CHECK(run.post(run.dir() + "/big.txt", "-H 'Transfer-Encoding: chunked'").status == 413);
  auto nine = run.post(lines_file(run.dir(), "nine", 9));
  CHECK(nine.status == 413);
  CHECK(nine.body.find("9 lines, more than the edge's capacity of 8") != std::string::npos);
  REQUIRE(run.post(lines_file(run.dir(), "eight", 8)).status == 202);
  auto metrics = run.stop();
  CHECK(count_of(metrics, "in", "too_large") == 4);
  CHECK(run.sink_text() == read_file(run.dir() + "/eight.txt"));
}

TEST_CASE("under block a request waits for room up to timeout, then gets 503", "[ingest][http]") {
  // The sink holds one line 2 s; the edge holds 2. The second request must
  // come before the sink takes its next line, 2 s after the first.
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest", timeout=200ms)
sink out = delay(2s) | write("@OUT@")
in -> out [capacity=2, overflow=block]
)");
  auto first = lines_file(run.dir(), "first", 2);
  REQUIRE(run.post(first).status == 202);
  // Room for one more opens when the sink takes a line; for two, only after 2 s.
  auto reply = run.post(lines_file(run.dir(), "second", 2));
  CHECK(reply.status == 503);
  CHECK(reply.seconds >= 0.2);
  CHECK(reply.seconds < 2.0);
  auto metrics = run.stop();
  CHECK(count_of(metrics, "in", "timed_out") == 1);
  CHECK(edge(metrics, "in").at("dropped") == 0);
  CHECK(run.sink_text() == read_file(first));
}

TEST_CASE("with ack=delivered the 200 comes only once the sink has written every line", "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest", ack=delivered)
sink out = delay(100ms) | write("@OUT@")
in -> out [capacity=10]
)");
  auto body = lines_file(run.dir(), "acked", 5);
  auto reply = run.post(body);
  CHECK(reply.status == 200);
  CHECK(reply.body == "{\"delivered\":5}\n");
  // Already in the file when curl returned, and it took the sink's five delays.
  CHECK(run.sink_text() == read_file(body));
  CHECK(reply.seconds >= 0.5);
  auto metrics = run.stop();
  CHECK(count_of(metrics, "in", "acknowledged") == 1);
}

TEST_CASE("GET /health says 200 while there is room and 503 once the edge is full", "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest")
sink out = delay(10s) | discard()
in -> out [capacity=3, overflow=drop_newest]
)");
  auto health = run.curl("", "/health");
  CHECK(health.status == 200);
  CHECK(health.body.find("\"full\":false") != std::string::npos);
  CHECK(health.body.find("\"capacity\":3") != std::string::npos);
  // Fill it: single lines until one is refused (the sink holds one for 10 s).
  auto one = lines_file(run.dir(), "one", 1);
  int sent = 0;
  while (run.post(one).status == 202) REQUIRE(++sent <= 4);
  health = run.curl("", "/health");
  CHECK(health.status == 503);
  CHECK(health.body.find("\"full\":true") != std::string::npos);
  CHECK(run.curl("", "/ingest").status == 405);  // a GET of the ingest path
}

TEST_CASE("an address without a host binds loopback, and one without a port is refused by the check",
          "[ingest][http]") {
  // HttpRun waits for "flow: listening on http://127.0.0.1:…".
  HttpRun run(R"(source in = listen("http://:0/ingest")
sink out = write("@OUT@")
in -> out [capacity=10]
)");
  CHECK(run.post(lines_file(run.dir(), "one", 1)).status == 202);
  run.stop();

  auto dir = temp_directory();
  write_file(dir + "/bad.flow", R"(pipeline bad
source in = listen("http://127.0.0.1/ingest")
sink out = discard()
in -> out
)");
  auto result = run_command(fmt::format("{} run {}", FLOW_BINARY, shell_quote(dir + "/bad.flow")));
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("bad.flow:2:20: error: expected host:port after http://") != std::string::npos);
}
