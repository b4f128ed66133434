// `--plugin LIB.so` (issue 12, item 4): the example plugin's operator used
// from a .flow file by run, check, plan and dot; and the loader's refusals,
// each a clear error naming the library.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "helpers.hpp"

using flow::test::run_flow;
using flow::test::shell_quote;

namespace {

std::string example_flow() { return shell_quote(fmt::format("{}/examples/plugin/reverse.flow", FLOW_SOURCE_DIR)); }

std::string plugin_option(const std::string& library) { return "--plugin " + shell_quote(library); }

}  // namespace

TEST_CASE("a plugin's operator runs from a .flow file like a built-in", "[cli][plugin]") {
  auto dir = flow::test::temp_directory();
  flow::test::write_file(dir + "/in.txt", "abc\n\nflow\nxy\n");
  auto run = run_flow(fmt::format("run {} {} -q --metrics-json {} < {}", example_flow(),
                                  plugin_option(FLOW_REVERSE_PLUGIN), shell_quote(dir + "/run.json"),
                                  shell_quote(dir + "/in.txt")));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  // Every line backwards, the empty one filtered (keep_empty=false) and counted.
  CHECK(run.out == "cba\nwolf\nyx\n");
  CHECK(flow::test::read_file(dir + "/run.json").find("\"filtered\": 1") != std::string::npos);
  for (const char* command : {"check", "plan", "dot"}) {
    INFO(command);
    CHECK(run_flow(fmt::format("{} {} {}", command, example_flow(), plugin_option(FLOW_REVERSE_PLUGIN))).exit_code ==
          0);
  }
}

TEST_CASE("without the plugin its operator is unknown, with a caret", "[cli][plugin]") {
  auto check = run_flow("check " + example_flow());
  CHECK(check.exit_code == 2);
  CHECK(check.err.find("reverse.flow:5:19: error: unknown operator 'reverse'") != std::string::npos);
}

TEST_CASE("the loader refuses what is not a plugin for this flow, naming the library", "[cli][plugin]") {
  struct Refusal {
    std::string library, reason;
  };
  auto refusal = GENERATE(Refusal{FLOW_PLUGIN_WRONG_ABI, fmt::format("built for plugin ABI {}, but flow",
                                                                     FLOW_PLUGIN_ABI_VERSION_FOR_TESTS + 1)},
                          Refusal{FLOW_PLUGIN_NO_REGISTER, "no flow_register_operators symbol"},
                          Refusal{FLOW_PLUGIN_CLASH, "operator 'upper' is already registered"},
                          Refusal{"/nonexistent/libnothing.so", "cannot open shared object file"});
  auto check = run_flow(fmt::format("check {} {}", example_flow(), plugin_option(refusal.library)));
  INFO(check.err);
  CHECK(check.exit_code == 2);
  CHECK(check.err.find(fmt::format("flow: error: plugin {}: ", refusal.library)) != std::string::npos);
  CHECK(check.err.find(refusal.reason) != std::string::npos);
}
