// The server goes away in the middle of a run and comes back on the same
// port: within the retry budget nothing is lost.
#include <regex>
#include <set>

#include "http_support.hpp"

using namespace flow::test;

namespace {

/// The value of `event` of node `node` in a Prometheus page, 0 when absent.
std::uint64_t scraped(const std::string& page, const std::string& node, const std::string& event) {
  std::regex sample(
      fmt::format(R"(flow_source_events_total\{{[^}}]*node="{}",event="{}"\}} (\d+))", node, event));
  std::smatch match;
  return std::regex_search(page, match, sample) ? std::stoull(match[1]) : 0;
}

template <typename Condition>
bool wait_for(Condition condition, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition, with a deadline
  }
  return condition();
}

}  // namespace

TEST_CASE("the server going away and coming back within the retry budget loses nothing", "[calls][http]") {
  TestServer server;
  auto input = numbered_lines("o", 400);
  auto dir = temp_directory();
  write_file(dir + "/outage.flow", fmt::format(R"(pipeline outage
source in  = read("{}")
sink   out = throttle(200/s) | http("{}", retries=60, backoff=20ms, max_backoff=200ms) [workers=2]
in -> out [capacity=16]
)",
                                               input, server.url()));
  Child flow(FLOW_BINARY,
             {"run", dir + "/outage.flow", "--metrics-json", dir + "/run.json", "--metrics-port", "0"},
             /*merge_stderr=*/true);
  std::string metrics_url;
  const std::string said = "flow: metrics at ";
  while (auto line = flow.read_line(std::chrono::seconds(20))) {
    if (line->rfind(said, 0) == 0) {
      metrics_url = line->substr(said.size());
      break;
    }
  }
  REQUIRE(!metrics_url.empty());
  REQUIRE(wait_for([&] { return server.received().size() >= 50; }, std::chrono::seconds(20)));
  server.kill();
  // Restarted only once flow has seen the outage: calls refused, then retried.
  auto page = [&] { return run_command(fmt::format("curl -s {}", shell_quote(metrics_url))).out; };
  REQUIRE(
      wait_for([&] { return scraped(page(), "out", "connection_errors") >= 2; }, std::chrono::seconds(20)));
  server.restart();
  REQUIRE(flow.finish(std::chrono::seconds(60)) == 0);
  auto metrics = nlohmann::json::parse(read_file(dir + "/run.json"));

  auto requests = server.received();
  std::set<std::string> answered;
  for (const auto& request : requests)
    if (request.status == 200) answered.insert(request.body);
  CHECK(answered.size() == 400);  // every line reached the server, answered 200
  CHECK(entry(metrics.at("sinks"), "name", "out").at("delivered") == 400);
  CHECK(entry(metrics.at("nodes"), "name", "out").at("errors") == 0);
  CHECK(node_count(metrics, "out", "connection_errors") >= 2);
  CHECK(node_count(metrics, "out", "retries") >= 2);
  // Every try is counted: one per message, plus its retries.
  CHECK(node_count(metrics, "out", "requests") == 400 + node_count(metrics, "out", "retries"));
}
