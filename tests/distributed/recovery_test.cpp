// What a review found, each case one test: a batch across a cut keeps its
// receipt through unbatch; two processes of a part that holds messages both
// end; a stopped consumer leaves the edge for its restart; drop_oldest counts
// one run's drops, not the stream's history; a long server outage.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <csignal>
#include <set>
#include <sstream>
#include <thread>

#include "support.hpp"

using namespace flow::test;
using namespace std::chrono_literals;

TEST_CASE("a batch that crossed a cut is acknowledged only when its last member is done", "[nats]") {
  auto directory = temp_directory();
  constexpr int lines = 200;
  auto input = write_numbered_lines(directory + "/input.txt", lines);
  auto file = directory + "/batched.flow";
  // back takes 10 ms a line: 2 s in all; it is killed after its first report.
  write_file(file, fmt::format("pipeline batched\n"
                               "source lines = read(\"{0}/input.txt\") | batch(max=10) [part=front]\n"
                               "sink   out   = unbatch() | delay(10ms) | write(\"{0}/output.txt\") [part=back]\n"
                               "lines -> out [capacity=4]\n",
                               directory));
  NatsServer server;
  PartProcess front(file, "front", server, directory);
  {
    PartProcess doomed(file, "back", server, directory, {"--report", "100ms", "--quiet"}, "doomed");
    REQUIRE(doomed.child().read_line(30s).has_value());
    doomed.child().send(SIGKILL);
    doomed.finish();
  }
  PartProcess back(file, "back", server, directory);
  REQUIRE(front.finish() == 0);
  REQUIRE(back.finish() == 0);
  CHECK(distinct_lines(read_file(directory + "/output.txt")) == distinct_lines(input));
}

TEST_CASE("a part that holds messages until its input ends, run twice, ends in both processes", "[nats]") {
  auto directory = temp_directory();
  auto file = directory + "/holding.flow";
  // 95 messages: each process's last batch is short and goes only at the end of its input.
  write_file(file, "pipeline holding\n"
                   "source ingest = generate(count=95, size=8B) [part=front]\n"
                   "stage  work   = batch(max=10) [part=work]\n"
                   "sink   store  = unbatch() | discard() [part=back]\n"
                   "edge [capacity=20]\n"
                   "ingest -> work -> store\n");
  NatsServer server;
  PartProcess back(file, "back", server, directory);
  PartProcess one(file, "work", server, directory, {}, "work1");
  PartProcess two(file, "work", server, directory, {}, "work2");
  PartProcess front(file, "front", server, directory);
  REQUIRE(front.finish() == 0);
  REQUIRE(one.finish(60s) == 0);
  REQUIRE(two.finish(60s) == 0);
  REQUIRE(back.finish(60s) == 0);
  CHECK(delivered_at(back.metrics(), "store") == 95);
}

TEST_CASE("a consuming part stopped early leaves the edge to its restart, which takes the rest and ends", "[nats]") {
  auto directory = temp_directory();
  auto file = directory + "/stopped.flow";
  write_file(file, "pipeline stopped\n"
                   "source ingest = generate(count=40, size=8B) [part=front]\n"
                   "sink   store  = delay(50ms) | discard() [part=back]\n"
                   "ingest -> store [capacity=40]\n");
  NatsServer server;
  PartProcess front(file, "front", server, directory);
  REQUIRE(front.finish() == 0);
  // 40 messages at 50 ms take 2 s: a 500 ms run takes some and stops.
  PartProcess early(file, "back", server, directory, {"--duration", "500ms"}, "early");
  REQUIRE(early.finish() == 0);
  auto first = delivered_at(early.metrics(), "store");
  CHECK(first > 0);
  CHECK(first < 40);
  PartProcess rest(file, "back", server, directory, {}, "rest");
  REQUIRE(rest.finish(60s) == 0);
  CHECK(first + delivered_at(rest.metrics(), "store") >= 40);
}

TEST_CASE("drop_oldest counts this run's drops, not those of the runs before it on the same stream", "[nats]") {
  auto directory = temp_directory();
  auto file = directory + "/oldest.flow";
  write_file(file, "pipeline oldest\n"
                   "source ingest = generate(count=200, size=8B) [part=front]\n"
                   "sink   store  = discard() [part=back]\n"
                   "ingest -> store [capacity=5, overflow=drop_oldest]\n");
  NatsServer server;
  for (int run = 1; run <= 2; ++run) {
    INFO("run " << run);
    PartProcess front(file, "front", server, directory, {}, fmt::format("front{}", run));
    REQUIRE(front.finish() == 0);
    PartProcess back(file, "back", server, directory, {}, fmt::format("back{}", run));
    REQUIRE(back.finish() == 0);
    auto metrics = back.metrics();
    CHECK(delivered_at(metrics, "store") == 5);
    CHECK(edge_of(metrics, "ingest", "store").at("dropped") == 195);
  }
}

TEST_CASE("a part waiting on its producers outlives a server outage longer than its requests' timeouts", "[nats]") {
  auto directory = temp_directory();
  auto file = directory + "/outage.flow";
  write_file(file, "pipeline outage\n"
                   "source ingest = generate(count=20, size=8B) [part=front]\n"
                   "sink   store  = discard() [part=back]\n"
                   "ingest -> store [capacity=20]\n");
  NatsServer server;
  PartProcess back(file, "back", server, directory, {"--report", "100ms", "--quiet"});
  REQUIRE(back.child().read_line(30s).has_value());
  server.stop();
  // The outage itself (past the 5 s JetStream request timeout), not a wait for anything.
  std::this_thread::sleep_for(7s);
  server.start_again();
  PartProcess front(file, "front", server, directory);
  REQUIRE(front.finish() == 0);
  REQUIRE(back.finish(60s) == 0);
  INFO(front.output() << back.output());
  CHECK(delivered_at(back.metrics(), "store") == 20);
}
