// What flow refuses, or reads, where it used to go on without a word (issue
// 22, item 6): another pipeline's metrics, the program on standard input, the
// OS's reason for a file it cannot open, gzip input.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <string>

#include "helpers.hpp"

using flow::test::run_command;
using flow::test::run_flow;
using flow::test::shell_quote;

namespace {

/// A small pipeline called `name` whose run takes no time.
std::string small_pipeline(const std::string& name, const std::string& extra_stage = "") {
  std::string text = fmt::format("pipeline {}\nsource ingest = generate(count=5)\n", name);
  if (!extra_stage.empty()) text += "stage " + extra_stage + " = delay(1ms)\n";
  text += "sink store = discard()\n";
  text += extra_stage.empty() ? "ingest -> store\n" : fmt::format("ingest -> {} -> store\n", extra_stage);
  return text;
}

}  // namespace

TEST_CASE("dot --metrics with another pipeline's run is an error naming both files", "[cli]") {
  auto dir = flow::test::temp_directory();
  flow::test::write_file(dir + "/one.flow", small_pipeline("one"));
  flow::test::write_file(dir + "/two.flow", small_pipeline("two"));
  auto ran = run_flow(fmt::format("run {} -q --metrics-json {}", shell_quote(dir + "/one.flow"),
                                  shell_quote(dir + "/run.json")));
  REQUIRE(ran.exit_code == 0);

  auto same = run_flow(
      fmt::format("dot {} --metrics {}", shell_quote(dir + "/one.flow"), shell_quote(dir + "/run.json")));
  INFO(same.err);
  CHECK(same.exit_code == 0);
  CHECK(same.out.find("one: ok") != std::string::npos);

  auto other = run_flow(
      fmt::format("dot {} --metrics {}", shell_quote(dir + "/two.flow"), shell_quote(dir + "/run.json")));
  CHECK(other.exit_code == 2);
  CHECK(other.out.empty());
  CHECK(other.err ==
        fmt::format("flow: error: '{0}/run.json' is not a run of '{0}/two.flow': its pipeline is 'one', "
                    "not 'two'; draw it with the file that ran, or run this one with --metrics-json\n",
                    dir));
}

TEST_CASE("dot --metrics with a run of the same name but other nodes is refused", "[cli]") {
  auto dir = flow::test::temp_directory();
  flow::test::write_file(dir + "/p.flow", small_pipeline("p"));
  REQUIRE(run_flow(fmt::format("run {} -q --metrics-json {}", shell_quote(dir + "/p.flow"),
                               shell_quote(dir + "/run.json")))
              .exit_code == 0);
  // The file edited after its run: a stage added between the two nodes.
  flow::test::write_file(dir + "/p.flow", small_pipeline("p", "work"));
  auto edited = run_flow(
      fmt::format("dot {} --metrics {}", shell_quote(dir + "/p.flow"), shell_quote(dir + "/run.json")));
  CHECK(edited.exit_code == 2);
  CHECK(edited.err.find("is not a run of '" + dir +
                        "/p.flow': its edge ingest -> store is not in the file") != std::string::npos);
}

TEST_CASE("run - reads the program from standard input, named <stdin> in diagnostics", "[cli]") {
  auto ok = run_command(fmt::format(
      "printf 'source s = generate(count=3)\\nsink o = stdout()\\ns -> o\\n' | {} run - -q", FLOW_BINARY));
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(flow::test::count(ok.out, "\n") == 3);

  auto bad = run_command(fmt::format(
      "printf 'source s = generate(count=3)\\nsink o = stdot()\\ns -> o\\n' | {} check -", FLOW_BINARY));
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("<stdin>:2:10: error: unknown operator 'stdot'; did you mean 'stdout'?") == 0);
}

TEST_CASE("a program from standard input that reads standard input itself is refused at its read", "[cli]") {
  auto both = run_command(fmt::format(
      "printf 'source lines = read(\"-\")\\nsink o = stdout()\\nlines -> o\\n' | {} run - -q", FLOW_BINARY));
  CHECK(both.exit_code == 2);
  CHECK(both.out.empty());
  CHECK(both.err ==
        "<stdin>:1:16: error: source 'lines' reads standard input, which already gave the program itself "
        "(`-`): "
        "pass the program as a file, or the data as a file\n"
        "    source lines = read(\"-\")\n"
        "                   ^^^^\n");
  auto twice = run_command(fmt::format("printf 'x' | {} check - -", FLOW_BINARY));
  CHECK(twice.exit_code == 2);
  CHECK(twice.err.find("flow: error: '-' is given twice: standard input can be read only once") !=
        std::string::npos);
}

TEST_CASE("a file that cannot be opened is named with the OS's reason", "[cli]") {
  auto missing = run_flow("check /nonexistent/nowhere.flow");
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "flow: error: cannot open '/nonexistent/nowhere.flow': No such file or directory\n");
  auto dir = flow::test::temp_directory();
  flow::test::write_file(dir + "/p.flow", small_pipeline("p"));
  auto metrics =
      run_flow(fmt::format("dot {} --metrics /nonexistent/run.json", shell_quote(dir + "/p.flow")));
  CHECK(metrics.exit_code == 2);
  CHECK(metrics.err == "flow: error: cannot open '/nonexistent/run.json': No such file or directory\n");
}

TEST_CASE("read(\"-\") of gzip on standard input gives the text, as zcat -f does", "[cli]") {
  auto dir = flow::test::temp_directory();
  std::string text;
  for (int i = 0; i < 20000; ++i) text += fmt::format("line {} of the log\n", i);
  flow::test::write_file(dir + "/in.log", text);
  flow::test::write_file(dir + "/cat.flow",
                         "source lines = read(\"-\")\nsink out = stdout()\nlines -> out\n");
  auto result = run_command(fmt::format("gzip -c < {} | {} run {} -q", shell_quote(dir + "/in.log"),
                                        FLOW_BINARY, shell_quote(dir + "/cat.flow")));
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out == text);
}
