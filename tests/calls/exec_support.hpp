#pragma once
// Helpers for the exec tests: a pipeline file and its input written to a
// fresh directory, `flow run` on it with its metrics JSON read back, and what
// a test checks afterwards (lines of a file, a node's counts, processes left).
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "process.hpp"

namespace flow::test {

using Json = nlohmann::json;

struct FlowRun {
  ProcessResult process;
  Json metrics;  ///< null when the run wrote none
};

/// "0\n1\n…" or `prefix` before each number, for `count` lines.
inline std::string number_lines(int count, const std::string& prefix = "") {
  std::string text;
  for (int i = 0; i < count; ++i) text += fmt::format("{}{}\n", prefix, i);
  return text;
}

/// Writes `text` to `dir`/exec.flow and runs it; `extra` goes on flow's command line.
inline FlowRun run_flow(const std::string& dir, const std::string& text, const std::string& extra = "") {
  write_file(dir + "/exec.flow", text);
  auto json = dir + "/metrics.json";
  auto command = fmt::format("{} run {} --metrics-json {} {}", FLOW_BINARY, shell_quote(dir + "/exec.flow"),
                             shell_quote(json), extra);
  FlowRun run{run_command(command, dir), {}};
  auto written = read_file(json);
  if (!written.empty()) run.metrics = Json::parse(written);
  return run;
}

/// The entry named `name` in the metrics list `list` ("nodes", "sinks", "sources").
inline Json entry(const Json& metrics, const std::string& list, const std::string& name) {
  for (const auto& item : metrics.at(list)) {
    if (item.at("name") == name) return item;
  }
  FAIL("no " << list << " entry named " << name);
  return {};
}

inline std::uint64_t number(const Json& item, const std::string& key) {
  return item.at(key).get<std::uint64_t>();
}

/// The lines of a file, in order.
inline std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> lines;
  auto text = read_file(path);
  std::size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos; start = end + 1, end = text.find('\n', start))
    lines.push_back(text.substr(start, end - start));
  return lines;
}

/// Processes whose command line contains `marker` (a test's own directory),
/// one "pid: command line" each; read from /proc, so no helper of the test's
/// own (a shell running pgrep) is counted.
inline std::string processes_with(const std::string& marker) {
  std::string found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto command = read_file(entry.path().string() + "/cmdline");
    std::replace(command.begin(), command.end(), '\0', ' ');
    if (command.find(marker) != std::string::npos) found += fmt::format("{}: {}\n", name, command);
  }
  return found;
}

/// A source reading `input` and a sink writing `dir`/out.txt around `stage`.
inline std::string stage_pipeline(const std::string& dir, const std::string& stage,
                                  const std::string& attributes = "") {
  return fmt::format(
      "pipeline exec_test\n\nsource lines = read(\"{}/in.txt\")\nstage  work  = {}{}\nsink   out   = "
      "write(\"{}/out.txt\")\n\nlines -> work [capacity=64]\nwork -> out [capacity=64]\n",
      dir, stage, attributes.empty() ? "" : fmt::format(" [{}]", attributes), dir);
}

}  // namespace flow::test
