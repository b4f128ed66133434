// Watching a run as docs/commands.md describes it, run from the outside: the
// report table redrawn in place on a terminal, the trace's last sample and
// busy column, and `flow plot` writing to standard output.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "child.hpp"
#include "helpers.hpp"
#include "json_run.hpp"

using flow::test::data;
using flow::test::run_flow;
using flow::test::shell_quote;
using Json = nlohmann::json;
using flow::test::named;
using namespace std::chrono_literals;

namespace {

struct TerminalRun {
  int status = -1;
  std::string out;  // standard output and error together, as the terminal showed them
};

// Runs `flow ARGS` with a pseudo-terminal as its standard error (and input,
// and output unless `stdout_path` names a file for it, as `> file` would), so
// isatty() says yes, as in an interactive shell.
TerminalRun run_in_terminal(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                            const std::string& stdout_path = "") {
  int master = -1;
  winsize size{};
  size.ws_row = 50;
  size.ws_col = 200;  // wide enough that no row of the table wraps
  pid_t pid = forkpty(&master, nullptr, nullptr, &size);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    for (int signal : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal, SIG_DFL);
    if (!stdout_path.empty()) {
      int file = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (file < 0 || dup2(file, STDOUT_FILENO) < 0) _exit(126);
      close(file);
    }
    std::vector<char*> argv{const_cast<char*>(FLOW_BINARY)};
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(FLOW_BINARY, argv.data());
    _exit(127);
  }
  TerminalRun run;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd ready{master, POLLIN, 0};
    if (left.count() <= 0 || poll(&ready, 1, static_cast<int>(left.count())) <= 0) {
      kill(pid, SIGKILL);  // a hang fails the test instead of stalling the suite
      break;
    }
    char buffer[4096];
    auto got = read(master, buffer, sizeof buffer);
    if (got <= 0) break;  // EIO once the child's side of the terminal is closed
    run.out.append(buffer, static_cast<std::size_t>(got));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // The terminal turns "\n" into "\r\n"; the table's own control sequences are what matter.
  std::erase(run.out, '\r');
  return run;
}

std::vector<std::string> split(const std::string& text, const std::string& separator) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  for (auto next = text.find(separator); next != std::string::npos; next = text.find(separator, at)) {
    parts.push_back(text.substr(at, next - at));
    at = next + separator.size();
  }
  parts.push_back(text.substr(at));
  return parts;
}

// One row of a --trace CSV: time_s,kind,name,held,in,out,dropped,busy.
struct TraceRow {
  std::string time, kind, name, held, in, out, dropped, busy;
};

std::vector<TraceRow> trace_rows(const std::string& csv) {
  std::vector<TraceRow> rows;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    auto fields = split(line, ",");
    REQUIRE(fields.size() == 8);
    rows.push_back({fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7]});
  }
  return rows;
}

// slow_process.flow, run with a trace and the JSON.
struct TracedRun {
  std::string dir, trace;
  Json metrics;
};

TracedRun traced_run() {
  TracedRun run{flow::test::temp_directory(), "", {}};
  run.trace = run.dir + "/trace.csv";
  auto result =
      run_flow(fmt::format("run --quiet {} --trace {} --metrics-json {}", shell_quote(data("slow_process")),
                           shell_quote(run.trace), shell_quote(run.dir + "/run.json")));
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  run.metrics = Json::parse(flow::test::read_file(run.dir + "/run.json"));
  return run;
}

}  // namespace

TEST_CASE(
    "on a terminal the report is a table redrawn in place, drawn once more at the end, then the summary",
    "[cli]") {
  auto json = flow::test::temp_directory() + "/run.json";
  auto run = run_in_terminal({"run", data("slow_process"), "--report", "100ms", "--metrics-json", json}, 20s);
  INFO(run.out);
  REQUIRE(run.status == 0);
  auto metrics = Json::parse(flow::test::read_file(json));
  // slow_process.flow has 3 edges and 4 nodes: a title, the edge header and
  // 3 rows, the node header and 4 rows, each cleared before it is written.
  constexpr std::size_t rows = 1 + 1 + 3 + 1 + 4;
  const std::string clear = "\x1b[2K";
  const std::string back = fmt::format("\x1b[{}F", rows);  // to the first row of the table before
  auto tables = flow::test::count(run.out, clear + "flow slow_process  ");
  // A run of at least 40 × 10 ms with a report every 100 ms, and the last table.
  CHECK(tables >= 3);
  CHECK(flow::test::count(run.out, clear) == tables * rows);
  // No scrolling: every table after the first moves back over the one before.
  CHECK(flow::test::count(run.out, back) == tables - 1);
  // Not the lines meant for a pipe.
  CHECK(!std::regex_search(run.out, std::regex(R"(\[\d+\.\d\ds\] ingest->)")));

  // The last table has the final figures: the run's elapsed time, every
  // message made, every edge empty, and the bottleneck bold red.
  auto last = run.out.substr(run.out.rfind(back) + back.size());
  auto lines = split(last, "\n");
  REQUIRE(lines.size() > rows);
  CHECK(lines[0] == fmt::format("{}flow slow_process  {:.2f} s  ingest 40/40 (100 %)", clear,
                                metrics.at("elapsed_s").get<double>()));
  for (std::size_t edge = 2; edge < 5; ++edge)
    CHECK(std::regex_search(lines[edge], std::regex(R"( 0/5 \[\.{20}\])")));
  CHECK(last.find("\x1b[1;31mprocess ") != std::string::npos);
  CHECK(last.find("<- bottleneck\x1b[0m\n") != std::string::npos);
  CHECK(flow::test::count(last, "<- bottleneck") == 1);
  // The summary follows the table.
  CHECK(last.find("pipeline slow_process: ok after ") != std::string::npos);
}

TEST_CASE("with standard output in a file, the table is still drawn on the terminal and the file gets only data",
          "[cli]") {
  auto dir = flow::test::temp_directory();
  auto file = dir + "/words.flow";
  flow::test::write_file(file, R"(pipeline words
source words = generate(count=30, size=4B)
stage  slow  = delay(10ms)
sink   out   = stdout()
words -> slow -> out
)");
  auto run = run_in_terminal({"run", file, "--report", "50ms"}, 20s, dir + "/out.txt");
  INFO(run.out);
  REQUIRE(run.status == 0);
  // The reports and summary are on standard error, a terminal: the table, then the summary.
  CHECK(flow::test::count(run.out, "\x1b[2Kflow words  ") >= 2);
  CHECK(run.out.find("pipeline words: ok after ") != std::string::npos);
  // Standard output is a file: the 30 payloads, nothing else.
  std::string lines;
  for (int i = 0; i < 30; ++i) lines += "xxxx\n";
  CHECK(flow::test::read_file(dir + "/out.txt") == lines);
}

TEST_CASE("the trace ends with a sample at the run's end time and gives each node's busy fraction", "[cli]") {
  auto run = traced_run();
  auto rows = trace_rows(flow::test::read_file(run.trace));
  // 3 edges and 4 nodes in every sample.
  REQUIRE(rows.size() % 7 == 0);
  REQUIRE(rows.size() >= 14);
  // The last sample is taken at the end, after the drain: the JSON's time and totals.
  auto end = fmt::format("{:.3f}", run.metrics.at("elapsed_s").get<double>());
  std::vector<TraceRow> last(rows.end() - 7, rows.end());
  for (const auto& row : last) {
    INFO(row.name);
    CHECK(row.time == end);
    if (row.kind == "edge") {
      CHECK(row.held == "0");
      CHECK(row.in == "40");
      CHECK(row.out == "40");
    } else {
      const auto& node = named(run.metrics.at("nodes"), row.name);
      CHECK(row.in == std::to_string(node.at("in").get<int>()));
      CHECK(row.out == std::to_string(node.at("out").get<int>()));
    }
  }
  // busy: empty for edges, a fraction of the interval since the sample
  // before for nodes. Over the samples they add up to each node's busy_s in
  // the JSON, less what the clamp to 1 cut off: a message's time counts in the
  // interval it ended in, so at most one message (10 ms, process's, the
  // longest in the file) per sample. process works all the time while its
  // input is full, so its busy fraction over an interval is high.
  struct Busy {
    double sum_s = 0, previous_time = 0, peak = 0;
    int samples = 0;
  };
  std::map<std::string, Busy> nodes;
  for (const auto& row : rows) {
    INFO(row.time << " " << row.name);
    if (row.kind == "edge") {
      CHECK(row.busy.empty());
      continue;
    }
    CHECK(row.held.empty());
    double busy = std::stod(row.busy);
    CHECK(busy >= 0.0);
    CHECK(busy <= 1.0);
    auto& node = nodes[row.name];
    double time = std::stod(row.time);
    node.sum_s += busy * (time - node.previous_time);
    node.previous_time = time;
    node.peak = std::max(node.peak, busy);
    ++node.samples;
  }
  CHECK(nodes["process"].peak >= 0.5);
  REQUIRE(nodes.size() == 4);
  for (const auto& [name, node] : nodes) {
    INFO(name);
    auto busy_s = named(run.metrics.at("nodes"), name).at("busy_s").get<double>();
    CHECK(node.sum_s <= busy_s + 0.005);  // 0.005: each sample's busy is rounded to 3 decimals
    CHECK(node.sum_s >= busy_s - 0.010 * node.samples - 0.005);
  }
}

TEST_CASE("a run stopped by SIGINT still ends its trace with a sample at the end time", "[cli]") {
  auto dir = flow::test::temp_directory();
  auto trace = dir + "/trace.csv";
  flow::test::Child child(FLOW_BINARY,
                          {"run", "--quiet", data("endless"), "--report", "100ms", "--trace", trace,
                           "--metrics-json", dir + "/run.json"},
                          /*merge_stderr=*/true);
  // The first report line (on standard error): the run is under way, a sample or more is written.
  REQUIRE(child.read_line(20s));
  child.send(SIGINT);
  int status = child.finish(20s);
  INFO(child.out() << child.err());
  REQUIRE(status == 130);
  auto metrics = Json::parse(flow::test::read_file(dir + "/run.json"));
  REQUIRE(metrics.at("status") == "interrupted");
  auto rows = trace_rows(flow::test::read_file(trace));
  // endless.flow: 2 edges and 3 nodes per sample; the last is the drained end.
  REQUIRE(rows.size() >= 5);
  REQUIRE(rows.size() % 5 == 0);
  auto end = fmt::format("{:.3f}", metrics.at("elapsed_s").get<double>());
  for (std::size_t i = rows.size() - 5; i < rows.size(); ++i) {
    INFO(rows[i].name);
    CHECK(rows[i].time == end);
    if (rows[i].kind == "edge") {
      CHECK(rows[i].held == "0");
      CHECK(rows[i].in ==
            std::to_string(metrics.at("edges").at(i - (rows.size() - 5)).at("in").get<std::uint64_t>()));
    }
  }
}

TEST_CASE("plot without -o writes the SVG to standard output", "[cli]") {
  auto run = traced_run();
  auto to_stdout = run_flow("plot " + shell_quote(run.trace));
  INFO(to_stdout.err);
  REQUIRE(to_stdout.exit_code == 0);
  auto svg = run.dir + "/trace.svg";
  REQUIRE(run_flow(fmt::format("plot {} -o {}", shell_quote(run.trace), shell_quote(svg))).exit_code == 0);
  // The same picture as -o writes: one line per edge of slow_process.flow.
  CHECK(!to_stdout.out.empty());
  CHECK(to_stdout.out == flow::test::read_file(svg));
  CHECK(flow::test::count(to_stdout.out, "<polyline") == 3);
  CHECK(to_stdout.err.empty());
}
