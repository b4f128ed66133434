#include "ops_test_support.hpp"
#include "temp_files.hpp"
#include <fmt/format.h>

#include <iterator>

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
  // A line longer than a block grows one read per pull (the runtime counts it
  // against --memory-limit between two): 200 KiB take a few pulls.
  int pulls = 1;
  while (!source->pull(out, 10, t0).exhausted) REQUIRE(++pulls < 10);
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

TEST_CASE("read cuts its lines as views, newline_follows only where a '\\n' is right after the line",
          "[ops][views]") {
  flow::test::TempPath file;
  flow::test::write_text(file.str(), "unix\nwindows\r\n\nlast");
  auto source = make_source("read", {{"path", file.str()}});
  Chunk out;
  CHECK(source->pull(out, 10, t0).exhausted);
  REQUIRE(flow::test::payloads(out) == std::vector<std::string>{"unix", "windows", "", "last"});
  for (const auto& message : out) CHECK(message.payload.is_view());
  CHECK(out[0].payload.newline_follows());
  CHECK_FALSE(out[1].payload.newline_follows());  // a '\r' follows it
  CHECK(out[2].payload.newline_follows());
  CHECK_FALSE(out[3].payload.newline_follows());  // the end of the input follows it
  CHECK(out[3].payload.size() == 4);
}

namespace {

/// Line i of the big file: its number, then letters, 0 to ~3000 bytes long.
std::string big_line(std::size_t i) {
  std::string line = std::to_string(i) + ":";
  line.append((i * 7919) % 3001, static_cast<char>('a' + i % 26));
  return line;
}

}  // namespace

TEST_CASE("read's lines stay valid and unchanged after later pulls and after the source is gone",
          "[ops][views]") {
  // ~1.5 MB: some 25 blocks of 64 KiB, lines of 0 to 3000 bytes, so many lines
  // straddle the end of a block and are carried into the next; every 5th line
  // ends in "\r\n".
  flow::test::TempPath file;
  constexpr std::size_t lines = 1000;
  std::string text;
  for (std::size_t i = 0; i < lines; ++i) text += big_line(i) + (i % 5 == 4 ? "\r\n" : "\n");
  REQUIRE(text.size() > 200 * 1024);
  flow::test::write_text(file.str(), text);
  Chunk out;
  {
    auto source = make_source("read", {{"path", file.str()}});
    Chunk first;
    CHECK_FALSE(source->pull(first, 3, t0).exhausted);
    REQUIRE(first.size() == 3);
    std::vector<const char*> where;
    for (const auto& message : first) where.push_back(message.payload.data());
    // Many pulls later, the first lines are where they were and what they were.
    while (!source->pull(out, 7, t0).exhausted) {
    }
    for (std::size_t i = 0; i < first.size(); ++i) {
      CHECK(first[i].payload.data() == where[i]);
      CHECK(first[i].payload == big_line(i));
    }
    first.insert(first.end(), std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()));
    out = std::move(first);
  }  // the source, and its reference to its last block, are gone
  REQUIRE(out.size() == lines);
  std::size_t mismatched = 0, not_views = 0, newline_flags_wrong = 0;
  for (std::size_t i = 0; i < lines; ++i) {
    if (out[i].payload != big_line(i)) ++mismatched;
    if (!out[i].payload.is_view()) ++not_views;
    if (out[i].payload.newline_follows() != (i % 5 != 4)) ++newline_flags_wrong;
  }
  CHECK(mismatched == 0);
  CHECK(not_views == 0);
  CHECK(newline_flags_wrong == 0);
  // Dropping the lines in a scattered order frees each block with its last line.
  for (std::size_t i = 0; i < lines; i += 2) out[i].payload = flow::Payload();
  for (std::size_t i = 1; i < lines; i += 2) CHECK(out[i].payload == big_line(i));
}

TEST_CASE("a line over max_line throws, and the lines that pull appended stay valid", "[ops][views]") {
  // 2000 lines of 50 bytes fill more than one 64 KiB block, so the pull hands
  // out lines of two blocks before it meets the long line.
  flow::test::TempPath file;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += fmt::format("{:049}\n", i);
  text += std::string(200, 'x') + "\nafter\n";
  flow::test::write_text(file.str(), text);
  Chunk out;
  {
    auto source = make_source("read", {{"path", file.str()}, {"max_line", flow::Size{100}}});
    CHECK_THROWS_WITH(source->pull(out, 10000, t0), Catch::Contains("line 2001 of") && Catch::Contains("max_line"));
  }
  REQUIRE(out.size() == 2000);
  std::size_t mismatched = 0;
  for (int i = 0; i < 2000; ++i) {
    if (out[static_cast<std::size_t>(i)].payload != fmt::format("{:049}", i)) ++mismatched;
  }
  CHECK(mismatched == 0);
  Chunk copies = out;  // each copy retains, each end releases: no double release under ASan
  out.clear();
  CHECK(copies.back().payload == fmt::format("{:049}", 1999));
}

TEST_CASE("lines many blocks long are read whole, between short ones", "[ops][views]") {
  // 3 MiB and 700 KiB lines span dozens of 64 KiB reads; the block that holds
  // one grows with it (twice the partial line at least) instead of by one read.
  flow::test::TempPath file;
  std::string huge(3 << 20, 'h'), long_line(700 << 10, 'l');
  flow::test::write_text(file.str(), "a\n" + huge + "\nb\n" + long_line + "\nc");
  auto source = make_source("read", {{"path", file.str()}, {"max_line", flow::Size{4 << 20}}});
  Chunk out;
  while (!source->pull(out, 256, t0).exhausted) {
  }
  REQUIRE(out.size() == 5);
  CHECK(out[0].payload == "a");
  CHECK(out[1].payload == huge);
  CHECK(out[2].payload == "b");
  CHECK(out[3].payload == long_line);
  CHECK(out[4].payload == "c");
  CHECK_FALSE(out[4].payload.newline_follows());
}
