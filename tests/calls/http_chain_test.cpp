// Two flow processes chained over HTTP: the upstream one's http sink posts to
// the downstream one's listen("http://…", ack=delivered), whose sink is slow.
// The downstream's pace reaches the upstream's source through the answers
// that wait: backpressure across services, end to end.
#include "http_support.hpp"

using namespace flow::test;

TEST_CASE("a slow downstream flow fills the upstream's edge and paces its source", "[calls][http]") {
  auto down_dir = temp_directory();
  write_file(down_dir + "/down.flow", R"(pipeline downstream
source in   = listen("http://127.0.0.1:0/ingest", ack=delivered)
sink   slow = delay(5ms) | discard()
in -> slow [capacity=8]
)");
  Child down(FLOW_BINARY, {"run", down_dir + "/down.flow", "--metrics-json", down_dir + "/run.json"},
             /*merge_stderr=*/true);
  int port = 0;
  const std::string said = "flow: listening on http://127.0.0.1:";
  while (auto line = down.read_line(std::chrono::seconds(20))) {
    if (line->rfind(said, 0) == 0) {
      port = std::stoi(line->substr(said.size()));
      break;
    }
  }
  REQUIRE(port > 0);

  const int count = 400;
  auto up = run_flow(fmt::format(R"(pipeline upstream
source gen  = generate(count={})
sink   ship = http("http://127.0.0.1:{}/ingest") [workers=2]
gen -> ship [capacity=16]
)",
                                 count, port));
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  down.send(SIGTERM);
  down.finish(std::chrono::seconds(30));
  auto down_metrics = nlohmann::json::parse(read_file(down_dir + "/run.json"));

  CHECK(entry(up.metrics.at("sinks"), "name", "ship").at("delivered") == count);
  CHECK(entry(down_metrics.at("sinks"), "name", "slow").at("delivered") == count);
  // The upstream edge filled and its source waited on it.
  const auto& edge = entry(up.metrics.at("edges"), "from", "gen");
  CHECK(edge.at("high_water") == 16);
  CHECK(edge.at("blocked_s").get<double>() > 0);
  // The downstream's one worker takes 5 ms a message: 200 a second at most,
  // and the upstream's source made its messages no faster than that.
  double up_rate = count / up.metrics.at("elapsed_s").get<double>();
  CHECK(up_rate <= 200 * 1.1);
  CHECK(up_rate >= 200 * 0.25);  // the HTTP hop costs time too, on a loaded machine
}
