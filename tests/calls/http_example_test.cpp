// examples/ship.flow against a real server: every line of the sample log
// arrives, in batches, once the server's 503s have been retried.
#include <set>

#include "http_support.hpp"

using namespace flow::test;

TEST_CASE("examples/ship.flow ships the sample log in batches, retrying the server's 503s", "[calls][http]") {
  TestServer server({"--unavailable", "2", "--retry-after", "0"});
  auto result = run_command(
      fmt::format("{} run examples/ship.flow --quiet --set ship.url={} --metrics-json {}", FLOW_BINARY,
                  shell_quote('"' + server.url() + '"'), temp_directory() + "/run.json"),
      FLOW_SOURCE_DIR);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto log = read_file(std::string(FLOW_SOURCE_DIR) + "/examples/data/app.log");
  std::multiset<std::string> expected, shipped;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) expected.insert(line);
  std::size_t batches = 0;
  for (const auto& request : server.received()) {
    if (request.status != 200) continue;
    ++batches;
    std::istringstream body(request.body);
    for (std::string line; std::getline(body, line);) shipped.insert(line);
  }
  CHECK(shipped == expected);
  // Batches of at most 100: at least lines / 100 requests, far fewer than lines.
  CHECK(batches >= (expected.size() + 99) / 100);
  CHECK(batches < expected.size() / 10);
  CHECK(server.received().size() == batches + 2);
}
