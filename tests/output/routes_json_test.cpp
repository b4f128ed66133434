// The metrics JSON of a run with dead-letter routes and deadlines (issue 24,
// items 3 and 4): the keys written, `dead_letter` only on routes, and files
// written before them still read. The run is hand-built (pipelines.hpp).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "flow/metrics_json.hpp"
#include "pipelines.hpp"

using namespace flow;
using namespace flow::test;
using Json = nlohmann::json;

TEST_CASE("Metrics JSON marks a dead-letter edge with dead_letter true, and only that edge",
          "[output][json]") {
  auto run = dead_letters_run();
  auto json = Json::parse(to_json(run));
  REQUIRE(json["edges"].size() == 5);
  // The run's two declared edges, then its three dead-letter edges (pipelines.hpp).
  CHECK_FALSE(json["edges"][0].contains("dead_letter"));
  CHECK_FALSE(json["edges"][1].contains("dead_letter"));
  for (int i = 2; i < 5; ++i) CHECK(json["edges"][i]["dead_letter"] == true);
  CHECK(json["edges"][0]["dead_lettered"] == 10);
  CHECK(json["edges"][1]["expired"] == 2);
  CHECK(json["nodes"][1]["expired"] == 3);
  CHECK(json["nodes"][1]["dead_lettered"] == 8);
  CHECK(json["sources"][0]["dead_lettered"] == 20);
  CHECK(json["sources"][0]["expired"] == 0);
  // Read back, every route count where it was.
  auto back = metrics_from_json(to_json(run)).metrics.value();
  REQUIRE(back.edges.size() == run.edges.size());
  for (std::size_t i = 0; i < run.edges.size(); ++i) {
    INFO("edges[" << i << "]");
    CHECK(back.edges[i].dead_letter == run.edges[i].dead_letter);
    CHECK(back.edges[i].expired == run.edges[i].expired);
    CHECK(back.edges[i].dead_lettered == run.edges[i].dead_lettered);
  }
  CHECK(back.nodes[1].expired == 3);
  CHECK(back.nodes[1].dead_lettered == 8);
  CHECK(back.sources[0].dead_lettered == 20);
}

TEST_CASE("Metrics JSON written before dead-letter routes reads their counts as 0", "[output][json]") {
  auto json = Json::parse(to_json(dead_letters_run()));
  for (auto& node : json["nodes"]) {
    node.erase("expired");
    node.erase("dead_lettered");
  }
  for (auto& edge : json["edges"]) {
    edge.erase("expired");
    edge.erase("dead_lettered");
    edge.erase("dead_letter");
  }
  for (auto& source : json["sources"]) {
    source.erase("expired");
    source.erase("dead_lettered");
  }
  auto read = metrics_from_json(json.dump());
  REQUIRE(read.diagnostics.empty());
  const auto& back = read.metrics.value();
  CHECK(back.nodes[1].expired == 0);
  CHECK(back.nodes[1].dead_lettered == 0);
  CHECK(back.edges[1].expired == 0);
  CHECK(back.edges[0].dead_lettered == 0);
  CHECK_FALSE(back.edges[2].dead_letter);
  CHECK(back.sources[0].dead_lettered == 0);
  CHECK(back.sources[0].expired == 0);
  CHECK(back.sources[0].produced == 100);
}

TEST_CASE("Metrics JSON reading refuses a dead_letter that is not true or false", "[output][json]") {
  auto json = Json::parse(to_json(dead_letters_run()));
  json["edges"][2]["dead_letter"] = "yes";
  auto read = metrics_from_json(json.dump());
  REQUIRE(read.diagnostics.size() == 1);
  CHECK_THAT(read.diagnostics[0].message, Catch::Contains("edges[2].dead_letter: expected true or false"));
}
