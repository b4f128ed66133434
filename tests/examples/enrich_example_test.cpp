// examples/enrich.flow: the sample log through four python3 children, ordered.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

#include "example_run.hpp"
#include "process.hpp"

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("enrich turns every line of the sample log into its JSON object, in the log's order",
          "[examples]") {
  auto out = flow::test::temp_directory() + "/enriched.json";
  auto run = flow::test::run_example(
      "enrich", fmt::format("--quiet --set out.path={}", flow::test::shell_quote('"' + out + '"')));
  flow::test::require_invariants(run.metrics, "enrich");
  auto input = split_lines(flow::test::read_file(std::string(FLOW_SOURCE_DIR) + "/examples/data/app.log"));
  auto output = split_lines(flow::test::read_file(out));
  REQUIRE(output.size() == input.size());
  const std::map<std::string, int> severity{
      {"DEBUG", 10}, {"INFO", 20}, {"WARN", 30}, {"ERROR", 40}, {"FATAL", 50}};
  for (std::size_t i = 0; i < input.size(); ++i) {
    INFO(input[i] << " -> " << output[i]);
    std::istringstream fields(input[i]);
    std::string time;
    std::string host;
    std::string level;
    fields >> time >> host >> level;
    auto object = nlohmann::json::parse(output[i]);
    CHECK(object.at("time") == time);  // the same line, so the order is the log's
    CHECK(object.at("host") == host);
    CHECK(object.at("level") == level);
    CHECK(object.at("severity") == severity.at(level));
    CHECK(input[i].substr(input[i].size() - object.at("message").get<std::string>().size()) ==
          object.at("message"));
  }
  const auto& enrich = run.metrics.at("nodes");
  for (const auto& node : enrich) {
    if (node.at("name") == "enrich") CHECK(node.at("errors") == 0);
  }
}
