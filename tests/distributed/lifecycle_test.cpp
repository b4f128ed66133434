// How parts live, die and restart (issue 30): a restarted sink part keeps
// what it wrote; a second process of it is refused; drop_oldest balances
// across the parts; a consumer with no producer sleeps; a deleted durable
// consumer fails the part; SIGTERM of a producer held by a full stream ends it
// as a stopped run, and its consumer after it; a middle part stopped so gives
// back what it could not publish.
#include <fmt/format.h>
#include <nats/nats.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <functional>
#include <sstream>
#include <thread>

#include "../faults/sanitized.hpp"
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

/// Reads the child's lines until one holds `text`; whether one did within `timeout`.
bool wait_for_line(Child& child, const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (auto line = child.read_line(std::chrono::duration_cast<std::chrono::milliseconds>(
             deadline - std::chrono::steady_clock::now()))) {
    if (line->find(text) != std::string::npos) return true;
  }
  return false;
}

std::size_t line_count(const std::string& path) {
  return lines_of(read_file(path)).size();
}

/// CPU time (user + system) of process `pid` so far, in seconds.
double cpu_seconds(pid_t pid) {
  auto stat = read_file(fmt::format("/proc/{}/stat", pid));
  // Fields after the command name, which is in parentheses and may hold spaces.
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  unsigned long long user = 0, system = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) user = std::stoull(field);
    if (i == 15) system = std::stoull(field);
  }
  return static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// Deletes a durable consumer, as an operator would with `nats consumer rm`.
void delete_consumer(const NatsServer& server, const std::string& stream) {
  natsConnection* connection = nullptr;
  REQUIRE(natsConnection_ConnectTo(&connection, server.url().c_str()) == NATS_OK);
  jsCtx* js = nullptr;
  REQUIRE(natsConnection_JetStream(&js, connection, nullptr) == NATS_OK);
  jsErrCode code = static_cast<jsErrCode>(0);
  CHECK(js_DeleteConsumer(js, stream.c_str(), stream.c_str(), nullptr, &code) == NATS_OK);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
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

TEST_CASE("drop_oldest balances across the parts: the consuming part's edge reads in = out + dropped",
          "[nats]") {
  auto directory = temp_directory();
  auto file = directory + "/balance.flow";
  write_file(file,
             "pipeline balance\n"
             "source ingest = generate(count=500, size=8B) [part=front]\n"
             "sink   store  = discard() [part=back]\n"
             "ingest -> store [capacity=57, overflow=drop_oldest]\n");
  NatsServer server;
  for (int run = 1; run <= 2; ++run) {
    INFO("run " << run);
    PartProcess front(file, "front", server, directory, {}, fmt::format("front{}", run));
    REQUIRE(front.finish() == 0);
    PartProcess back(file, "back", server, directory, {}, fmt::format("back{}", run));
    REQUIRE(back.finish() == 0);
    auto edge = edge_of(back.metrics(), "ingest", "store");
    CHECK(edge.at("in") == 500);
    CHECK(edge.at("out") == 57);
    CHECK(edge.at("dropped") == 443);
    CHECK(edge.at("held") == 0);
  }
}

TEST_CASE("a consuming part with no producer yet waits on the server, not on the CPU", "[nats]") {
  auto directory = temp_directory();
  auto file = directory + "/idle.flow";
  write_file(file,
             "pipeline idle\n"
             "source ingest = generate(count=10, size=8B) [part=front]\n"
             "sink   store  = discard() [part=back]\n"
             "ingest -> store [capacity=10]\n");
  NatsServer server;
  PartProcess back(file, "back", server, directory, {"--report", "100ms", "--quiet"});
  REQUIRE(back.child().read_line(30s).has_value());
  auto pid = back.child().pid();
  // Past the start: a quiet wait of 3 s, measured.
  auto cpu_before = cpu_seconds(pid);
  auto wall_before = std::chrono::steady_clock::now();
  // The window measured: its reports keep coming meanwhile, and are read.
  while (std::chrono::steady_clock::now() - wall_before < 3s) back.child().read_line(100ms);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  double used = cpu_seconds(pid) - cpu_before;
  INFO("CPU " << used << " s over " << wall << " s");
  // A 1 ms poll cost about a tenth of a core; waiting on the server costs about 1 %.
  // A sanitizer's instrumentation costs more than that: the figure means nothing there.
  if (flow::test::sanitized) {
    WARN("CPU not checked under a sanitizer");
  } else {
    CHECK(used / wall < 0.03);
  }
  PartProcess front(file, "front", server, directory);
  REQUIRE(front.finish() == 0);
  REQUIRE(back.finish() == 0);
  CHECK(delivered_at(back.metrics(), "store") == 10);
}

TEST_CASE("a durable consumer deleted mid-run fails the consuming part, naming the edge and the consumer",
          "[nats]") {
  auto directory = temp_directory();
  auto file = directory + "/deleted.flow";
  write_file(file,
             "pipeline deleted\n"
             "source ingest = generate(count=10, size=8B) [part=front]\n"
             "sink   store  = discard() [part=back]\n"
             "ingest -> store [capacity=10]\n");
  NatsServer server;
  PartProcess back(file, "back", server, directory, {"--report", "100ms", "--quiet"});
  REQUIRE(back.child().read_line(30s).has_value());
  delete_consumer(server, "flow-deleted-ingest-store");
  CHECK(back.finish(20s) == 1);
  INFO(back.output());
  CHECK(back.output().find(
            "edge ingest -> store: the durable consumer flow-deleted-ingest-store of the JetStream "
            "stream flow-deleted-ingest-store is gone") != std::string::npos);
}

TEST_CASE(
    "SIGTERM of a producing part held by a full stream ends it as a stopped run, and its consumer after it",
    "[nats]") {
  auto directory = temp_directory();
  auto pipeline = [&](int count) {
    auto path = fmt::format("{}/stopped_{}.flow", directory, count);
    write_file(path, fmt::format("pipeline stopped\n"
                                 "source ingest = generate(count={}, size=8B) [part=front]\n"
                                 "sink   store  = discard() [part=back]\n"
                                 "ingest -> store [capacity=5, overflow=block]\n",
                                 count));
    return path;
  };
  NatsServer server;
  // A first producer fills the stream, so the second one's first publish is refused.
  PartProcess filler(pipeline(5), "front", server, directory, {}, "filler");
  REQUIRE(filler.finish() == 0);
  auto file = pipeline(200);
  PartProcess front(file, "front", server, directory, {"--report", "100ms", "--quiet"});
  // Two reports in, it has made messages and waits for room; docker stop.
  REQUIRE(front.child().read_line(30s).has_value());
  REQUIRE(front.child().read_line(30s).has_value());
  front.child().send(SIGTERM);
  CHECK(front.finish(20s) == 143);
  INFO(front.output());
  CHECK(front.output().find("flow: edge ingest -> store: stopped with ") != std::string::npos);
  auto metrics = front.metrics();
  CHECK(metrics.at("status") == "interrupted");
  auto source = metrics.at("sources").at(0);
  auto produced = source.at("produced").get<std::uint64_t>();
  // Nothing could be published: all it made counts as errors, and the balance holds.
  CHECK(produced > 0);
  CHECK(source.at("delivered") == 0);
  CHECK(source.at("dropped") == 0);
  CHECK(source.at("errors") == produced);
  CHECK(node_of(metrics, "store").at("errors").get<std::uint64_t>() > 0);
  // The producer closed: the consumer takes the 5 the stream holds and ends.
  PartProcess back(file, "back", server, directory);
  CHECK(back.finish(20s) == 0);
  CHECK(delivered_at(back.metrics(), "store") == 5);
}

TEST_CASE("a middle part stopped while its output stream is full gives back what it could not publish",
          "[nats]") {
  auto directory = temp_directory();
  auto input = write_numbered_lines(directory + "/input.txt", 40);
  auto file = directory + "/handback.flow";
  write_file(file, fmt::format("pipeline handback\n"
                               "source lines = read(\"{0}/input.txt\") [part=front]\n"
                               "stage  pass  = grep(\".\") [part=middle]\n"
                               "sink   out   = write(\"{0}/output.txt\") [part=back]\n"
                               "lines -> pass [capacity=40]\n"
                               "pass -> out [capacity=5]\n",
                               directory));
  NatsServer server;
  PartProcess front(file, "front", server, directory);
  REQUIRE(front.finish() == 0);
  {
    // With no consumer, the middle fills the stream to out with 5 lines and waits.
    PartProcess stopped(file, "middle", server, directory, {"--report", "100ms", "--quiet"}, "stopped");
    REQUIRE(wait_for_line(stopped.child(), "pass->out 5/5", 30s));
    stopped.child().send(SIGTERM);
    REQUIRE(stopped.finish(20s) == 143);
  }
  PartProcess middle(file, "middle", server, directory, {"--report", "100ms", "--quiet"});
  REQUIRE(middle.child().read_line(30s).has_value());
  PartProcess back(file, "back", server, directory);
  REQUIRE(middle.finish() == 0);
  REQUIRE(back.finish() == 0);
  CHECK(distinct_lines(read_file(directory + "/output.txt")) == distinct_lines(input));
}
