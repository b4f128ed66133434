// `flow check`, `flow dot`, `flow plan` and the usage errors, run from the outside.
#include <catch2/catch.hpp>
#include <regex>

#include "helpers.hpp"

using flow::test::data;
using flow::test::run_flow;
using flow::test::shell_quote;

TEST_CASE("check exits 0 and prints nothing for a good file", "[cli]") {
  auto result = run_flow("check " + shell_quote(data("slow_process")));
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  CHECK(result.out.empty());
}

TEST_CASE("check exits 2 with a rendered diagnostic pointing at an unknown node", "[cli]") {
  auto result = run_flow("check " + shell_quote(data("unknown_node")));
  INFO(result.err);
  CHECK(result.exit_code == 2);
  // file:line:column: error: ..., then the source line, then a caret under `stor`.
  CHECK(std::regex_search(result.err, std::regex(R"(unknown_node\.flow:6:11: error: .*stor)")));
  CHECK(result.err.find("    ingest -> stor\n") != std::string::npos);
  CHECK(result.err.find("\n              ^") != std::string::npos);
}

TEST_CASE("check reports a syntax error with its line and exits 2", "[cli]") {
  auto result = run_flow("check " + shell_quote(data("syntax_error")));
  INFO(result.err);
  CHECK(result.exit_code == 2);
  CHECK(std::regex_search(result.err, std::regex(R"(syntax_error\.flow:\d+:\d+: error: )")));
}

TEST_CASE("check of several files reports every bad one and exits 2", "[cli]") {
  auto result = run_flow(fmt::format("check {} {} {}", shell_quote(data("unknown_node")), shell_quote(data("end_to_end")),
                                 shell_quote(data("syntax_error"))));
  INFO(result.err);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("unknown_node.flow:") != std::string::npos);
  CHECK(result.err.find("syntax_error.flow:") != std::string::npos);
  CHECK(result.err.find("end_to_end.flow:") == std::string::npos);
}

TEST_CASE("check of a missing file exits 2 naming it", "[cli]") {
  auto result = run_flow("check /nonexistent/nowhere.flow");
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("/nonexistent/nowhere.flow") != std::string::npos);
}

TEST_CASE("dot output renders with Graphviz", "[cli]") {
  auto result = flow::test::run_command(
      fmt::format("({} dot {} | dot -Tsvg)", FLOW_BINARY, shell_quote(data("end_to_end"))));
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("<svg") != std::string::npos);
}

TEST_CASE("dot --format mermaid gives a flowchart naming every node", "[cli]") {
  auto result = run_flow("dot --format mermaid " + shell_quote(data("end_to_end")));
  INFO(result.err);
  CHECK(result.exit_code == 0);
  for (const char* node : {"ingest", "validate", "process", "store"}) CHECK(result.out.find(node) != std::string::npos);
  CHECK(result.out.find("digraph") == std::string::npos);
}

TEST_CASE("dot rejects an unknown format with exit 2", "[cli]") {
  CHECK(run_flow("dot --format png " + shell_quote(data("end_to_end"))).exit_code == 2);
}

TEST_CASE("plan prints the predicted bottleneck", "[cli]") {
  auto result = run_flow("plan " + shell_quote(data("end_to_end")));
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  // end_to_end.flow: one worker each at validate 10ms, process 50ms, store
  // 20ms: process is the slowest, at 1 / 50ms = 20 a second, and sets the
  // pace at the sink. The line itself, since the node listing names process too.
  constexpr int process_ms = 50;
  constexpr int rate = 1000 / process_ms;
  CHECK(result.out.find(fmt::format("\nbottleneck: process at {} messages/s (1 worker / {}ms); end-to-end {} "
                                    "messages/s at the sinks\n",
                                    rate, process_ms, rate)) != std::string::npos);
}

TEST_CASE("usage errors exit 2", "[cli]") {
  CHECK(run_flow("").exit_code == 2);
  CHECK(run_flow("frobnicate").exit_code == 2);
  CHECK(run_flow("run").exit_code == 2);
  CHECK(run_flow("run --no-such-option " + shell_quote(data("end_to_end"))).exit_code == 2);
  auto bad_duration = run_flow("run --duration 5MiB " + shell_quote(data("end_to_end")));
  CHECK(bad_duration.exit_code == 2);
  CHECK(bad_duration.err.find("duration") != std::string::npos);
  auto bad_set = run_flow("run --set nodot=1 " + shell_quote(data("end_to_end")));
  CHECK(bad_set.exit_code == 2);
  CHECK(bad_set.err.find("NODE.KEY=VALUE") != std::string::npos);
}

TEST_CASE("version and help exit 0 and describe every run option", "[cli]") {
  auto version = run_flow("--version");
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("flow ", 0) == 0);
  auto help = run_flow("--help");
  CHECK(help.exit_code == 0);
  for (const char* command : {"run", "check", "dot", "plan", "plot"}) CHECK(help.out.find(command) != std::string::npos);
  auto run_help = run_flow("run --help");
  CHECK(run_help.exit_code == 0);
  for (const char* option : {"--report", "--metrics-json", "--set", "--duration", "--threads", "--memory-limit",
                             "--quiet", "--trace"}) {
    CHECK(run_help.out.find(option) != std::string::npos);
  }
}
