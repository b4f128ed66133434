#include "ops_test_support.hpp"
#include "view_support.hpp"
#include <fmt/format.h>

using flow::Chunk;
using flow::test::batch_of;
using flow::test::chunk_of;
using flow::test::make_operator;
using flow::test::payloads;
using Strings = std::vector<std::string>;

TEST_CASE("grep keeps the matching messages and reports the others as filtered", "[ops]") {
  auto grep = make_operator("grep", {{"pattern", std::string("\\b(ERROR|FATAL)\\b")}});
  Chunk messages = chunk_of({"1 ERROR disk", "2 INFO ok", "3 FATAL cpu", "4 ERRORS no"});
  flow::test::RecordingContext context;
  grep->apply(messages, context);
  CHECK(payloads(messages) == Strings{"1 ERROR disk", "3 FATAL cpu"});
  CHECK(context.removed == Strings{"2 INFO ok", "4 ERRORS no"});
}

TEST_CASE("grep filters the members of a batch, one report per member", "[ops]") {
  auto grep = make_operator("grep", {{"pattern", std::string("^keep")}});
  Chunk messages;
  messages.push_back(batch_of({"keep 1", "drop 2", "keep 3"}));
  messages.push_back(batch_of({"drop 4", "drop 5"}));
  messages.emplace_back().payload = "keep 6";
  flow::test::RecordingContext context;
  grep->apply(messages, context);
  REQUIRE(messages.size() == 2);  // the batch left empty is gone
  CHECK(payloads(messages[0].members) == Strings{"keep 1", "keep 3"});
  CHECK(messages[1].payload == "keep 6");
  CHECK(context.removed == Strings{"drop 2", "drop 4", "drop 5"});
}

TEST_CASE("replace rewrites every match, groups included, in plain messages and batches", "[ops]") {
  auto replace = make_operator("replace", {{"pattern", std::string("(\\w+)@(\\w+)")},
                                           {"with", std::string("\\2 at \\1")}});
  Chunk messages = chunk_of({"ann@home bob@work", "none"});
  messages.push_back(batch_of({"cy@lab"}));
  flow::test::RecordingContext context;
  replace->apply(messages, context);
  CHECK(payloads(messages) == Strings{"home at ann work at bob", "none", ""});
  CHECK(payloads(messages[2].members) == Strings{"lab at cy"});
  CHECK(context.removed.empty());
}

TEST_CASE("upper and lower change ASCII letters only", "[ops]") {
  auto upper = make_operator("upper");
  auto lower = make_operator("lower");
  Chunk messages = chunk_of({"Mixed case 42 \xc3\xa9t\xc3\xa9"});
  messages.push_back(batch_of({"abc", "XyZ"}));
  flow::test::RecordingContext context;
  upper->apply(messages, context);
  CHECK(messages[0].payload == "MIXED CASE 42 \xc3\xa9T\xc3\xa9");
  CHECK(payloads(messages[1].members) == Strings{"ABC", "XYZ"});
  lower->apply(messages, context);
  CHECK(messages[0].payload == "mixed case 42 \xc3\xa9t\xc3\xa9");
  CHECK(payloads(messages[1].members) == Strings{"abc", "xyz"});
}

TEST_CASE("prefix puts its text before each payload", "[ops]") {
  auto prefix = make_operator("prefix", {{"text", std::string("flow: ")}});
  Chunk messages = chunk_of({"a"});
  messages.push_back(batch_of({"b", "c"}));
  flow::test::RecordingContext context;
  prefix->apply(messages, context);
  CHECK(messages[0].payload == "flow: a");
  CHECK(payloads(messages[1].members) == Strings{"flow: b", "flow: c"});
}

namespace {

Strings sampled(double probability, std::int64_t seed, int how_many, flow::test::RecordingContext& context) {
  auto sample = make_operator("sample", {{"probability", probability}, {"seed", seed}});
  Strings all;
  for (int i = 0; i < how_many; ++i) all.push_back(std::to_string(i));
  Chunk messages = chunk_of(all);
  sample->apply(messages, context);
  return payloads(messages);
}

}  // namespace

TEST_CASE("sample keeps about its probability and reports the rest", "[ops]") {
  flow::test::RecordingContext context;
  auto kept = sampled(0.3, 1, 10000, context);
  CHECK(kept.size() > 2700);
  CHECK(kept.size() < 3300);
  CHECK(kept.size() + context.removed.size() == 10000);
}

TEST_CASE("sample at 0 keeps nothing and at 1 keeps everything", "[ops]") {
  flow::test::RecordingContext none_context;
  CHECK(sampled(0.0, 1, 100, none_context).empty());
  CHECK(none_context.removed.size() == 100);
  flow::test::RecordingContext all_context;
  CHECK(sampled(1.0, 1, 100, all_context).size() == 100);
  CHECK(all_context.removed.empty());
}

TEST_CASE("sample is repeatable for a seed and differs between seeds", "[ops]") {
  flow::test::RecordingContext context;
  auto first = sampled(0.5, 7, 1000, context);
  CHECK(sampled(0.5, 7, 1000, context) == first);
  CHECK(sampled(0.5, 8, 1000, context) != first);
}

TEST_CASE("sample accepts an integer probability, as the checker allows", "[ops]") {
  auto sample = make_operator("sample", {{"probability", std::int64_t{1}}});
  Chunk messages = chunk_of({"a", "b"});
  flow::test::RecordingContext context;
  sample->apply(messages, context);
  CHECK(messages.size() == 2);
}

namespace {

/// `count` lines of read(), those whose index satisfies `error` saying ERROR.
template <typename Pick>
Chunk read_log(const flow::test::TempPath& file, std::size_t count, const Pick& error) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) text += fmt::format("{} {} line\n", i, error(i) ? "ERROR" : "INFO");
  return flow::test::read_lines(file, text);
}

std::size_t views_in(const Chunk& messages) {
  std::size_t views = 0;
  for (const auto& message : messages) views += message.payload.is_view() ? 1 : 0;
  return views;
}

}  // namespace

TEST_CASE("grep that keeps most of read()'s lines keeps them as views", "[ops][views]") {
  flow::test::TempPath file;
  Chunk messages = read_log(file, 100, [](std::size_t i) { return i % 10 != 0; });
  auto grep = make_operator("grep", {{"pattern", std::string("ERROR")}});
  flow::test::RecordingContext context;
  grep->apply(messages, context);
  REQUIRE(messages.size() == 90);
  CHECK(views_in(messages) == 90);
  CHECK(messages[0].payload == "1 ERROR line");
  CHECK(context.removed.size() == 10);
}

TEST_CASE("grep that keeps a quarter keeps views, and under a quarter copies the survivors out",
          "[ops][views]") {
  auto grep = make_operator("grep", {{"pattern", std::string("ERROR")}});
  flow::test::RecordingContext context;
  SECTION("exactly a quarter stays: views") {
    flow::test::TempPath file;
    Chunk messages = read_log(file, 100, [](std::size_t i) { return i % 4 == 0; });
    grep->apply(messages, context);
    REQUIRE(messages.size() == 25);
    CHECK(views_in(messages) == 25);
  }
  SECTION("fewer than a quarter stay: strings of their own, the same bytes") {
    flow::test::TempPath file;
    Chunk messages = read_log(file, 100, [](std::size_t i) { return i % 7 == 0; });
    grep->apply(messages, context);
    REQUIRE(messages.size() == 15);
    CHECK(views_in(messages) == 0);
    for (std::size_t k = 0; k < messages.size(); ++k) {
      CHECK(messages[k].payload == fmt::format("{} ERROR line", k * 7));
      CHECK_FALSE(messages[k].payload.newline_follows());
    }
  }
}

TEST_CASE("sample that keeps few of read()'s lines copies them out too", "[ops][views]") {
  flow::test::TempPath file;
  Chunk messages = read_log(file, 200, [](std::size_t) { return false; });
  auto sample = make_operator("sample", {{"probability", 0.05}, {"seed", std::int64_t{3}}});
  flow::test::RecordingContext context;
  sample->apply(messages, context);
  REQUIRE_FALSE(messages.empty());
  REQUIRE(messages.size() < 50);
  CHECK(views_in(messages) == 0);
  CHECK(messages.size() + context.removed.size() == 200);
}

TEST_CASE("upper() leaves a view with nothing to change a view, and copies out one it changes",
          "[ops][views]") {
  flow::test::TempPath file;
  Chunk messages = flow::test::read_lines(file, "ALL CAPS 123\nMixed Case\n");
  const char* untouched = messages[0].payload.data();
  auto upper = make_operator("upper");
  flow::test::RecordingContext context;
  upper->apply(messages, context);
  CHECK(messages[0].payload.is_view());
  CHECK(messages[0].payload.data() == untouched);
  CHECK(messages[0].payload == "ALL CAPS 123");
  CHECK_FALSE(messages[1].payload.is_view());
  CHECK(messages[1].payload == "MIXED CASE");
}

TEST_CASE("lower() on views changes only the lines with upper-case letters", "[ops][views]") {
  flow::test::TempPath file;
  Chunk messages = flow::test::read_lines(file, "quiet 1\nLoud 2\n");
  auto lower = make_operator("lower");
  flow::test::RecordingContext context;
  lower->apply(messages, context);
  CHECK(messages[0].payload.is_view());
  CHECK(messages[0].payload == "quiet 1");
  CHECK_FALSE(messages[1].payload.is_view());
  CHECK(messages[1].payload == "loud 2");
}

TEST_CASE("prefix and replace on read()'s views give the right bytes and leave the block as it was",
          "[ops][views]") {
  flow::test::TempPath file;
  Chunk messages = flow::test::read_lines(file, "foo boo\r\nzoo\n");
  Chunk originals = messages;  // views of the same block
  auto prefix = make_operator("prefix", {{"text", std::string("p: ")}});
  auto replace = make_operator("replace", {{"pattern", std::string("o+")}, {"with", std::string("0")}});
  flow::test::RecordingContext context;
  Chunk prefixed = messages;
  prefix->apply(prefixed, context);
  CHECK(payloads(prefixed) == Strings{"p: foo boo", "p: zoo"});
  CHECK_FALSE(prefixed[0].payload.is_view());
  replace->apply(messages, context);
  CHECK(payloads(messages) == Strings{"f0 b0", "z0"});
  CHECK_FALSE(messages[0].payload.is_view());
  CHECK(payloads(originals) == Strings{"foo boo", "zoo"});
  CHECK(originals[0].payload.is_view());
}

TEST_CASE("replace leaves a view it does not match a view, uncopied", "[ops][views]") {
  flow::test::TempPath file;
  Chunk messages = flow::test::read_lines(file, "no match here\nfizz\n");
  const char* untouched = messages[0].payload.data();
  auto replace = make_operator("replace", {{"pattern", std::string("z+")}, {"with", std::string("Z")}});
  flow::test::RecordingContext context;
  replace->apply(messages, context);
  CHECK(messages[0].payload.is_view());
  CHECK(messages[0].payload.data() == untouched);
  CHECK_FALSE(messages[1].payload.is_view());
  CHECK(payloads(messages) == Strings{"no match here", "fiZ"});
}

TEST_CASE("batch copies the views it holds out of their blocks", "[ops][views]") {
  flow::test::TempPath file;
  Chunk messages = flow::test::read_lines(file, "a\nb\nc\nd\n");
  REQUIRE(views_in(messages) == 4);
  auto batch = make_operator("batch", {{"max", std::int64_t{3}}});
  flow::test::RecordingContext context;
  batch->apply(messages, context);
  REQUIRE(messages.size() == 1);
  CHECK(payloads(messages[0].members) == Strings{"a", "b", "c"});
  CHECK(views_in(messages[0].members) == 0);
  Chunk flushed;
  batch->flush(flushed);
  REQUIRE(flushed.size() == 1);
  CHECK(payloads(flushed[0].members) == Strings{"d"});
  CHECK(views_in(flushed[0].members) == 0);
}

TEST_CASE("a filter that drops from a small unit copies its survivors out", "[ops][views]") {
  // One message at a time (on_error=skip) cannot tell a sparse filter from a
  // dense one: a survivor of a unit that lost some is copied out, so it does
  // not hold its whole block for as long as it lives.
  flow::test::TempPath file;
  Chunk messages = flow::test::read_lines(file, "keep 1\ndrop 2\nkeep 3\n");
  auto grep = make_operator("grep", {{"pattern", std::string("keep")}});
  flow::test::RecordingContext context;
  grep->apply(messages, context);
  REQUIRE(payloads(messages) == Strings{"keep 1", "keep 3"});
  CHECK(views_in(messages) == 0);
  Chunk all_kept = flow::test::read_lines(file, "keep 4\nkeep 5\n");
  grep->apply(all_kept, context);
  CHECK(views_in(all_kept) == 2);  // nothing dropped: nothing to hold alone
}
