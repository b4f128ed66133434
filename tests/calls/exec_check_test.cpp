// flow check on exec calls: the variadic argument list, its kinds, what
// cannot be combined, and the virtual clock; each error with its caret.
#include "exec_support.hpp"

using namespace flow::test;

namespace {

ProcessResult check(const std::string& dir, const std::string& stage, const std::string& attributes = "") {
  write_file(dir + "/c.flow",
             fmt::format("pipeline c{}\n\nsource s = generate(count=1)\nstage  w = {}\nsink   k = "
                         "discard()\n\ns -> w -> k\n",
                         attributes, stage));
  return run_command(fmt::format("{} check c.flow", FLOW_BINARY), dir);
}

}  // namespace

TEST_CASE("flow check points at what is wrong in an exec call", "[calls][exec]") {
  auto dir = temp_directory();
  CHECK(check(dir, R"(exec("sed", "-u", "s/a/b/", restart=true, timeout=2s))").exit_code == 0);
  auto missing = check(dir, "exec()");
  CHECK_THAT(missing.err,
             Catch::Contains("c.flow:4:12: error: operator 'exec' is missing its required argument "
                             "'program'"));
  auto kind = check(dir, R"(exec("sed", "-u", 5))");
  CHECK_THAT(kind.err, Catch::Contains("c.flow:4:30: error: expected a string, got an integer"));
  CHECK_THAT(kind.err, Catch::Contains("                             ^"));
  auto named = check(dir, R"(exec("sed", args="-u"))");
  CHECK_THAT(named.err,
             Catch::Contains("c.flow:4:24: error: 'args' of 'exec' takes its values by position only"));
  auto shell = check(dir, R"(exec("sort | uniq", "-c", shell=true))");
  CHECK_THAT(shell.err, Catch::Contains("c.flow:4:32: error: with shell=true the command is the one string"));
  auto per = check(dir, R"(exec("tr", per=word))");
  CHECK_THAT(per.err, Catch::Contains("c.flow:4:27: error: unknown per 'word'; expected line"));
  auto empty = check(dir, R"(exec(""))");
  CHECK_THAT(empty.err, Catch::Contains("c.flow:4:17: error: the program must not be empty"));
}

TEST_CASE("flow check refuses exec under the virtual clock", "[calls][exec]") {
  auto dir = temp_directory();
  auto result = check(dir, R"(exec("cat"))", " [clock=virtual]");
  CHECK(result.exit_code != 0);
  CHECK_THAT(result.err,
             Catch::Contains("c.flow:4:12: error: stage w waits on the program cat, which works in real "
                             "time: the virtual clock cannot simulate it; expected clock=real"));
}

TEST_CASE("flow plan writes an exec call as it was written", "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/p.flow",
             "pipeline p\n\nsource s = generate(count=1)\nstage  w = exec(\"sed\", \"-u\", "
             "\"s/a/b/\", timeout=2s)\nsink   k = discard()\n\ns -> w -> k\n");
  auto plan = run_command(fmt::format("{} plan p.flow", FLOW_BINARY), dir);
  INFO(plan.err);
  CHECK_THAT(plan.out, Catch::Contains(R"(exec("sed", "-u", "s/a/b/", timeout=2s))"));
}
