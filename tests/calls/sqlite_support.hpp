#pragma once
// Helpers for the tests of the sqlite() sink: pipelines written to a fresh
// directory, `flow run` with its metrics JSON, and the rows read back with
// the real sqlite3 command (never the library the sink links).
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "process.hpp"

namespace flow::test {

/// What `sqlite3 -batch DB SQL` printed (rows on lines, values split by '|'); the query must succeed.
inline std::string sql(const std::string& db, const std::string& query) {
  auto result = run_command(fmt::format("sqlite3 -batch {} {}", shell_quote(db), shell_quote(query)));
  INFO("sqlite3 " << db << " " << query << ": " << result.err);
  REQUIRE(result.exit_code == 0);
  return result.out;
}

/// The single integer a query such as `SELECT count(*) …` prints.
inline long long sql_number(const std::string& db, const std::string& query) {
  return std::stoll(sql(db, query));
}

/// The lines of `text`, without their line ends.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos; start = end + 1, end = text.find('\n', start)) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

struct FlowRun {
  ProcessResult process;
  nlohmann::json metrics;  ///< null when the run wrote none
};

/// Writes `text` to DIR/NAME.flow and runs it (`flow run -q --metrics-json`).
inline FlowRun run_pipeline(const std::string& dir, const std::string& name, const std::string& text,
                            const std::string& extra = "") {
  auto file = dir + "/" + name + ".flow";
  write_file(file, text);
  auto json = dir + "/" + name + ".json";
  FlowRun run{run_command(fmt::format("{} run -q --metrics-json {} {} {}", FLOW_BINARY, shell_quote(json),
                                      shell_quote(file), extra)),
              nullptr};
  auto body = read_file(json);
  if (!body.empty()) run.metrics = nlohmann::json::parse(body);
  return run;
}

/// The entry of `list` whose "name" is `name`.
inline const nlohmann::json& entry(const nlohmann::json& list, const std::string& name) {
  for (const auto& item : list) {
    if (item.at("name") == name) return item;
  }
  FAIL("no entry named " << name << " in " << list.dump());
  static nlohmann::json none;
  return none;
}

/// A node's own count (`nodes[].counts`) from the metrics JSON; 0 when absent.
inline std::uint64_t node_count(const nlohmann::json& metrics, const std::string& node,
                                const std::string& name) {
  const auto& counts = entry(metrics.at("nodes"), node).at("counts");
  return counts.contains(name) ? counts.at(name).get<std::uint64_t>() : 0;
}

/// "prefix0\nprefix1\n…": `count` numbered lines.
inline std::string numbered_lines(const std::string& prefix, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += fmt::format("{}{}\n", prefix, i);
  return text;
}

}  // namespace flow::test
