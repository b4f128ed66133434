// listen("http://…") under load from the real wrk (bench/http_post.lua), and
// the service front of examples/ingest: what the clients were told against
// what the sink got, and memory bounded by the edge, not by the load.
#include <map>
#include <sstream>

#include "http_run.hpp"

using namespace flow::test;
using Json = nlohmann::json;

namespace {

struct Flood {
  std::map<int, std::uint64_t> statuses;  // what wrk saw, by status
  std::uint64_t connections = 0;
};

// wrk at full speed for `seconds`: every connection sends its next request as
// soon as the last is answered.
Flood flood(const HttpRun& run, const std::string& body, int connections, int seconds) {
  auto result = run_command(
      fmt::format("FLOW_BODY={} FLOW_COUNT=1 wrk -t2 -c{} -d{}s -s {} {}", shell_quote(body), connections,
                  seconds, shell_quote(FLOW_SOURCE_DIR "/bench/http_post.lua"), shell_quote(run.url())));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  Flood seen;
  seen.connections = static_cast<std::uint64_t>(connections);
  std::istringstream lines(result.out);
  std::string word;
  while (lines >> word) {
    if (word != "status") continue;
    int status = 0;
    std::uint64_t n = 0;
    lines >> status >> n;
    seen.statuses[status] = n;
  }
  return seen;
}

std::uint64_t count_of(const Json& metrics, const std::string& node, const std::string& name) {
  return item(metrics.at("nodes"), "name", node).at("counts").at(name).get<std::uint64_t>();
}

// What a run's sink wrote: `lines` lines, each one of the request's.
void check_lines(const std::string& text, const std::string& request, std::uint64_t lines) {
  std::istringstream written(text);
  std::string line;
  std::uint64_t seen = 0, foreign = 0;
  while (std::getline(written, line)) {
    ++seen;
    if (request.find(line + "\n") == std::string::npos) ++foreign;
  }
  CHECK(seen == lines);
  CHECK(foreign == 0);
}

// The client's count of a status and the listener's agree, up to the requests
// wrk cut off at its end (one per connection): answered but never read.
void check_agree(std::uint64_t seen, std::uint64_t counted, const Flood& flood) {
  CHECK(seen <= counted);
  CHECK(counted <= seen + flood.connections);
}

}  // namespace

TEST_CASE(
    "the service front keeps its promise under a spike: every 202 stored, every 429 counted, memory flat",
    "[ingest][http][examples]") {
  // The example as it is, on a free port and writing into the test's directory.
  auto example = read_file(FLOW_SOURCE_DIR "/examples/ingest/service_front.flow");
  auto body_start = example.find("source front");
  REQUIRE(body_start != std::string::npos);
  HttpRun run(example.substr(body_start),
              {"--set", "front.address=\"http://127.0.0.1:0/ingest\"", "--set", "store.path=\"@OUT@\""});
  auto body = lines_file(run.dir(), "request", 20);
  // The store takes about 1,000 lines a second; wrk sends as fast as it is
  // answered, which on any machine is ten times that and more.
  auto seen = flood(run, body, 8, 2);
  auto metrics = run.stop();
  auto accepted = count_of(metrics, "front", "accepted");
  auto rejected = count_of(metrics, "front", "rejected");
  INFO("202: " << seen.statuses[202] << ", 429: " << seen.statuses[429] << "; accepted " << accepted
               << ", rejected " << rejected);
  // A spike: wrk offered at least ten times what was taken (the edge's 2,000
  // lines and what the store drained in 2 s); on any machine, far more.
  CHECK(seen.statuses[429] >= 9 * seen.statuses[202]);
  check_agree(seen.statuses[202], accepted, seen);
  check_agree(seen.statuses[429], rejected, seen);
  // Nothing accepted was dropped: the edge's drops are the refused requests' lines.
  const auto& edge = item(metrics.at("edges"), "from", "front");
  CHECK(edge.at("dropped") == rejected * 20);
  CHECK(item(metrics.at("sinks"), "name", "store").at("delivered") == accepted * 20);
  check_lines(run.sink_text(), read_file(body), accepted * 20);
  // Memory: the edge's 2,000 lines and the store's one in hand, whatever
  // came: under the plan's bound (2,257, which leaves the source a hand of
  // 256) and flat, where accepting without room would queue the spike.
  CHECK(metrics.at("peak_messages") <= 2001);
  CHECK(metrics.at("peak_rss_bytes") < 64u << 20);
}

TEST_CASE("a wrk flood of a block edge is held at the door: 503 after the timeout, nothing dropped",
          "[ingest][http]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest", timeout=100ms)
sink out = delay(1ms) | write("@OUT@")
in -> out [capacity=500, overflow=block]
)");
  auto body = lines_file(run.dir(), "request", 50);
  auto seen = flood(run, body, 8, 2);
  auto metrics = run.stop();
  auto accepted = count_of(metrics, "in", "accepted");
  INFO("202: " << seen.statuses[202] << ", 503: " << seen.statuses[503] << "; accepted " << accepted);
  REQUIRE(seen.statuses[503] > 0);
  check_agree(seen.statuses[202], accepted, seen);
  check_agree(seen.statuses[503], count_of(metrics, "in", "timed_out"), seen);
  CHECK(item(metrics.at("edges"), "from", "in").at("dropped") == 0);
  check_lines(run.sink_text(), read_file(body), accepted * 50);
  CHECK(metrics.at("peak_messages") <= 501);
  CHECK(metrics.at("peak_rss_bytes") < 64u << 20);
}
