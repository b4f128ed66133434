#pragma once
// Running an example of examples/ through the built binary, and the
// invariants every run of one must hold: shared by the example tests.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "process.hpp"

namespace flow::test {

using Json = nlohmann::json;

inline std::string example(const std::string& name) { return fmt::format("{}/examples/{}.flow", FLOW_SOURCE_DIR, name); }

struct Run {
  ProcessResult process;
  Json metrics;
};

// Runs an example from the repository root (its relative paths point there).
inline Run run_example(const std::string& name, const std::string& extra = "") {
  auto json_path = temp_directory() + "/run.json";
  auto command = fmt::format("{} run {} --metrics-json {} {}", FLOW_BINARY, shell_quote(example(name)),
                             shell_quote(json_path), extra);
  Run run{run_command(command, FLOW_SOURCE_DIR), {}};
  INFO(run.process.out << run.process.err);
  REQUIRE(run.process.exit_code == 0);
  run.metrics = Json::parse(read_file(json_path));
  return run;
}

// The plan's bound on messages alive at once, read from `flow plan` (nullopt: unbounded).
inline std::optional<std::uint64_t> plan_bound(const std::string& name) {
  auto plan = run_command(fmt::format("{} plan {}", FLOW_BINARY, shell_quote(example(name))), FLOW_SOURCE_DIR);
  const std::string key = "messages alive: at most ";
  auto at = plan.out.find(key);
  if (at == std::string::npos) return std::nullopt;
  return std::stoull(plan.out.substr(at + key.size()));
}

// The invariants of every run that did not fail: nothing lost, bounds held,
// never more messages alive at once than `flow plan` says.
inline void require_invariants(const Json& metrics, const std::string& name) {
  REQUIRE(metrics.at("status") == "ok");
  if (auto bound = plan_bound(name)) CHECK(metrics.at("peak_messages").get<std::uint64_t>() <= *bound);
  for (const auto& e : metrics.at("edges")) {
    INFO(e.dump());
    CHECK(e.at("in").get<std::uint64_t>() == e.at("out").get<std::uint64_t>() +
                                                 e.at("dropped").get<std::uint64_t>() +
                                                 e.value("expired", std::uint64_t{0}));
    if (!e.at("capacity").is_null()) CHECK(e.at("high_water") <= e.at("capacity"));
  }
  for (const auto& s : metrics.at("sources")) {
    INFO(s.dump());
    CHECK(s.at("produced").get<std::uint64_t>() ==
          s.at("delivered").get<std::uint64_t>() + s.at("dropped").get<std::uint64_t>() +
              s.at("filtered").get<std::uint64_t>() + s.at("errors").get<std::uint64_t>() +
              s.value("dead_lettered", std::uint64_t{0}) + s.value("expired", std::uint64_t{0}));
  }
}

}  // namespace flow::test
