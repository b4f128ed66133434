// Seeing backpressure from the outside: report lines in a pipe, the bottleneck
// in summary and JSON, the coloured DOT, and the trace drawn by `flow plot`.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "helpers.hpp"

using flow::test::data;
using flow::test::run_flow;
using flow::test::shell_quote;
using Json = nlohmann::json;

namespace {

// Report lines: `[0.50s] a->b 5/5 ... | bottleneck NAME`.
std::vector<std::string> report_lines(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, std::regex(R"(^\[\d+\.\d\ds\] )"))) lines.push_back(line);
  }
  return lines;
}

// The `n/capacity` figure of edge `name` on a report line.
std::optional<std::pair<int, int>> fill_of(const std::string& line, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(line, match, std::regex(" " + name + R"( (\d+)/(\d+))"))) return std::nullopt;
  return std::pair{std::stoi(match[1]), std::stoi(match[2])};
}

}  // namespace

TEST_CASE("end_to_end with --report 500ms in a pipe prints n/5 per edge and names process everywhere", "[cli]") {
  auto dir = flow::test::temp_directory();
  auto result = run_flow(fmt::format("run {} --report 500ms --metrics-json {}/run.json", shell_quote(data("end_to_end")),
                                 shell_quote(dir)));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  // The reports and the summary are on standard error; the data (discard()) puts nothing on standard output.
  CHECK(result.out.empty());
  auto lines = report_lines(result.err);
  // About 5.2 s at one line per half second.
  CHECK(lines.size() >= 8);
  CHECK(lines.size() <= 12);
  int full_in_front_of_process = 0;
  for (const auto& line : lines) {
    INFO(line);
    for (const char* edge : {"ingest->validate", "validate->process", "process->store"}) {
      auto fill = fill_of(line, edge);
      REQUIRE(fill);
      CHECK(fill->second == 5);
      CHECK(fill->first <= 5);
    }
    if (fill_of(line, "validate->process")->first >= 4) ++full_in_front_of_process;
  }
  CHECK(full_in_front_of_process * 2 >= static_cast<int>(lines.size()));
  CHECK(lines.back().find("| bottleneck process") != std::string::npos);
  CHECK(result.err.find("bottleneck: process — ") != std::string::npos);
  auto metrics = Json::parse(flow::test::read_file(dir + "/run.json"));
  CHECK(metrics.at("bottleneck") == "process");
}

TEST_CASE("dot --metrics renders with Graphviz and marks the bottleneck", "[cli]") {
  auto dir = flow::test::temp_directory();
  auto json = shell_quote(dir + "/run.json");
  REQUIRE(run_flow(fmt::format("run --quiet {} --metrics-json {}", shell_quote(data("slow_process")), json)).exit_code == 0);
  auto coloured = run_flow(fmt::format("dot {} --metrics {}", shell_quote(data("slow_process")), json));
  INFO(coloured.err);
  REQUIRE(coloured.exit_code == 0);
  auto plain = run_flow("dot " + shell_quote(data("slow_process")));
  CHECK(coloured.out != plain.out);
  CHECK(coloured.out.find("bottleneck") != std::string::npos);
  flow::test::write_file(dir + "/run.dot", coloured.out);
  auto svg = flow::test::run_command("dot -Tsvg " + shell_quote(dir + "/run.dot"));
  CHECK(svg.exit_code == 0);
  CHECK(svg.out.find("<svg") != std::string::npos);
}

TEST_CASE("dot --metrics with a file that is not metrics JSON exits 2", "[cli]") {
  auto dir = flow::test::temp_directory();
  flow::test::write_file(dir + "/bad.json", "{ not json");
  auto result = run_flow(fmt::format("dot {} --metrics {}", shell_quote(data("slow_process")), shell_quote(dir + "/bad.json")));
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("bad.json") != std::string::npos);
}

TEST_CASE("run --trace writes a CSV sample per interval and flow plot turns it into an SVG", "[cli]") {
  auto dir = flow::test::temp_directory();
  auto trace = dir + "/trace.csv";
  auto run = run_flow(fmt::format("run --quiet {} --trace {}", shell_quote(data("slow_process")), shell_quote(trace)));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto csv = flow::test::read_file(trace);
  REQUIRE(csv.rfind("time_s,kind,name,held,in,out,dropped,busy\n", 0) == 0);
  auto edge_rows = flow::test::count(csv, ",edge,validate->process,");
  CHECK(edge_rows >= 2);
  CHECK(flow::test::count(csv, ",edge,ingest->validate,") == edge_rows);
  CHECK(flow::test::count(csv, ",node,process,") == edge_rows);
  auto plot = run_flow(fmt::format("plot {} -o {}", shell_quote(trace), shell_quote(dir + "/trace.svg")));
  INFO(plot.err);
  REQUIRE(plot.exit_code == 0);
  auto svg = flow::test::read_file(dir + "/trace.svg");
  CHECK(flow::test::count(svg, "<polyline") == 3);
  CHECK(svg.find("validate-&gt;process") != std::string::npos);
  auto lint = flow::test::run_command("xmllint --noout " + shell_quote(dir + "/trace.svg"));
  INFO(lint.err);
  CHECK(lint.exit_code == 0);
}

TEST_CASE("plot of a file that is not a trace exits 2", "[cli]") {
  auto result = run_flow("plot " + shell_quote(data("slow_process")));
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("not a flow trace") != std::string::npos);
}
