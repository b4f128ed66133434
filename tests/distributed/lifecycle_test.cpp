// How parts live, die and restart (issue 30): a restarted sink part keeps
// what it wrote; a second process of it is refused.
#include <fmt/format.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <functional>
#include <sstream>
#include <thread>

#include "support.hpp"

using namespace flow::test;
using namespace std::chrono_literals;

namespace {

/// Waits until `ready` holds or `timeout` passes; whether it held. For what a
/// process leaves in a file, which it does not print.
bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

std::size_t line_count(const std::string& path) {
  return lines_of(read_file(path)).size();
}

std::string read_then_write(const std::string& directory, const std::string& name, const std::string& delay,
                            int capacity = 4) {
  auto path = fmt::format("{}/{}.flow", directory, name);
  write_file(path, fmt::format("pipeline {1}\n"
                               "source lines = read(\"{0}/input.txt\") [part=front]\n"
                               "sink   out   = delay({2}) | write(\"{0}/output.txt\") [part=back]\n"
                               "lines -> out [capacity={3}]\n",
                               directory, name, delay, capacity));
  return path;
}

}  // namespace

TEST_CASE("a sink part killed and restarted appends to its file, keeping the lines written before the kill",
          "[nats]") {
  auto directory = temp_directory();
  auto input = write_numbered_lines(directory + "/input.txt", 200);
  auto file = read_then_write(directory, "appended", "10ms");
  auto output = directory + "/output.txt";
  NatsServer server;
  PartProcess front(file, "front", server, directory);
  std::string before;
  {
    PartProcess doomed(file, "back", server, directory, {"--quiet"}, "doomed");
    // 200 lines at 10 ms take 2 s: kill it once it has written some.
    REQUIRE(wait_until([&] { return line_count(output) >= 20; }, 30s));
    doomed.child().send(SIGKILL);
    doomed.finish();
    before = read_file(output);
  }
  PartProcess back(file, "back", server, directory);
  REQUIRE(front.finish() == 0);
  REQUIRE(back.finish() == 0);
  auto after = read_file(output);
  CHECK(after.substr(0, before.size()) == before);
  CHECK(distinct_lines(after) == distinct_lines(input));
}

TEST_CASE("a run in one process still empties the file it writes", "[nats]") {
  auto directory = temp_directory();
  write_numbered_lines(directory + "/input.txt", 3);
  auto file = read_then_write(directory, "whole", "0ms");
  for (int run = 0; run < 2; ++run) {
    REQUIRE(run_command(fmt::format("{} run {} --quiet", FLOW_BINARY, file)).exit_code == 0);
  }
  CHECK(line_count(directory + "/output.txt") == 3);
}

TEST_CASE("a second process of a part that writes a file is refused before it takes anything", "[nats]") {
  auto directory = temp_directory();
  write_numbered_lines(directory + "/input.txt", 20);
  auto file = read_then_write(directory, "locked", "100ms", 20);
  NatsServer server;
  PartProcess front(file, "front", server, directory);
  REQUIRE(front.finish() == 0);
  // The stream holds all 20 lines; the first process takes 2 s over them.
  PartProcess first(file, "back", server, directory, {"--report", "100ms", "--quiet"}, "first");
  REQUIRE(first.child().read_line(30s).has_value());
  PartProcess second(file, "back", server, directory, {}, "second");
  CHECK(second.finish(30s) == 1);
  CHECK(second.output().find(
            fmt::format("flow: error: sink out: '{}/output.txt' is already written by another flow "
                        "process (pid {})",
                        directory, first.child().pid())) != std::string::npos);
  REQUIRE(first.finish() == 0);
  auto metrics = first.metrics();
  CHECK(delivered_at(metrics, "out") == 20);
  // Nothing the second one took came back to the first.
  CHECK(edge_of(metrics, "lines", "out").at("redelivered") == 0);
  CHECK(line_count(directory + "/output.txt") == 20);
}
