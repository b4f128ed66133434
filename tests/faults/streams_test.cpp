// Data on standard output, everything else on standard error, as grep, jq and
// Vector do: `flow run`'s reports and summary never land in the data, a full
// or closed standard error does not stop the run but shows in its exit status,
// and standard output's faults stay the data's own.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"

extern char** environ;

namespace {

using Json = nlohmann::json;
using flow::test::read_file;
using flow::test::run_command;
using flow::test::shell_quote;
using flow::test::write_file;

// Lines of an access log: every seventh a server error. Long enough, with
// the delay below, that a report every 10 ms comes many times over.
constexpr int input_lines = 1400;

std::string access_log() {
  std::string text;
  for (int i = 0; i < input_lines; ++i) {
    text += fmt::format("10.0.0.{} GET /item/{} {}\n", i % 256, i, i % 7 == 3 ? 503 : 200);
  }
  return text;
}

// What the pipeline below must print: the input's 5xx lines, in order, byte for byte.
std::string server_errors(const std::string& log) {
  std::istringstream in(log);
  std::string expected;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, std::regex(" 5[0-9][0-9]$"))) expected += line + "\n";
  }
  return expected;
}

// read("-") -> grep -> stdout(): one worker each, so the order is the input's.
std::string filter_flow(const std::string& dir) {
  auto path = dir + "/errors.flow";
  write_file(path, R"(pipeline errors
source lines = read("-")
stage  pick  = grep(" 5[0-9][0-9]$") | delay(1ms)
sink   out   = stdout()
lines -> pick -> out
)");
  return path;
}

// A short run whose only sink is discard(): nothing of it belongs on standard output.
std::string discarding_flow(const std::string& dir) {
  auto path = dir + "/short.flow";
  write_file(path, R"(pipeline short
source s = generate(count=50, size=16B)
stage  w = delay(1ms)
sink   k = discard()
edge [capacity=4]
s -> w -> k
)");
  return path;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool is_report(const std::string& line) {
  return std::regex_search(line, std::regex(R"(^\[\d+\.\d\ds\] )"));
}

struct Spawned {
  int status = -1;
  std::string out;
};

// Starts `flow ARGS` with standard input from `in`, standard output to the
// file `out` and standard error the descriptor `err`, which it closes here.
pid_t spawn_flow(const std::vector<std::string>& args, const std::string& in, const std::string& out,
                 int err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, err, STDERR_FILENO);
  std::vector<char*> argv{const_cast<char*>(FLOW_BINARY)};
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, FLOW_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(err);
  REQUIRE(spawned == 0);
  return pid;
}

// Runs `flow ARGS` with standard input from `in`, standard output to a file,
// and standard error a pipe whose reader is gone before flow starts: every
// write there fails with EPIPE, deterministically (SIGPIPE is ignored by flow).
Spawned run_with_stderr_reader_gone(const std::vector<std::string>& args, const std::string& in) {
  auto dir = flow::test::temp_directory();
  int ends[2];
  REQUIRE(pipe2(ends, O_CLOEXEC) == 0);
  close(ends[0]);
  pid_t pid = spawn_flow(args, in, dir + "/out", ends[1]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  Spawned result;
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(dir + "/out");
  return result;
}

}  // namespace

TEST_CASE(
    "read(-) to stdout() with --report: standard output is exactly the filtered input, standard error the "
    "rest",
    "[faults]") {
  auto dir = flow::test::temp_directory();
  auto log = access_log();
  write_file(dir + "/access.log", log);
  auto result = run_command(fmt::format("{} run {} --report 10ms --metrics-json {} < {}", FLOW_BINARY,
                                        shell_quote(filter_flow(dir)), shell_quote(dir + "/run.json"),
                                        shell_quote(dir + "/access.log")));
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto expected = server_errors(log);
  REQUIRE(expected.size() > 0);
  // Byte for byte: no report line, no summary line, nothing else.
  CHECK(result.out == expected);
  // Standard error: the reports, then the summary with the balance of what went where.
  auto lines = lines_of(result.err);
  auto reports = std::count_if(lines.begin(), lines.end(), is_report);
  CHECK(reports >= 1);
  auto metrics = Json::parse(read_file(dir + "/run.json"));
  auto delivered = std::count(expected.begin(), expected.end(), '\n');
  CHECK(metrics.at("sinks").at(0).at("delivered") == delivered);
  CHECK(result.err.find("pipeline errors: ok after ") != std::string::npos);
  CHECK(result.err.find(
            fmt::format("source lines: produced {} = delivered {} + dropped 0 + filtered {} + errors 0",
                        input_lines, delivered, input_lines - delivered)) != std::string::npos);
}

TEST_CASE("a run with no stdout() sink writes nothing to standard output: a full one does not matter",
          "[faults]") {
  auto dir = flow::test::temp_directory();
  // The summary and reports used to go there, and this exited 1.
  auto result = run_command(
      fmt::format("{} run {} --report 5ms >/dev/full", FLOW_BINARY, shell_quote(discarding_flow(dir))));
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err.find("source s: produced 50 = delivered 50") != std::string::npos);
}

TEST_CASE("a summary that cannot reach standard error exits 1, and the data is whole", "[faults]") {
  // Full, or closed (flow opens /dev/null read-only on it: every write fails with EBADF).
  auto redirect = GENERATE(std::string("2>/dev/full"), std::string("2>&-"));
  INFO(redirect);
  auto dir = flow::test::temp_directory();
  auto log = access_log();
  write_file(dir + "/access.log", log);
  // Nothing can say why on a standard error that takes nothing: the status says it, as for grep or ls.
  auto result = run_command(fmt::format("{} run {} < {} {}", FLOW_BINARY, shell_quote(filter_flow(dir)),
                                        shell_quote(dir + "/access.log"), redirect));
  CHECK(result.exit_code == 1);
  CHECK(result.out == server_errors(log));
  // --quiet: nothing to write there, nothing failed.
  auto quiet = run_command(fmt::format("{} run -q {} < {} {}", FLOW_BINARY, shell_quote(filter_flow(dir)),
                                       shell_quote(dir + "/access.log"), redirect));
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out == server_errors(log));
}

TEST_CASE("reports that cannot reach standard error do not stop the run, and it exits 1", "[faults]") {
  auto dir = flow::test::temp_directory();
  auto json = dir + "/run.json";
  auto result = run_command(fmt::format("{} run -q --report 5ms {} --metrics-json {} 2>/dev/full",
                                        FLOW_BINARY, shell_quote(discarding_flow(dir)), shell_quote(json)));
  CHECK(result.exit_code == 1);
  auto metrics = Json::parse(read_file(json));
  CHECK(metrics.at("status") == "ok");
  CHECK(metrics.at("sinks").at(0).at("delivered") == 50);
}

TEST_CASE("a standard error whose reader went away ends in 141, quietly, after the whole run", "[faults]") {
  auto dir = flow::test::temp_directory();
  auto log = access_log();
  write_file(dir + "/access.log", log);
  auto run = run_with_stderr_reader_gone({"run", filter_flow(dir), "--report", "10ms"}, dir + "/access.log");
  CHECK(run.status == 141);
  CHECK(run.out == server_errors(log));
}

TEST_CASE("a standard error nobody reads holds up the reports, never the data on standard output",
          "[faults]") {
  // Reports every millisecond into a one-page pipe left unread: the reporter
  // blocks on its first full page. The stdout() sink must still write every
  // line, which it cannot if the reporter holds standard output's lock while
  // it waits (the two share it only under `2>&1`).
  auto dir = flow::test::temp_directory();
  auto log = access_log();
  write_file(dir + "/access.log", log);
  int ends[2];
  REQUIRE(pipe2(ends, O_CLOEXEC) == 0);
  REQUIRE(fcntl(ends[1], F_SETPIPE_SZ, 4096) > 0);
  pid_t pid =
      spawn_flow({"run", filter_flow(dir), "--report", "1ms"}, dir + "/access.log", dir + "/out", ends[1]);
  auto expected = server_errors(log);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string out;
  while ((out = read_file(dir + "/out")) != expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(10));  // polling a file, not a synchronisation guess
  }
  CHECK(out == expected);
  // Now read standard error: the run finishes, and it exits 0.
  char buffer[4096];
  std::size_t reported = 0;
  for (ssize_t got; (got = read(ends[0], buffer, sizeof buffer)) > 0;)
    reported += static_cast<std::size_t>(got);
  close(ends[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(reported > 4096);
}
