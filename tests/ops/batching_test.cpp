#include "ops_test_support.hpp"

#include <set>
#include <thread>

using namespace std::chrono_literals;
using flow::Chunk;
using flow::Clock;
using flow::test::batch_of;
using flow::test::chunk_of;
using flow::test::make_operator;
using flow::test::payloads;

TEST_CASE("batch emits a batch each time max messages are held", "[ops]") {
  auto batch = make_operator("batch", {{"max", std::int64_t{3}}});
  Chunk messages = chunk_of({"a", "b", "c", "d", "e", "f", "g"});
  messages[0].source = 4;
  messages[0].created = Clock::time_point{} + 7s;
  flow::test::RecordingContext context;
  batch->apply(messages, context);
  REQUIRE(messages.size() == 2);
  CHECK(payloads(messages[0].members) == std::vector<std::string>{"a", "b", "c"});
  CHECK(payloads(messages[1].members) == std::vector<std::string>{"d", "e", "f"});
  CHECK(messages[0].source == 4);
  CHECK(messages[0].created == Clock::time_point{} + 7s);
  CHECK(context.removed.empty());

  Chunk flushed;
  batch->flush(flushed);
  REQUIRE(flushed.size() == 1);
  CHECK(payloads(flushed[0].members) == std::vector<std::string>{"g"});
  batch->flush(flushed);
  CHECK(flushed.size() == 1);  // nothing held any more
}

TEST_CASE("batch holds fewer than max messages back", "[ops]") {
  auto batch = make_operator("batch", {{"max", std::int64_t{10}}});
  Chunk messages = chunk_of({"a", "b"});
  flow::test::RecordingContext context;
  batch->apply(messages, context);
  CHECK(messages.empty());
  Chunk more = chunk_of({"c"});
  batch->apply(more, context);
  Chunk flushed;
  batch->flush(flushed);
  REQUIRE(flushed.size() == 1);
  CHECK(payloads(flushed[0].members) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("batch's flush deadline is the first held message's arrival plus within", "[ops]") {
  auto batch = make_operator("batch", {{"max", std::int64_t{3}}, {"within", flow::Duration{50ms}}});
  CHECK_FALSE(batch->flush_deadline().has_value());
  flow::test::RecordingContext context;

  auto before = Clock::now();
  Chunk first = chunk_of({"a"});
  batch->apply(first, context);
  auto after = Clock::now();
  auto deadline = batch->flush_deadline();
  REQUIRE(deadline.has_value());
  CHECK(*deadline >= before + 50ms);
  CHECK(*deadline <= after + 50ms);

  Chunk second = chunk_of({"b"});
  batch->apply(second, context);
  CHECK(batch->flush_deadline() == deadline);  // a later arrival does not extend it

  Chunk third = chunk_of({"c", "d"});
  auto refill_before = Clock::now();
  batch->apply(third, context);
  CHECK(third.size() == 1);  // a, b, c went out; d starts a new batch
  REQUIRE(batch->flush_deadline().has_value());
  CHECK(*batch->flush_deadline() >= refill_before + 50ms);

  Chunk flushed;
  batch->flush(flushed);
  CHECK_FALSE(batch->flush_deadline().has_value());
}

TEST_CASE("batch without within has no deadline: it flushes at the end of input", "[ops]") {
  auto batch = make_operator("batch", {{"max", std::int64_t{3}}});
  Chunk messages = chunk_of({"a"});
  flow::test::RecordingContext context;
  batch->apply(messages, context);
  CHECK_FALSE(batch->flush_deadline().has_value());
}

TEST_CASE("batch loses nothing when workers share it", "[ops]") {
  auto batch = make_operator("batch", {{"max", std::int64_t{7}}});
  constexpr int threads = 4;
  constexpr int per_thread = 1000;
  std::vector<Chunk> emitted(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      flow::test::RecordingContext context;
      for (int i = 0; i < per_thread; ++i) {
        Chunk one = chunk_of({std::to_string(t * per_thread + i)});
        batch->apply(one, context);
        for (auto& message : one) emitted[t].push_back(std::move(message));
      }
    });
  }
  for (auto& worker : workers) worker.join();
  Chunk all;
  for (auto& chunk : emitted) all.insert(all.end(), chunk.begin(), chunk.end());
  batch->flush(all);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].members.size() <= 7);
    for (const auto& member : all[i].members) seen.insert(member.payload.str());
  }
  CHECK(seen.size() == threads * per_thread);
  CHECK(all.size() == (threads * per_thread + 6) / 7);
}

TEST_CASE("unbatch replaces each batch by its members, in order", "[ops]") {
  auto unbatch = make_operator("unbatch");
  Chunk messages = chunk_of({"a"});
  messages.push_back(batch_of({"b", "c"}));
  messages.push_back(chunk_of({"d"}).front());
  flow::test::RecordingContext context;
  unbatch->apply(messages, context);
  CHECK(payloads(messages) == std::vector<std::string>{"a", "b", "c", "d"});
  for (const auto& message : messages) CHECK_FALSE(message.is_batch());
}

TEST_CASE("unbatch passes plain messages through", "[ops]") {
  auto unbatch = make_operator("unbatch");
  Chunk messages = chunk_of({"a", "b"});
  flow::test::RecordingContext context;
  unbatch->apply(messages, context);
  CHECK(payloads(messages) == std::vector<std::string>{"a", "b"});
}
