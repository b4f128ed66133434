// examples/ship.flow against a real server: every line of the sample log
// arrives, in batches, once the server's 503s have been retried.
#include <algorithm>
#include <set>

#include "http_support.hpp"

using namespace flow::test;

TEST_CASE("examples/ship.flow ships the sample log in batches, retrying the server's 503s", "[calls][http]") {
  TestServer server({"--unavailable", "2", "--retry-after", "0"});
  auto result = run_command(
      fmt::format(
          "{} run examples/ship.flow --quiet --set ship.url={} --set unsent.path={} --metrics-json {}",
          FLOW_BINARY, shell_quote('"' + server.url() + '"'),
          shell_quote('"' + temp_directory() + "/ship.dead\""), temp_directory() + "/run.json"),
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

TEST_CASE("examples/ship.flow sets aside in its dead-letter file what the server never takes",
          "[calls][http]") {
  TestServer server({"--unavailable", "1000000", "--retry-after", "0"});
  auto dead = temp_directory() + "/ship.dead";
  auto json = temp_directory() + "/run.json";
  auto result = run_command(
      fmt::format(
          "{} run examples/ship.flow --quiet --set ship.url={} --set ship.retries=1 --set unsent.path={} "
          "--metrics-json {}",
          FLOW_BINARY, shell_quote('"' + server.url() + '"'), shell_quote('"' + dead + '"'), json),
      FLOW_SOURCE_DIR);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto log = read_file(std::string(FLOW_SOURCE_DIR) + "/examples/data/app.log");
  // Every line of every refused batch is in the dead-letter file, in full
  // (four workers: batches in any order).
  auto lines_of = [](const std::string& text) {
    std::multiset<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.insert(line);
    return lines;
  };
  CHECK(lines_of(read_file(dead)) == lines_of(log));
  auto metrics = nlohmann::json::parse(read_file(json));
  auto lines = static_cast<std::uint64_t>(std::count(log.begin(), log.end(), '\n'));
  CHECK(metrics["sources"][0]["dead_lettered"].get<std::uint64_t>() == lines);
  CHECK(metrics["sources"][0]["delivered"].get<std::uint64_t>() == 0);
  CHECK(metrics["sources"][0]["errors"].get<std::uint64_t>() == 0);
}
