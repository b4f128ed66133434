#pragma once
// Running the built `flow` binary on the test inputs in tests/cli/data.
#include <fmt/format.h>

#include <string>

#include "process.hpp"

namespace flow::test {

/// Path of a test input: tests/cli/data/NAME.flow.
inline std::string data(const std::string& name) {
  return fmt::format("{}/tests/cli/data/{}.flow", FLOW_SOURCE_DIR, name);
}

/// Runs `flow ARGS` (ARGS already shell-quoted where needed).
inline ProcessResult run_flow(const std::string& args) { return run_command(fmt::format("{} {}", FLOW_BINARY, args)); }

/// How many times `needle` occurs in `text`.
inline std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

}  // namespace flow::test
