// The same .flow file run whole and split into parts over a real nats-server:
// the same deliveries, cut edges bounded by their capacity, about the same
// time; a part killed with SIGKILL and restarted loses no input line; a part
// run twice shares its input and takes about half the time.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <set>
#include <sstream>

#include "support.hpp"

using namespace flow::test;
using namespace std::chrono_literals;

namespace {

std::string example(const std::string& name) { return std::string(FLOW_EXAMPLES_DIR) + "/" + name; }

double elapsed_of(const nlohmann::json& metrics) { return metrics.at("elapsed_s").get<double>(); }

}  // namespace

TEST_CASE("the end-to-end example split in three parts delivers what it does whole, in about the same time",
          "[nats]") {
  auto file = example("distributed/end_to_end.flow");
  auto directory = temp_directory();
  auto whole = run_command(fmt::format("{} run {} --quiet --metrics-json {}/whole.json", FLOW_BINARY, file, directory));
  REQUIRE(whole.exit_code == 0);
  auto whole_metrics = nlohmann::json::parse(read_file(directory + "/whole.json"));

  NatsServer server;
  // The consuming parts first: they wait for their producers.
  PartProcess back(file, "back", server, directory);
  PartProcess middle(file, "middle", server, directory);
  PartProcess front(file, "front", server, directory);
  REQUIRE(front.finish() == 0);
  REQUIRE(middle.finish() == 0);
  REQUIRE(back.finish() == 0);
  auto back_metrics = back.metrics();
  auto middle_metrics = middle.metrics();
  auto front_metrics = front.metrics();

  // generate(count=100): every message reaches store, once.
  CHECK(delivered_at(whole_metrics, "store") == 100);
  CHECK(delivered_at(back_metrics, "store") == 100);
  // Both ends of each cut edge see it as a JetStream edge of capacity 5 that never held more.
  for (const auto* metrics : {&front_metrics, &middle_metrics}) {
    auto edge = edge_of(*metrics, "validate", "process");
    CHECK(edge.at("transport") == "jetstream");
    CHECK(edge.at("capacity") == 5);
    CHECK(edge.at("high_water").get<int>() <= 5);
  }
  CHECK(edge_of(back_metrics, "process", "store").at("high_water").get<int>() <= 5);
  // process (50 ms a message) is slower than validate (10 ms): the stream in
  // front of it fills and front blocks, as ingest does in one process.
  CHECK(edge_of(front_metrics, "validate", "process").at("high_water") == 5);
  CHECK(edge_of(front_metrics, "validate", "process").at("blocked_s").get<double>() > 1.0);
  CHECK(node_of(front_metrics, "process").at("remote") == true);
  // The whole run takes 100 × 50 ms plus a little; the split one, the same plus its hops.
  auto split_s = std::max({elapsed_of(back_metrics), elapsed_of(middle_metrics), elapsed_of(front_metrics)});
  INFO("whole " << elapsed_of(whole_metrics) << " s, split " << split_s << " s");
  CHECK(split_s < elapsed_of(whole_metrics) * 1.25 + 0.5);
}

TEST_CASE("a part killed with SIGKILL mid-run and restarted loses no input line", "[nats]") {
  auto directory = temp_directory();
  constexpr int lines = 3000;
  auto input = write_numbered_lines(directory + "/input.txt", lines);
  auto file = directory + "/relay.flow";
  write_file(file, fmt::format("pipeline relay\n"
                               "source lines = read(\"{0}/input.txt\") [part=front]\n"
                               "stage  work  = delay(1ms) [part=middle, workers=2]\n"
                               "sink   out   = write(\"{0}/output.txt\") [part=back]\n"
                               "edge [capacity=100]\n"
                               "lines -> work -> out\n",
                               directory));
  NatsServer server;
  PartProcess back(file, "back", server, directory);
  PartProcess front(file, "front", server, directory);
  {
    PartProcess doomed(file, "middle", server, directory, {"--report", "100ms", "--quiet"}, "doomed");
    // A report showing its output stream holding some: it has taken and
    // worked, and with input left it holds more taken and unfinished.
    bool working = false;
    while (!working) {
      auto line = doomed.child().read_line(30s);
      REQUIRE(line.has_value());
      working = line->find("work->out 0/") == std::string::npos && line->find("work->out ") != std::string::npos;
    }
    doomed.child().send(SIGKILL);
    doomed.finish();
    CHECK(doomed.child().killed_by() == SIGKILL);
  }
  PartProcess restarted(file, "middle", server, directory);
  REQUIRE(restarted.finish() == 0);
  REQUIRE(front.finish() == 0);
  REQUIRE(back.finish() == 0);
  auto written = lines_of(read_file(directory + "/output.txt"));
  // At least once: every line, some perhaps twice (those the killed part had passed on but not acknowledged).
  CHECK(distinct_lines(read_file(directory + "/output.txt")) == distinct_lines(input));
  CHECK(written.size() >= static_cast<std::size_t>(lines));
  // What the killed part held came back to the new one, and is counted.
  auto metrics = restarted.metrics();
  CHECK(edge_of(metrics, "lines", "work").at("redelivered").get<int>() > 0);
  CHECK(delivered_at(back.metrics(), "out") == written.size());
}

TEST_CASE("the bottleneck part run twice shares its input and takes about half the time", "[nats]") {
  auto directory = temp_directory();
  // work takes 40 ms a message, one at a time: 80 messages take 3.2 s in one process.
  auto file_for = [&](const std::string& name) {
    auto path = fmt::format("{}/{}.flow", directory, name);
    write_file(path, fmt::format("pipeline {}\n"
                                 "source ingest = generate(count=80, size=8B) [part=front]\n"
                                 "stage  work   = delay(40ms) [part=work]\n"
                                 "sink   store  = discard() [part=back]\n"
                                 "edge [capacity=4]\n"
                                 "ingest -> work -> store\n",
                                 name));
    return path;
  };
  NatsServer server;
  auto run_with = [&](const std::string& name, int copies, std::vector<std::uint64_t>& taken) {
    auto file = file_for(name);
    PartProcess back(file, "back", server, directory, {}, name + "-back");
    std::vector<std::unique_ptr<PartProcess>> workers;
    for (int i = 0; i < copies; ++i) {
      workers.push_back(std::make_unique<PartProcess>(file, "work", server, directory, std::vector<std::string>{},
                                                      fmt::format("{}-work{}", name, i)));
    }
    PartProcess front(file, "front", server, directory, {}, name + "-front");
    REQUIRE(front.finish() == 0);
    for (auto& worker : workers) {
      REQUIRE(worker->finish() == 0);
      taken.push_back(node_of(worker->metrics(), "work").at("in").get<std::uint64_t>());
    }
    REQUIRE(back.finish() == 0);
    auto metrics = back.metrics();
    CHECK(delivered_at(metrics, "store") == 80);
    return elapsed_of(metrics);
  };
  std::vector<std::uint64_t> alone, shared;
  auto one = run_with("once", 1, alone);
  auto two = run_with("twice", 2, shared);
  INFO("one process " << one << " s, two " << two << " s");
  CHECK(alone == std::vector<std::uint64_t>{80});
  REQUIRE(shared.size() == 2);
  CHECK(shared[0] + shared[1] == 80);
  CHECK(shared[0] > 10);
  CHECK(shared[1] > 10);
  CHECK(one / two > 1.5);
}

TEST_CASE("examples/distributed/run.sh runs the three parts against a server and each ends ok", "[nats]") {
  NatsServer server;
  auto result = run_command(fmt::format("FLOW_NATS_URL={} {} {}", server.url(), example("distributed/run.sh"), FLOW_BINARY));
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  for (const auto* part : {"front", "middle", "back"}) {
    CHECK(result.out.find(fmt::format("== part {}\npipeline end_to_end_split: ok after", part)) != std::string::npos);
  }
  CHECK(result.out.find("store                sink         1       100") != std::string::npos);
}
