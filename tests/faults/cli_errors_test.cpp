// A command line `flow` cannot use is one line, `flow: error: ...`, naming what
// was wrong, with exit 2 and nothing on standard output: never CLI11's own
// wording, its usage dump, or an abort.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "process.hpp"

namespace {

flow::test::ProcessResult flow_cmd(const std::string& args) {
  return flow::test::run_command(fmt::format("{} {}", FLOW_BINARY, args));
}

std::string a_pipeline() {
  auto path = flow::test::temp_directory() + "/short.flow";
  flow::test::write_file(path, R"(pipeline short
source s = generate(count=20, size=16B)
sink   k = discard()
s -> k
)");
  return flow::test::shell_quote(path);
}

}  // namespace

TEST_CASE("every command-line error is one line naming what was wrong, with exit 2", "[faults]") {
  auto file = a_pipeline();
  auto [args, message] = GENERATE_COPY(table<std::string, std::string>({
      {"frobnicate", "unknown command 'frobnicate'; expected one of run, check, dot, plan, plot, tune, status"},
      {"", "no command given; expected one of run, check, dot, plan, plot, tune, status"},
      {"--frob", "unknown option '--frob'; see 'flow --help'"},
      {"run", "run: missing FILE; see 'flow run --help'"},
      {"plot", "plot: missing TRACE; see 'flow plot --help'"},
      {"run " + file + " --frob", "unknown option '--frob'; see 'flow run --help'"},
      {"run " + file + " extra", "unexpected argument 'extra'; see 'flow run --help'"},
      {"run " + file + " --report", "--report needs a value (DURATION); see 'flow run --help'"},
      {"run " + file + " --threads 100000", "--threads: 100000 is out of range; expected 1 to 1024"},
      {"run " + file + " --threads 0", "--threads: 0 is out of range; expected 1 to 1024"},
      {"run " + file + " --threads -1", "--threads: -1 is out of range; expected 1 to 1024"},
      {"run " + file + " --threads " + std::string(300, '9'),
       fmt::format("--threads: {} is out of range; expected 1 to 1024", std::string(300, '9'))},
      {"run " + file + " --threads two", "--threads: 'two' is not a whole number; expected 1 to 1024"},
      {"dot " + file + " --format svg", "dot: --format: 'svg' is not one of dot, mermaid"},
  }));
  auto result = flow_cmd(args);
  INFO("flow " << args);
  CHECK(result.exit_code == 2);
  CHECK(result.err == fmt::format("flow: error: {}\n", message));
  CHECK(result.out.empty());
}

TEST_CASE("the --threads option accepts its whole range, up to 1024", "[faults]") {
  auto threads = GENERATE(1, 1024);
  auto result = flow_cmd(fmt::format("run --quiet {} --threads {}", a_pipeline(), threads));
  INFO(result.err);
  CHECK(result.exit_code == 0);
}

TEST_CASE("flow --help still exits 0 and lists the commands", "[faults]") {
  auto result = flow_cmd("--help");
  CHECK(result.exit_code == 0);
  for (const char* command : {"run", "check", "dot", "plan", "plot"})
    CHECK(result.out.find(command) != std::string::npos);
  auto run_help = flow_cmd("run --help");
  CHECK(run_help.exit_code == 0);
  CHECK(run_help.out.find("--threads") != std::string::npos);
}
