// http() against a real HTTP server (python3's http.server, http_server.py)
// on loopback: what the server received is checked against what flow counted
// delivered, retried and failed.
#include <algorithm>
#include <map>
#include <set>

#include "http_support.hpp"

using namespace flow::test;
using Json = nlohmann::json;

namespace {

std::uint64_t delivered(const Json& metrics, const std::string& sink) {
  return entry(metrics.at("sinks"), "name", sink).at("delivered").get<std::uint64_t>();
}

std::uint64_t errors(const Json& metrics, const std::string& node) {
  return entry(metrics.at("nodes"), "name", node).at("errors").get<std::uint64_t>();
}

std::multiset<std::string> bodies(const std::vector<Received>& requests, int status) {
  std::multiset<std::string> out;
  for (const auto& request : requests)
    if (request.status == status) out.insert(request.body);
  return out;
}

std::multiset<std::string> lines_of(const std::string& text) {
  std::multiset<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.insert(line);
  return out;
}

}  // namespace

TEST_CASE("every message reaches the server once and is delivered, over kept-alive connections",
          "[calls][http]") {
  TestServer server;
  auto input = numbered_lines("m", 300);
  auto run = run_flow(fmt::format(R"(pipeline ship
source in  = read("{}")
sink   out = http("{}") [workers=4]
in -> out [capacity=16]
)",
                                  input, server.url()));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto requests = server.received();
  // Received by the server == delivered == produced, each message exactly once.
  CHECK(requests.size() == 300);
  CHECK(bodies(requests, 200) == lines_of(read_file(input)));
  CHECK(delivered(run.metrics, "out") == 300);
  CHECK(entry(run.metrics.at("sources"), "name", "in").at("produced") == 300);
  CHECK(node_count(run.metrics, "out", "requests") == 300);
  CHECK(node_count(run.metrics, "out", "status_200") == 300);
  CHECK(node_count(run.metrics, "out", "retries") == 0);
  CHECK(std::all_of(requests.begin(), requests.end(), [](const Received& r) {
    return r.method == "POST" && r.path == "/ingest" && r.content_type == "text/plain";
  }));
  // Keep-alive: a connection per worker, not per request.
  std::set<std::string> connections;
  for (const auto& request : requests) connections.insert(request.connection);
  CHECK(connections.size() <= 4);
  CHECK(node_count(run.metrics, "out", "connections") == connections.size());
}

TEST_CASE("503s with Retry-After in seconds are retried no sooner than the server asked, and nothing is lost",
          "[calls][http]") {
  TestServer server({"--unavailable", "2", "--retry-after", "1"});
  auto input = numbered_lines("r", 4);
  // Backoff alone would come back within 20 ms: only Retry-After explains a second.
  auto run = run_flow(fmt::format(R"(pipeline retried
source in  = read("{}")
sink   out = http("{}", retries=3, backoff=10ms, max_backoff=20ms)
in -> out
)",
                                  input, server.url()));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto requests = server.received();
  REQUIRE(requests.size() == 6);
  CHECK(requests[0].status == 503);
  CHECK(requests[1].status == 503);
  // One worker: each retry is the next request the server sees.
  CHECK(requests[1].time - requests[0].time >= 1.0);
  CHECK(requests[2].time - requests[1].time >= 1.0);
  CHECK(bodies(requests, 200) == lines_of(read_file(input)));
  CHECK(delivered(run.metrics, "out") == 4);
  CHECK(node_count(run.metrics, "out", "retries") == 2);
  CHECK(node_count(run.metrics, "out", "status_503") == 2);
  CHECK(node_count(run.metrics, "out", "status_200") == 4);
  CHECK(node_count(run.metrics, "out", "requests") == 6);
}

TEST_CASE("a Retry-After given as an HTTP-date is honoured too", "[calls][http]") {
  // The date has whole seconds: 2 s ahead is between 1 and 2 s from the 503.
  TestServer server({"--unavailable", "1", "--retry-after", "date:+2"});
  auto run = run_flow(fmt::format(R"(pipeline dated
source in  = generate(count=1)
sink   out = http("{}", backoff=10ms, max_backoff=20ms)
in -> out
)",
                                  server.url()));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto requests = server.received();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].time - requests[0].time >= 1.0);
  CHECK(requests[1].status == 200);
  CHECK(delivered(run.metrics, "out") == 1);
}

TEST_CASE(
    "a message out of retries fails: on_error=skip counts it, the default fails the run naming the call",
    "[calls][http]") {
  TestServer server({"--status", "503"});
  auto input = numbered_lines("f", 3);
  constexpr const char* pipeline = R"(pipeline failing
source in  = read("{}")
sink   out = http("{}", retries=2, backoff=1ms, max_backoff=5ms){}
in -> out
)";
  auto skipped = run_flow(fmt::format(fmt::runtime(pipeline), input, server.url(), " [on_error=skip]"));
  INFO(skipped.err);
  REQUIRE(skipped.exit_code == 0);
  // produced = delivered + errors; each message tried 1 + 2 times.
  CHECK(delivered(skipped.metrics, "out") == 0);
  CHECK(errors(skipped.metrics, "out") == 3);
  CHECK(entry(skipped.metrics.at("sources"), "name", "in").at("errors") == 3);
  CHECK(node_count(skipped.metrics, "out", "requests") == 9);
  CHECK(node_count(skipped.metrics, "out", "retries") == 6);
  CHECK(node_count(skipped.metrics, "out", "status_503") == 9);
  CHECK(server.received().size() == 9);

  auto failed = run_flow(fmt::format(fmt::runtime(pipeline), input, server.url(), ""));
  CHECK(failed.exit_code == 1);
  CHECK(failed.err.find("sink out") != std::string::npos);
  CHECK(failed.err.find(fmt::format("POST {}: status 503 (unavailable) after 3 attempts", server.url())) !=
        std::string::npos);
}

TEST_CASE("a 4xx other than 429 fails at once, without a retry", "[calls][http]") {
  TestServer server({"--status", "400"});
  auto input = numbered_lines("bad", 5);
  auto run = run_flow(fmt::format(R"(pipeline refused
source in  = read("{}")
sink   out = http("{}", retries=5, backoff=1ms) [on_error=skip]
in -> out
)",
                                  input, server.url()));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(errors(run.metrics, "out") == 5);
  CHECK(node_count(run.metrics, "out", "requests") == 5);
  CHECK(node_count(run.metrics, "out", "retries") == 0);
  CHECK(node_count(run.metrics, "out", "status_400") == 5);
  CHECK(server.received().size() == 5);
}

TEST_CASE("a request that takes longer than timeout fails as a timeout", "[calls][http]") {
  TestServer server({"--delay", "3"});
  auto run = run_flow(fmt::format(R"(pipeline slow
source in  = generate(count=1)
sink   out = http("{}", timeout=200ms, retries=0)
in -> out
)",
                                  server.url()));
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("no answer within the timeout of 200ms") != std::string::npos);
  CHECK(node_count(run.metrics, "out", "timeouts") == 1);
  CHECK(node_count(run.metrics, "out", "status_200") == 0);
  // Given up long before the server's 3 s answer.
  CHECK(run.metrics.at("wall_s").get<double>() < 2.5);
}

TEST_CASE("as a stage the answer's body is the output, a batch's answer one line per member",
          "[calls][http]") {
  TestServer server;
  auto input = numbered_lines("s", 10);
  auto run = run_flow(fmt::format(R"(pipeline enrich
source in    = read("{0}")
stage  one   = http("{1}")
stage  many  = batch(5) | http("{1}", method=PUT, content_type="application/x-ndjson") | unbatch()
sink   out   = write("@DIR@/out.txt")
in -> one -> many -> out
)",
                                  input, server.url()));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::string upper = read_file(input);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(read_file(run.dir + "/out.txt") == upper);
  auto requests = server.received();
  REQUIRE(requests.size() == 12);  // 10 single, and 2 batches of 5 (the nodes run at once)
  std::string batched;
  int puts = 0;
  for (const auto& request : requests) {
    if (request.method != "PUT") continue;
    ++puts;
    CHECK(request.content_type == "application/x-ndjson");
    CHECK(std::count(request.body.begin(), request.body.end(), '\n') == 5);
    batched += request.body;
  }
  CHECK(puts == 2);
  CHECK(batched == upper);  // what `one` answered, in order, one line per member
  CHECK(delivered(run.metrics, "out") == 10);
}

TEST_CASE("as a sink a batch is one request and counts its members delivered", "[calls][http]") {
  TestServer server;
  auto input = numbered_lines("b", 23);
  auto run = run_flow(fmt::format(R"(pipeline batched
source in  = read("{}")
sink   out = batch(10) | http("{}")
in -> out
)",
                                  input, server.url()));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto requests = server.received();
  REQUIRE(requests.size() == 3);  // 10, 10 and the 3 flushed at the end
  std::string sent;
  for (const auto& request : requests) sent += request.body;
  CHECK(lines_of(sent) == lines_of(read_file(input)));
  CHECK(delivered(run.metrics, "out") == 23);
  CHECK(node_count(run.metrics, "out", "requests") == 3);
}

TEST_CASE("flow check refuses http under the virtual clock", "[calls][http]") {
  auto dir = temp_directory();
  write_file(dir + "/virtual.flow", R"(pipeline simulated [clock=virtual]
source in  = generate(count=1)
sink   out = http("http://127.0.0.1:9/x")
in -> out
)");
  auto result = run_command(fmt::format("{} check {}/virtual.flow", FLOW_BINARY, dir));
  CHECK(result.exit_code != 0);
  CHECK(result.err.find("sink out waits on http://127.0.0.1:9/x") != std::string::npos);
  CHECK(result.err.find("clock=real") != std::string::npos);
}

TEST_CASE("a call waiting for its retry gives up at once when another node fails the run", "[calls][http]") {
  TestServer server;
  auto dead = server.url();
  server.kill();  // its port now refuses: every attempt fails and waits up to 5 s
  auto run = run_flow(fmt::format(R"(pipeline stopped
source in   = generate(count=1)
sink   ship = http("{}", retries=100, backoff=5s, max_backoff=5s)
sink   full = delay(300ms) | write("/dev/full")
in -> ship
in -> full
)",
                                  dead));
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("sink full") != std::string::npos);
  // 100 waits of up to 5 s each, cut short by the run failing 300 ms in.
  CHECK(run.metrics.at("wall_s").get<double>() < 1.5);
  CHECK(node_count(run.metrics, "ship", "connection_errors") >= 1);
}

TEST_CASE("flow check refuses a url that is not http or https, an unknown method and retries below 0",
          "[calls][http]") {
  auto dir = temp_directory();
  write_file(dir + "/bad.flow", R"(pipeline bad
source in = generate(count=1)
sink   a  = http("ftp://127.0.0.1/x")
sink   b  = http("http://127.0.0.1/x", method=FETCH)
sink   c  = http("http://127.0.0.1/x", retries=-1)
in -> a
in -> b
in -> c
)");
  auto result = run_command(fmt::format("{} check bad.flow", FLOW_BINARY), dir);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find(
            "bad.flow:3:18: error: url must start with http:// or https://, got \"ftp://127.0.0.1/x\"") !=
        std::string::npos);
  CHECK(result.err.find(
            "bad.flow:4:47: error: unknown method 'FETCH'; expected POST, PUT, PATCH, GET or DELETE") !=
        std::string::npos);
  CHECK(result.err.find("bad.flow:5:48: error: retries must be between 0 and 100, got -1") !=
        std::string::npos);
}
