#pragma once
// Runs `flow run` on a pipeline written to a fresh directory, through a shell
// command that sets up the fault, and reads back its metrics JSON.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "process.hpp"

namespace flow::test {

struct FaultRun {
  ProcessResult result;
  nlohmann::json metrics;  ///< null when flow wrote none
  std::string dir;         ///< where the pipeline ran: relative paths in it land here
};

/// The `flow run -q --metrics-json` command line for the pipeline `flow_text`, written to `dir`.
inline std::string flow_command(const std::string& dir, const std::string& flow_text) {
  write_file(dir + "/pipeline.flow", flow_text);
  return fmt::format("{} run -q --metrics-json metrics.json pipeline.flow", FLOW_BINARY);
}

/// Runs `shell`, in which `{flow}` stands for the flow command line, in a fresh directory.
inline FaultRun run_fault(const std::string& flow_text, const std::string& shell) {
  FaultRun run;
  run.dir = temp_directory();
  auto command = fmt::format(fmt::runtime(shell), fmt::arg("flow", flow_command(run.dir, flow_text)));
  run.result = run_command(command, run.dir);
  auto text = read_file(run.dir + "/metrics.json");
  if (!text.empty()) run.metrics = nlohmann::json::parse(text);
  return run;
}

/// The entry named `name` of the metrics' list `list` ("sinks", "nodes", "sources").
inline nlohmann::json entry(const nlohmann::json& metrics, const char* list, const std::string& name) {
  for (const auto& item : metrics.at(list)) {
    if (item.at("name") == name) return item;
  }
  return nullptr;
}

/// Newlines in `text`: the lines written in full.
inline std::uint64_t line_count(const std::string& text) {
  return static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
}

/// produced = delivered + dropped + filtered + errors, for the source `name`.
inline bool balanced(const nlohmann::json& metrics, const std::string& name) {
  auto source = entry(metrics, "sources", name);
  return source.at("produced").get<std::uint64_t>() ==
         source.at("delivered").get<std::uint64_t>() + source.at("dropped").get<std::uint64_t>() +
             source.at("filtered").get<std::uint64_t>() + source.at("errors").get<std::uint64_t>();
}

}  // namespace flow::test
