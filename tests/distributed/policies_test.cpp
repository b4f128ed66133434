// A cut edge's overflow policy, carried out by its stream. The producing part
// runs alone first, so the stream fills to exactly its capacity and every
// figure follows from the file: 200 messages into a stream of 5.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "support.hpp"

using namespace flow::test;

namespace {

constexpr int produced = 200;
constexpr int capacity = 5;

std::string pipeline_with(const std::string& directory, const std::string& policy) {
  auto path = fmt::format("{}/{}.flow", directory, policy);
  write_file(path, fmt::format("pipeline p_{0}\n"
                               "source ingest = generate(count={1}, size=16B) [part=front]\n"
                               "sink   store  = discard() [part=back]\n"
                               "ingest -> store [capacity={2}, overflow={0}]\n",
                               policy, produced, capacity));
  return path;
}

}  // namespace

TEST_CASE("drop_newest: a full stream refuses, and the producing part counts each refusal a drop", "[nats]") {
  NatsServer server;
  auto directory = temp_directory();
  auto file = pipeline_with(directory, "drop_newest");
  PartProcess front(file, "front", server, directory);
  REQUIRE(front.finish() == 0);
  auto metrics = front.metrics();
  auto edge = edge_of(metrics, "ingest", "store");
  CHECK(edge.at("dropped") == produced - capacity);
  CHECK(edge.at("held") == capacity);
  CHECK(edge.at("transport") == "jetstream");
  auto source = metrics.at("sources").at(0);
  CHECK(source.at("produced") == produced);
  CHECK(source.at("dropped") == produced - capacity);
  PartProcess back(file, "back", server, directory);
  REQUIRE(back.finish() == 0);
  CHECK(delivered_at(back.metrics(), "store") == capacity);
}

TEST_CASE("drop_oldest: the stream discards its oldest, and the consuming part counts the gap", "[nats]") {
  NatsServer server;
  auto directory = temp_directory();
  auto file = pipeline_with(directory, "drop_oldest");
  PartProcess front(file, "front", server, directory);
  REQUIRE(front.finish() == 0);
  CHECK(edge_of(front.metrics(), "ingest", "store").at("held") == capacity);
  PartProcess back(file, "back", server, directory);
  REQUIRE(back.finish() == 0);
  auto metrics = back.metrics();
  CHECK(delivered_at(metrics, "store") == capacity);
  CHECK(edge_of(metrics, "ingest", "store").at("dropped") == produced - capacity);
}

TEST_CASE("fail: the first refusal fails the producing part, naming the edge", "[nats]") {
  NatsServer server;
  auto directory = temp_directory();
  auto file = pipeline_with(directory, "fail");
  PartProcess front(file, "front", server, directory);
  CHECK(front.finish() == 1);
  INFO(front.output());
  CHECK(front.output().find("edge ingest -> store") != std::string::npos);
  CHECK(front.output().find("is full (capacity 5)") != std::string::npos);
}

TEST_CASE("block: a full stream holds the producer until the consumer makes room", "[nats]") {
  NatsServer server;
  auto directory = temp_directory();
  auto file = pipeline_with(directory, "block");
  PartProcess front(file, "front", server, directory);
  PartProcess back(file, "back", server, directory);
  REQUIRE(front.finish() == 0);
  REQUIRE(back.finish() == 0);
  CHECK(delivered_at(back.metrics(), "store") == produced);
  auto edge = edge_of(front.metrics(), "ingest", "store");
  CHECK(edge.at("dropped") == 0);
  // discard() takes microseconds; the producer is faster still, so the stream
  // fills to its capacity and the producer waits for room.
  CHECK(edge.at("high_water").get<int>() <= capacity);
  CHECK(edge.at("blocked_s").get<double>() > 0);
}
