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
  CHECK(edge.has_parked());
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
  CHECK_FALSE(edge.has_parked());
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
  CHECK(edge.has_parked());
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
  CHECK_FALSE(edge.has_parked());
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

TEST_CASE("a bounded block edge gives credit: reservations never claim the same room twice", "[runtime][edge][credit]") {
  EdgeBuffer edge(edge_with(5, Overflow::Block));
  REQUIRE(edge.gives_credit());
  CHECK(edge.reserve(3) == 3);
  CHECK(edge.reserve(3) == 2);  // only 2 of the 5 are left
  CHECK(edge.reserve(1) == 0);  // full: held + reserved = capacity
  Chunk made = messages(0, 3), dropped;
  OfferResult first = edge.offer(made, dropped, 3);
  CHECK(first.accepted == 3);
  CHECK_FALSE(edge.has_parked());
  CHECK(edge.reserve(1) == 0);  // 3 held + 2 still reserved
  Chunk fewer = messages(3, 4);
  OfferResult second = edge.offer(fewer, dropped, 2);  // reserved 2, made 1 (a filter): 1 is free again
  CHECK(second.accepted == 1);
  CHECK(second.room_opened);  // the producer that found no room above is told
  CHECK(edge.reserve(5) == 1);
  CHECK(edge.snapshot().held == 4);
  CHECK(edge.snapshot().high_water == 4);
}

TEST_CASE("a take that opens room wakes the producer that found none", "[runtime][edge][credit]") {
  EdgeBuffer edge(edge_with(2, Overflow::Block));
  CHECK(edge.reserve(2) == 2);
  Chunk made = messages(0, 2), dropped, out;
  edge.offer(made, dropped, 2);
  CHECK(edge.reserve(1) == 0);
  CHECK(edge.snapshot().blocked_s > 0);  // counted from the refused reservation on
  TakeResult taken = edge.take(out, 1);
  CHECK(taken.room_opened);
  taken = edge.take(out, 1);
  CHECK_FALSE(taken.room_opened);  // told once
}

TEST_CASE("parked messages count against credit, and room given back admits them first", "[runtime][edge][credit]") {
  EdgeBuffer edge(edge_with(2, Overflow::Block));
  CHECK(edge.reserve(1) == 1);
  // A message in a worker's hand (no reservation) takes the room not promised to the reservation...
  Chunk hand = messages(0, 1), dropped;
  OfferResult parked = edge.offer(hand, dropped, 0);
  CHECK(parked.accepted == 1);  // 2 - 0 held - 1 reserved
  // ...and the next one finds none left: it parks.
  Chunk second = messages(1, 2);
  parked = edge.offer(second, dropped, 0);
  CHECK(parked.accepted == 0);
  CHECK(edge.has_parked());
  CHECK(edge.reserve(1) == 0);  // held 1 + reserved 1 + parked 1 > capacity 2
  // The reservation is given back unused: the parked message takes its room.
  Chunk none;
  OfferResult given_back = edge.offer(none, dropped, 1);
  CHECK(given_back.accepted == 1);
  CHECK(given_back.unblocked);
  CHECK_FALSE(edge.has_parked());
  CHECK(edge.snapshot().held == 2);
}

TEST_CASE("edges that never make their producer wait give no credit", "[runtime][edge][credit]") {
  for (auto policy : {Overflow::DropNewest, Overflow::DropOldest, Overflow::Fail}) {
    EdgeBuffer edge(edge_with(2, policy));
    CHECK_FALSE(edge.gives_credit());
    CHECK(edge.reserve(64) == 64);
  }
  EdgeBuffer unbounded(edge_with(std::nullopt, Overflow::Block));
  CHECK_FALSE(unbounded.gives_credit());
}
