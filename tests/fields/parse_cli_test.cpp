// The parsers on generated access logs (bench/gen_access_log.py), against a
// reference reading in Python (nginx_reference.py), and through the built
// `flow`: counts, dead letters, flow check's carets and docs/fields.md.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <sstream>

#include "ops_test_support.hpp"
#include "process.hpp"

using namespace flow;
using namespace flow::test;
using Json = nlohmann::json;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Generated {
  std::string directory;
  std::string log;                 ///< its path
  std::vector<std::string> lines;  ///< its lines
  std::vector<Json> reference;     ///< nginx_reference.py's reading of each line
  std::vector<std::string> good, broken;
};

Generated generate(std::size_t count, int seed) {
  Generated g;
  g.directory = temp_directory();
  g.log = g.directory + "/access.log";
  auto made = run_command(fmt::format("python3 {}/bench/gen_access_log.py {} {} --broken > {}",
                                      FLOW_SOURCE_DIR, count, seed, shell_quote(g.log)));
  REQUIRE(made.exit_code == 0);
  g.lines = lines_of(read_file(g.log));
  REQUIRE(g.lines.size() == count);
  auto reference = run_command(
      fmt::format("python3 {}/tests/fields/nginx_reference.py {}", FLOW_SOURCE_DIR, shell_quote(g.log)));
  REQUIRE(reference.exit_code == 0);
  for (const auto& row : lines_of(reference.out)) g.reference.push_back(Json::parse(row));
  REQUIRE(g.reference.size() == count);
  for (std::size_t i = 0; i < count; ++i) (g.reference[i].at("ok") ? g.good : g.broken).push_back(g.lines[i]);
  return g;
}

Json metrics_of(const std::string& path) {
  return Json::parse(read_file(path));
}

const Json& named(const Json& list, const std::string& name) {
  for (const auto& item : list) {
    if (item.at("name") == name) return item;
  }
  FAIL("nothing named " << name);
  static Json none;
  return none;
}

std::vector<std::string> sorted(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  return lines;
}

ProcessResult check_file(const std::string& text) {
  auto directory = temp_directory();
  write_file(directory + "/example.flow", text);
  return run_command(fmt::format("{} check example.flow", FLOW_BINARY), directory);
}

}  // namespace

TEST_CASE("nginx_combined reads generated access logs as the Python reference does", "[fields][parse]") {
  auto g = generate(20000, 11);
  CHECK(g.broken.size() > 100);  // --broken breaks about one line in a hundred
  auto parser = make_operator("parse", {{"format", std::string("nginx_combined")}});
  auto chunk = chunk_of(g.lines);
  RecordingContext context;
  parser->apply(chunk, context);
  REQUIRE(chunk.size() == g.good.size());
  REQUIRE(context.failures.size() == g.broken.size());
  std::size_t kept = 0;
  for (std::size_t i = 0; i < g.lines.size(); ++i) {
    if (!g.reference[i].at("ok")) continue;
    const auto& message = chunk[kept++];
    INFO(g.lines[i]);
    REQUIRE(message.payload.str() == g.lines[i]);
    const auto& expected = g.reference[i].at("fields");
    REQUIRE(message.fields.get() != nullptr);
    CHECK(message.fields.get()->size() == expected.size());
    for (const auto& [name, value] : expected.items()) {
      auto got = message.fields.find(name);
      REQUIRE(got.has_value());
      if (value.is_number_integer()) {
        CHECK(std::get<std::int64_t>(*got) == value.get<std::int64_t>());
      } else {
        CHECK(std::get<std::string_view>(*got) == value.get<std::string>());
      }
    }
  }
  for (std::size_t i = 0; i < g.broken.size(); ++i) {
    CHECK(context.failures[i].first == g.broken[i]);
    CHECK(context.failures[i].second.starts_with("nginx_combined: expected "));
  }
}

TEST_CASE("flow run counts the lines that do not parse as errors and delivers the rest", "[fields][parse]") {
  auto g = generate(5000, 5);
  auto out = g.directory + "/out.txt";
  auto flow_file = fmt::format(R"(pipeline access
source lines  = read("{}")
stage  parsed = parse(nginx_combined) [on_error=skip, workers=2, ordered=false]
sink   out    = write("{}")
lines -> parsed -> out
)",
                               g.log, out);
  write_file(g.directory + "/access.flow", flow_file);
  auto run = run_command(fmt::format("{} run access.flow --quiet --metrics-json run.json", FLOW_BINARY),
                         g.directory);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto metrics = metrics_of(g.directory + "/run.json");
  CHECK(named(metrics.at("nodes"), "parsed").at("errors") == g.broken.size());
  CHECK(named(metrics.at("sinks"), "out").at("delivered") == g.good.size());
  CHECK(named(metrics.at("sources"), "lines").at("errors") == g.broken.size());
  CHECK(sorted(lines_of(read_file(out))) == sorted(g.good));
}

TEST_CASE("on_error=NODE sends the lines that do not parse to a dead-letter sink", "[fields][parse]") {
  auto g = generate(3000, 23);
  auto flow_file = fmt::format(R"(pipeline access
source lines  = read("{0}")
stage  parsed = parse(format="nginx_combined") | drop(http_user_agent, http_referer) [on_error=bad]
sink   out    = write("{1}/out.txt")
sink   bad    = write("{1}/bad.txt")
lines -> parsed -> out
)",
                               g.log, g.directory);
  write_file(g.directory + "/access.flow", flow_file);
  auto run = run_command(fmt::format("{} run access.flow --quiet --metrics-json run.json", FLOW_BINARY),
                         g.directory);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(sorted(lines_of(read_file(g.directory + "/bad.txt"))) == sorted(g.broken));
  CHECK(sorted(lines_of(read_file(g.directory + "/out.txt"))) == sorted(g.good));
  auto metrics = metrics_of(g.directory + "/run.json");
  CHECK(named(metrics.at("nodes"), "parsed").at("dead_lettered") == g.broken.size());
}

TEST_CASE("flow check puts a caret under a bad pattern, format or column list", "[fields][parse]") {
  auto bad = check_file(
      "pipeline p\nsource s = read(\"x.log\")\nstage r = parse_regex(\"(?P<ip>\\\\S+\")\n"
      "stage f = parse(nginx_combind)\nstage c = parse(\"csv\", columns=\"a,b,a\")\n"
      "sink o = discard()\ns -> r -> f -> c -> o\n");
  CHECK(bad.exit_code == 2);
  INFO(bad.err);
  CHECK(bad.err.find("example.flow:3:23: error: invalid regular expression: missing ): (?P<ip>\\S+\n") !=
        std::string::npos);
  CHECK(bad.err.find(
            "example.flow:4:17: error: unknown format 'nginx_combind'; expected one of nginx_combined, "
            "apache_common, syslog_rfc5424, syslog_rfc3164, logfmt, csv (did you mean "
            "'nginx_combined'?)") != std::string::npos);
  CHECK(bad.err.find("example.flow:5:32: error: column 'a' is named twice in columns") != std::string::npos);
  CHECK(bad.err.find("    stage f = parse(nginx_combind)\n                    ^^^^^^^^^^^^^\n") !=
        std::string::npos);
  auto good = check_file(
      "pipeline p\nsource s = read(\"x.log\")\nstage f = parse(format=\"logfmt\") | drop(a, \"b.c\")"
      " | grep(\"x\", invert=true)\nsink o = discard()\ns -> f -> o\n");
  CHECK(good.err == "");
  CHECK(good.exit_code == 0);
}

TEST_CASE("every example in docs/fields.md behaves as the page says", "[fields][docs]") {
  auto lines = lines_of(read_file(FLOW_SOURCE_DIR "/docs/fields.md"));
  // Fenced blocks: (info string, text).
  std::vector<std::pair<std::string, std::string>> blocks;
  std::optional<std::pair<std::string, std::string>> open;
  for (const auto& line : lines) {
    if (!line.starts_with("```")) {
      if (open) open->second += line + "\n";
    } else if (open) {
      blocks.push_back(*open);
      open.reset();
    } else {
      open.emplace(line.substr(3), "");
    }
  }
  std::size_t checked = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    INFO(blocks[i].second);
    if (blocks[i].first == "flow") {
      auto result = check_file(blocks[i].second);
      CHECK(result.err == "");
      CHECK(result.exit_code == 0);
      ++checked;
    } else if (blocks[i].first == "flow-invalid") {
      REQUIRE(i + 1 < blocks.size());
      auto result = check_file(blocks[i].second);
      CHECK(result.exit_code == 2);
      CHECK(result.err == blocks[i + 1].second);
      ++checked;
    }
  }
  CHECK(checked == 3);
}
