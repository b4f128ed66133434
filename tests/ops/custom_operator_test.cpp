#include "ops_test_support.hpp"
#include "temp_files.hpp"

namespace example {
void register_truncate(flow::OperatorRegistry& registry);
}

namespace {

std::string between_markers(const std::string& text) {
  const std::string begin = "// BEGIN operators.md example\n";
  const std::string end = "// END operators.md example";
  auto from = text.find(begin);
  auto to = text.find(end);
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  return text.substr(from + begin.size(), to - from - begin.size());
}

}  // namespace

TEST_CASE("a user's operator registers and runs exactly like a built-in", "[ops]") {
  flow::OperatorRegistry registry;
  flow::register_builtin_operators(registry);
  example::register_truncate(registry);

  const flow::OperatorSpec* spec = registry.find("truncate");
  REQUIRE(spec != nullptr);
  CHECK(spec->role == flow::Role::Stage);
  CHECK(registry.find("grep") != nullptr);  // the built-ins are still there

  std::string argument;
  auto bad = flow::test::resolved_call("truncate", {{"length", std::int64_t{-2}}}, registry);
  CHECK(spec->validate(bad, argument) == "length must not be negative");
  CHECK(argument == "length");

  auto call = flow::test::resolved_call("truncate", {{"length", std::int64_t{3}}}, registry);
  auto truncate = spec->make(call);
  flow::Chunk messages = flow::test::chunk_of({"abcdef", "xy"});
  flow::test::RecordingContext context;
  truncate->apply(messages, context);
  CHECK(flow::test::payloads(messages) == std::vector<std::string>{"abc", "xy"});
}

TEST_CASE("docs/custom_operators.md quotes the compiled example of a user's operator", "[ops]") {
  auto source = flow::test::read_text(FLOW_SOURCE_DIR "/tests/ops/custom_operator_example.cpp");
  auto page = flow::test::read_text(FLOW_SOURCE_DIR "/docs/custom_operators.md");
  auto example = between_markers(source);
  CHECK(page.find("```cpp\n" + example + "```\n") != std::string::npos);
}
