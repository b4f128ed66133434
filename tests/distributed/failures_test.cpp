// What a part does when NATS is not there, when a stream disagrees with the
// file, and when the server restarts mid-run; and `flow status`.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>
#include <set>
#include <sstream>

#include "support.hpp"

using namespace flow::test;
using namespace std::chrono_literals;

namespace {

std::string two_parts(const std::string& directory, int capacity) {
  auto path = fmt::format("{}/two_{}.flow", directory, capacity);
  write_file(path, fmt::format("pipeline two\n"
                               "source ingest = generate(count=50, size=8B) [part=front]\n"
                               "sink   store  = discard() [part=back]\n"
                               "ingest -> store [capacity={}, overflow=drop_newest]\n",
                               capacity));
  return path;
}

}  // namespace

TEST_CASE("a server that cannot be reached fails the part within seconds, saying where it looked", "[nats]") {
  auto directory = temp_directory();
  auto url = fmt::format("nats://127.0.0.1:{}", free_port());
  auto started = std::chrono::steady_clock::now();
  auto result = run_command(fmt::format("{} run {} --part front --nats {}", FLOW_BINARY, two_parts(directory, 5), url));
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(result.exit_code == 1);
  CHECK(result.err.find(fmt::format("cannot reach NATS at {}", url)) != std::string::npos);
  CHECK(took < 5s);
}

TEST_CASE("a stream whose limits disagree with the file is an error naming both", "[nats]") {
  NatsServer server;
  auto directory = temp_directory();
  auto first = run_command(fmt::format("{} run {} --part front --quiet --nats {}", FLOW_BINARY, two_parts(directory, 5), server.url()));
  REQUIRE(first.exit_code == 0);
  auto second = run_command(fmt::format("{} run {} --part front --quiet --nats {}", FLOW_BINARY, two_parts(directory, 7), server.url()));
  CHECK(second.exit_code == 1);
  INFO(second.err);
  CHECK(second.err.find("edge ingest -> store (" + directory + "/two_7.flow:4:8) needs a stream with max_msgs 7") !=
        std::string::npos);
  CHECK(second.err.find("the JetStream stream flow-two-ingest-store has max_msgs 5") != std::string::npos);
}

TEST_CASE("flow run --part needs a part the file has, and a server", "[nats]") {
  auto directory = temp_directory();
  auto file = two_parts(directory, 5);
  auto unknown = run_command(fmt::format("{} run {} --part middle --nats nats://127.0.0.1:1", FLOW_BINARY, file));
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown part 'middle'") != std::string::npos);
  CHECK(unknown.err.find("expected one of front, back") != std::string::npos);
  auto no_server = run_command(fmt::format("env -u FLOW_NATS_URL {} run {} --part front", FLOW_BINARY, file));
  CHECK(no_server.exit_code == 2);
  CHECK(no_server.err.find("--nats URL or FLOW_NATS_URL") != std::string::npos);
}

TEST_CASE("flow status shows each cut edge's fill and where backpressure builds", "[nats]") {
  NatsServer server;
  auto directory = temp_directory();
  auto file = two_parts(directory, 5);
  // Before any part has run there is no stream yet, and nothing held.
  auto before = run_command(fmt::format("{} status {} --nats {}", FLOW_BINARY, file, server.url()));
  CHECK(before.exit_code == 0);
  CHECK(before.out.find("no cut edge holds messages") != std::string::npos);
  REQUIRE(run_command(fmt::format("{} run {} --part front --quiet --nats {}", FLOW_BINARY, file, server.url())).exit_code == 0);
  auto status = run_command(fmt::format("{} status {} --nats {}", FLOW_BINARY, file, server.url()));
  INFO(status.out << status.err);
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("ingest -> store") != std::string::npos);
  CHECK(status.out.find("front -> back") != std::string::npos);
  CHECK(status.out.find("5/5") != std::string::npos);
  CHECK(status.out.find("backpressure builds at ingest -> store (5/5, full)") != std::string::npos);
}

TEST_CASE("parts carry on across a restart of the server (file storage)", "[nats]") {
  NatsServer server;
  auto directory = temp_directory();
  constexpr int lines = 400;
  write_numbered_lines(directory + "/input.txt", lines);
  auto file = directory + "/restart.flow";
  write_file(file, fmt::format("pipeline restart\n"
                               "source lines = read(\"{0}/input.txt\") [part=front]\n"
                               "sink   out   = delay(5ms) | write(\"{0}/output.txt\") [part=back]\n"
                               "lines -> out [capacity=20]\n",
                               directory));
  PartProcess back(file, "back", server, directory, {"--report", "100ms", "--quiet"});
  PartProcess front(file, "front", server, directory);
  // Two seconds of work: restart once the consumer has reported.
  REQUIRE(back.child().read_line(30s).has_value());
  server.restart();
  REQUIRE(front.finish() == 0);
  REQUIRE(back.finish() == 0);
  CHECK(distinct_lines(read_file(directory + "/output.txt")).size() == static_cast<std::size_t>(lines));
}
