#include "ops_test_support.hpp"

#include <algorithm>

using flow::builtin_operators;
using flow::OperatorRegistry;
using flow::OperatorSpec;
using flow::Role;
using flow::ValueKind;
using flow::test::validate;

namespace {

const flow::ArgumentSpec* argument(const OperatorSpec& spec, const std::string& name) {
  for (const auto& arg : spec.args) {
    if (arg.name == name) return &arg;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the built-in registry holds every operator of language version 0", "[ops]") {
  std::vector<std::string> expected{
      "batch", "delay", "discard",    "drop",        "exec",     "generate", "grep",    "http",  "listen",
      "lower", "parse", "parse_json", "parse_regex", "prefix",   "read",     "replace", "route", "sample",
      "set",   "spin",  "sqlite",     "stdout",      "throttle", "unbatch",  "upper",   "where", "write"};
  CHECK(builtin_operators().names() == expected);
}

TEST_CASE("every built-in has a summary and exactly the factory its role calls for", "[ops]") {
  for (const auto& name : builtin_operators().names()) {
    INFO(name);
    const OperatorSpec* spec = builtin_operators().find(name);
    REQUIRE(spec != nullptr);
    CHECK(spec->name == name);
    CHECK_FALSE(spec->summary.empty());
    CHECK(static_cast<bool>(spec->make_source) == (spec->role == Role::Source));
    CHECK(static_cast<bool>(spec->make) == (spec->role != Role::Source));
  }
}

TEST_CASE("roles are as the language defines them", "[ops]") {
  auto role = [](const char* name) { return builtin_operators().find(name)->role; };
  CHECK(role("generate") == Role::Source);
  CHECK(role("read") == Role::Source);
  for (const char* stage : {"delay", "spin", "batch", "unbatch", "throttle", "grep", "replace", "upper",
                            "lower", "prefix", "sample"}) {
    CHECK(role(stage) == Role::Stage);
  }
  for (const char* sink : {"discard", "stdout", "write", "sqlite"}) CHECK(role(sink) == Role::Sink);
  CHECK(std::string(flow::to_string(Role::Source)) == "source");
  CHECK(std::string(flow::to_string(Role::Stage)) == "stage");
  CHECK(std::string(flow::to_string(Role::Sink)) == "sink");
}

TEST_CASE("generate's arguments are named, optional, and size defaults to 16 bytes", "[ops]") {
  const OperatorSpec& spec = *builtin_operators().find("generate");
  for (const char* name : {"count", "size", "rate", "burst", "every"}) {
    INFO(name);
    const auto* arg = argument(spec, name);
    REQUIRE(arg != nullptr);
    CHECK_FALSE(arg->required);
    CHECK_FALSE(arg->positional);
  }
  CHECK(argument(spec, "size")->fallback == flow::Value{flow::Size{16}});
  CHECK_FALSE(argument(spec, "count")->fallback.has_value());
  CHECK(argument(spec, "rate")->kind == ValueKind::Rate);
  CHECK(argument(spec, "every")->kind == ValueKind::Duration);
}

TEST_CASE("single-argument operators take their argument by position and require it", "[ops]") {
  std::vector<std::pair<const char*, ValueKind>> cases{
      {"read", ValueKind::String},    {"delay", ValueKind::Duration}, {"spin", ValueKind::Duration},
      {"throttle", ValueKind::Rate},  {"grep", ValueKind::String},    {"prefix", ValueKind::String},
      {"sample", ValueKind::Decimal}, {"write", ValueKind::String}};
  for (const auto& [name, kind] : cases) {
    INFO(name);
    const OperatorSpec& spec = *builtin_operators().find(name);
    REQUIRE_FALSE(spec.args.empty());
    CHECK(spec.args.front().required);
    CHECK(spec.args.front().positional);
    CHECK(spec.args.front().kind == kind);
  }
}

TEST_CASE("batch requires max and leaves within out when not given", "[ops]") {
  const OperatorSpec& spec = *builtin_operators().find("batch");
  CHECK(argument(spec, "max")->required);
  CHECK_FALSE(argument(spec, "within")->required);
  CHECK_FALSE(argument(spec, "within")->fallback.has_value());
}

TEST_CASE("valid arguments pass validation", "[ops]") {
  CHECK(validate("generate", {{"count", std::int64_t{0}}}).first == "");
  CHECK(validate("generate",
                 {{"burst", std::int64_t{5}}, {"every", flow::Duration{std::chrono::milliseconds(10)}}})
            .first == "");
  CHECK(validate("batch", {{"max", std::int64_t{1}}}).first == "");
  CHECK(validate("grep", {{"pattern", std::string("a(b|c)+$")}}).first == "");
  CHECK(validate("sample", {{"probability", 0.25}}).first == "");
  CHECK(validate("sample", {{"probability", std::int64_t{1}}}).first == "");
}

TEST_CASE("a negative count is rejected and names the argument", "[ops]") {
  auto [message, arg] = validate("generate", {{"count", std::int64_t{-1}}});
  CHECK(message == "count must be at least 0, got -1");
  CHECK(arg == "count");
}

TEST_CASE("burst and every come together or not at all", "[ops]") {
  auto burst_only = validate("generate", {{"burst", std::int64_t{5}}});
  CHECK(burst_only.first == "burst needs every (the pause between bursts)");
  CHECK(burst_only.second == "burst");
  auto every_only = validate("generate", {{"every", flow::Duration{std::chrono::seconds(1)}}});
  CHECK(every_only.first == "every needs burst (the messages per burst)");
  CHECK(every_only.second == "every");
}

TEST_CASE("batch needs a max of at least one", "[ops]") {
  auto [message, arg] = validate("batch", {{"max", std::int64_t{0}}});
  CHECK(message == "max must be at least 1, got 0");
  CHECK(arg == "max");
}

TEST_CASE("a regex that does not compile is rejected with RE2's reason", "[ops]") {
  auto [message, arg] = validate("grep", {{"pattern", std::string("(unclosed")}});
  CHECK(message == "invalid regular expression: missing ): (unclosed");
  CHECK(arg == "pattern");
}

TEST_CASE("a replacement naming a group the pattern lacks is rejected", "[ops]") {
  auto [message, arg] = validate("replace", {{"pattern", std::string("(a)")}, {"with", std::string("\\2")}});
  CHECK_THAT(message, Catch::StartsWith("invalid replacement: "));
  CHECK(arg == "with");
}

TEST_CASE("a probability outside [0, 1] is rejected", "[ops]") {
  auto [message, arg] = validate("sample", {{"probability", 1.5}});
  CHECK(message == "probability must be between 0 and 1, got 1.5");
  CHECK(arg == "probability");
}

TEST_CASE("a throttle of zero per second is rejected", "[ops]") {
  auto [message, arg] = validate("throttle", {{"rate", flow::Rate{0}}});
  CHECK(message == "rate must be more than 0 per second");
  CHECK(arg == "rate");
}

TEST_CASE("a validator leaves missing arguments to the checker", "[ops]") {
  CHECK(validate("grep", {}).first == "");
  CHECK(validate("batch", {{"max", std::string("wrong kind")}}).first == "");
}

TEST_CASE("adding an operator under a taken name replaces the first", "[ops]") {
  OperatorRegistry registry;
  flow::register_builtin_operators(registry);
  OperatorSpec replacement = *registry.find("upper");
  replacement.summary = "shout";
  registry.add(replacement);
  CHECK(registry.find("upper")->summary == "shout");
  CHECK(registry.names().size() == builtin_operators().names().size());
  CHECK(registry.find("nope") == nullptr);
}
