// The edge buffer alone: each policy counts single messages and bytes exactly.
#include <catch2/catch.hpp>

#include "runtime/exec/edge.hpp"

using namespace flow;
using namespace flow::exec;

namespace {

Chunk messages(int from, int to, std::size_t size = 1) {
  Chunk chunk;
  for (int i = from; i < to; ++i) chunk.emplace_back().payload = std::string(size, static_cast<char>('a' + i % 26));
  return chunk;
}

Edge edge_with(std::optional<std::uint64_t> capacity, Overflow policy, std::optional<std::uint64_t> max_bytes = {}) {
  Edge edge;
  edge.capacity = capacity;
  edge.overflow = policy;
  edge.max_bytes = max_bytes;
  return edge;
}

}  // namespace

TEST_CASE("a block edge holds up to its capacity and parks the rest in the producer's name", "[runtime][edge]") {
  EdgeBuffer edge(edge_with(3, Overflow::Block));
  Chunk batch = messages(0, 5), dropped;
  OfferResult offered = edge.offer(batch, dropped);
  CHECK(offered.accepted == 3);
  CHECK(offered.newly_blocked);
  CHECK(dropped.empty());
  CHECK(edge.has_parked());
  CHECK(edge.snapshot().held == 3);
  CHECK(edge.snapshot().in == 3);  // parked messages are not in yet

  Chunk out;
  TakeResult taken = edge.take(out, 1);
  CHECK(taken.taken == 1);
  CHECK_FALSE(taken.unblocked);  // one parked message is still waiting
  taken = edge.take(out, 10);
  CHECK(taken.unblocked);
  CHECK(out.size() == 4);
  auto metrics = edge.snapshot();
  CHECK(metrics.in == 5);
  CHECK(metrics.high_water == 3);
  CHECK(metrics.held == 1);
}

TEST_CASE("drop_newest discards the message being sent and never parks", "[runtime][edge]") {
  EdgeBuffer edge(edge_with(2, Overflow::DropNewest));
  Chunk batch = messages(0, 5), dropped;
  OfferResult offered = edge.offer(batch, dropped);
  CHECK(offered.accepted == 2);
  CHECK_FALSE(offered.newly_blocked);
  REQUIRE(dropped.size() == 3);
  CHECK(dropped.front().payload == "c");
  auto metrics = edge.snapshot();
  CHECK(metrics.in == 5);
  CHECK(metrics.dropped == 3);
  CHECK(metrics.held == 2);
}

TEST_CASE("drop_oldest discards the oldest held message and keeps the new one", "[runtime][edge]") {
  EdgeBuffer edge(edge_with(2, Overflow::DropOldest));
  Chunk batch = messages(0, 5), dropped;
  edge.offer(batch, dropped);
  REQUIRE(dropped.size() == 3);
  CHECK(dropped.front().payload == "a");
  Chunk out;
  edge.take(out, 10);
  REQUIRE(out.size() == 2);
  CHECK(out[0].payload == "d");
  CHECK(out[1].payload == "e");
  auto metrics = edge.snapshot();
  CHECK(metrics.in == metrics.out + metrics.dropped);
}

TEST_CASE("a fail edge reports the overflow and takes nothing past capacity", "[runtime][edge]") {
  EdgeBuffer edge(edge_with(3, Overflow::Fail));
  Chunk batch = messages(0, 4), dropped;
  OfferResult offered = edge.offer(batch, dropped);
  CHECK(offered.overflowed);
  CHECK_FALSE(offered.bytes_limited);
  CHECK(edge.snapshot().held == 3);
}

TEST_CASE("max_bytes makes an edge full before its capacity", "[runtime][edge]") {
  EdgeBuffer edge(edge_with(100, Overflow::Block, 25));
  Chunk batch = messages(0, 5, 10), dropped;
  OfferResult offered = edge.offer(batch, dropped);
  CHECK(offered.accepted == 2);
  CHECK(offered.newly_blocked);
  auto metrics = edge.snapshot();
  CHECK(metrics.bytes_held == 20);
  CHECK(metrics.high_water_bytes == 20);
}

TEST_CASE("a batch counts as one message on an edge and its members' bytes", "[runtime][edge]") {
  EdgeBuffer edge(edge_with(1, Overflow::Block));
  Chunk batch(1), dropped;
  batch[0].members = messages(0, 10, 4);
  OfferResult offered = edge.offer(batch, dropped);
  CHECK(offered.accepted == 1);
  CHECK(edge.snapshot().bytes_held == 40);
  CHECK(edge.snapshot().high_water == 1);
}

TEST_CASE("an unbounded edge never fills", "[runtime][edge]") {
  EdgeBuffer edge(edge_with(std::nullopt, Overflow::Block));
  Chunk batch = messages(0, 1000), dropped;
  OfferResult offered = edge.offer(batch, dropped);
  CHECK(offered.accepted == 1000);
  CHECK_FALSE(offered.newly_blocked);
  CHECK(edge.snapshot().full_s == 0);
}

TEST_CASE("a closed edge is drained only once empty", "[runtime][edge]") {
  EdgeBuffer edge(edge_with(4, Overflow::Block));
  Chunk batch = messages(0, 2), dropped, out;
  edge.offer(batch, dropped);
  edge.close();
  CHECK_FALSE(edge.drained());
  edge.take(out, 10);
  CHECK(edge.drained());
}
