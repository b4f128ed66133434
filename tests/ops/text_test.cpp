#include "ops_test_support.hpp"

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
