#pragma once
// `flow run` with --metrics-json, and the parsed JSON, for the CLI tests.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <string>

#include "helpers.hpp"

namespace flow::test {

struct JsonRun {
  ProcessResult process;
  nlohmann::json metrics;
};

/// `flow run tests/cli/data/NAME.flow --metrics-json ... EXTRA`, with `input`
/// (a shell command) piped into it when given.
inline JsonRun run_with_json(const std::string& name, const std::string& extra, const std::string& input = "") {
  auto path = temp_directory() + "/run.json";
  auto command =
      fmt::format("{} run {} --metrics-json {} {}", FLOW_BINARY, shell_quote(data(name)), shell_quote(path), extra);
  if (!input.empty()) command = input + " | " + command;
  JsonRun run{run_command(command), {}};
  auto text = read_file(path);
  INFO(run.process.out << run.process.err);
  REQUIRE(!text.empty());
  run.metrics = nlohmann::json::parse(text);
  return run;
}

/// The item of a metrics list (nodes, sinks, sources) called `name`.
inline const nlohmann::json& named(const nlohmann::json& list, const std::string& name) {
  for (const auto& item : list) {
    if (item.at("name") == name) return item;
  }
  FAIL("nothing named " << name);
  static nlohmann::json none;
  return none;
}

}  // namespace flow::test
