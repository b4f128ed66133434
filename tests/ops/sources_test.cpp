#include "ops_test_support.hpp"
#include "temp_files.hpp"

using namespace std::chrono_literals;
using flow::Chunk;
using flow::Clock;
using flow::test::make_source;

namespace {

const Clock::time_point t0 = Clock::time_point{} + 1h;

}  // namespace

TEST_CASE("generate makes count messages of exactly size bytes, then is exhausted", "[ops]") {
  auto source = make_source("generate", {{"count", std::int64_t{5}}, {"size", flow::Size{40}}});
  CHECK(source->expected_count() == 5u);
  Chunk out;
  auto first = source->pull(out, 3, t0);
  CHECK_FALSE(first.exhausted);
  CHECK(out.size() == 3);
  auto second = source->pull(out, 3, t0);
  CHECK(second.exhausted);  // said with the last messages
  REQUIRE(out.size() == 5);
  for (const auto& message : out) CHECK(message.payload.size() == 40);
  CHECK(source->pull(out, 3, t0).exhausted);
  CHECK(out.size() == 5);
}

TEST_CASE("generate's payload is 16 bytes by default", "[ops]") {
  auto source = make_source("generate", {{"count", std::int64_t{1}}});
  Chunk out;
  source->pull(out, 10, t0);
  REQUIRE(out.size() == 1);
  CHECK(out[0].payload.size() == 16);
}

TEST_CASE("generate without count never runs out", "[ops]") {
  auto source = make_source("generate");
  CHECK_FALSE(source->expected_count().has_value());
  Chunk out;
  for (int pull = 0; pull < 100; ++pull) {
    auto result = source->pull(out, 64, t0);
    CHECK_FALSE(result.exhausted);
    CHECK_FALSE(result.next_at.has_value());
  }
  CHECK(out.size() == 6400);
}

TEST_CASE("generate with count 0 is exhausted at once", "[ops]") {
  auto source = make_source("generate", {{"count", std::int64_t{0}}});
  Chunk out;
  CHECK(source->pull(out, 10, t0).exhausted);
  CHECK(out.empty());
}

TEST_CASE("generate with a rate is never ahead of its schedule", "[ops]") {
  auto source = make_source("generate", {{"rate", flow::Rate{1000}}});
  Chunk out;
  CHECK_FALSE(source->pull(out, 100, t0).next_at.has_value());
  CHECK(out.size() == 1);
  auto early = source->pull(out, 100, t0 + 500us);
  CHECK(out.size() == 1);
  REQUIRE(early.next_at.has_value());
  CHECK(*early.next_at == t0 + 1ms);
  source->pull(out, 100, t0 + 10ms);
  CHECK(out.size() == 11);  // due at 0, 1, ..., 10 ms
  auto after = source->pull(out, 100, t0 + 10ms);
  REQUIRE(after.next_at.has_value());
  CHECK(*after.next_at == t0 + 11ms);
}

TEST_CASE("generate with a rate does not catch up in a burst after a stall", "[ops]") {
  auto source = make_source("generate", {{"rate", flow::Rate{1000}}});
  Chunk out;
  source->pull(out, 100, t0);
  source->pull(out, 5, t0 + 1s);  // 1000 were due; only 5 fit
  CHECK(out.size() == 6);
  auto result = source->pull(out, 100, t0 + 1s);
  CHECK(out.size() == 6);
  REQUIRE(result.next_at.has_value());
  CHECK(*result.next_at == t0 + 1s + 5ms);
}

TEST_CASE("generate with a rate makes up a backlog of under a millisecond's worth", "[ops]") {
  auto source = make_source("generate", {{"rate", flow::Rate{1'000'000}}});
  Chunk out;
  source->pull(out, 64, t0);
  for (int pull = 0; pull < 10; ++pull) source->pull(out, 64, t0 + 500us);  // 501 due by then
  CHECK(out.size() == 501);
  source->pull(out, 64, t0 + 3ms);  // 2,500 behind: more than a millisecond's worth, so no burst
  auto result = source->pull(out, 64, t0 + 3ms);
  CHECK(out.size() == 565);
  REQUIRE(result.next_at.has_value());
  CHECK(*result.next_at == t0 + 3ms + 64us);
}

TEST_CASE("generate with burst and every sends a burst, then pauses after its last message", "[ops]") {
  auto source = make_source("generate", {{"count", std::int64_t{7}},
                                         {"burst", std::int64_t{3}},
                                         {"every", flow::Duration{100ms}}});
  Chunk out;
  source->pull(out, 2, t0);
  source->pull(out, 10, t0 + 1ms);  // the rest of the first burst
  CHECK(out.size() == 3);
  auto paused = source->pull(out, 10, t0 + 50ms);
  CHECK(out.size() == 3);
  REQUIRE(paused.next_at.has_value());
  CHECK(*paused.next_at == t0 + 101ms);
  source->pull(out, 10, t0 + 101ms);
  CHECK(out.size() == 6);
  source->pull(out, 10, t0 + 201ms);
  CHECK(out.size() == 7);
  CHECK(source->pull(out, 10, t0 + 400ms).exhausted);
}

TEST_CASE("read yields the lines of a file, a chunk at a time", "[ops]") {
  flow::test::TempPath file;
  flow::test::write_text(file.str(), "first\r\nsecond\n\nlast without newline");
  auto source = make_source("read", {{"path", file.str()}});
  Chunk out;
  CHECK_FALSE(source->pull(out, 3, t0).exhausted);
  CHECK(out.size() == 3);
  CHECK(source->pull(out, 3, t0).exhausted);
  CHECK(flow::test::payloads(out) == std::vector<std::string>{"first", "second", "", "last without newline"});
  CHECK(source->pull(out, 3, t0).exhausted);
  CHECK(out.size() == 4);
}

TEST_CASE("read joins lines that span its 64 KiB reads, and a \\r\\n split between two", "[ops]") {
  flow::test::TempPath file;
  // The first line ends with its '\r' as the last byte of the first read and its '\n' as the first of the
  // next.
  std::string first(64 * 1024 - 1, 'a'), second(200 * 1024, 'b');
  flow::test::write_text(file.str(), first + "\r\n" + second + "\nc\n");
  auto source = make_source("read", {{"path", file.str()}});
  Chunk out;
  CHECK(source->pull(out, 10, t0).exhausted);
  CHECK(flow::test::payloads(out) == std::vector<std::string>{first, second, "c"});
}

TEST_CASE("read takes a line of max_line bytes and throws at one byte more, naming the line", "[ops]") {
  flow::test::TempPath file;
  flow::test::write_text(file.str(), "12345678\r\n12345678\n123456789\n");
  auto source = make_source("read", {{"path", file.str()}, {"max_line", flow::Size{8}}});
  Chunk out;
  CHECK_THROWS_WITH(source->pull(out, 10, t0), "line 3 of '" + file.str() + "' is longer than max_line 8B");
}

TEST_CASE("read of an empty file is exhausted at once", "[ops]") {
  flow::test::TempPath file;
  flow::test::write_text(file.str(), "");
  auto source = make_source("read", {{"path", file.str()}});
  Chunk out;
  CHECK(source->pull(out, 3, t0).exhausted);
  CHECK(out.empty());
}

TEST_CASE("read of a missing file throws naming the path", "[ops]") {
  flow::test::TempPath file;
  std::string path = file.str() + "/missing.log";
  CHECK_THROWS_WITH(make_source("read", {{"path", path}}),
                    Catch::Contains("'" + path + "'") && Catch::Contains("cannot open"));
}
