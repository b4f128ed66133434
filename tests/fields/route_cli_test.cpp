// route and partition=by through the built `flow` (docs/routing.md): a
// generated nginx access log parsed, routed by status and path, and each
// output file compared with a Python reference computed here from the same
// log; the run's metrics account for every line.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <sstream>

#include "process.hpp"

using namespace flow::test;
using Json = nlohmann::json;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Reads the log as nginx's combined format and prints, per line, the output
// route(errors: status >= 500, api: path =~ "^/api", rest: true) sends it
// to, a tab, and its path.
constexpr const char* kReference = R"py(import re, sys
line_re = re.compile(r'^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (\S+) ([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$')
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape"):
    m = line_re.match(line.rstrip("\n"))
    status, path = int(m.group(7)), m.group(5)
    label = "errors" if status >= 500 else "api" if re.search(r"^/api", path) else "rest"
    print(f"{label}\t{path}")
)py";

const Json& named(const Json& list, const std::string& name) {
  for (const auto& item : list) {
    if (item.at("name") == name) return item;
  }
  FAIL("nothing named " << name);
  static Json none;
  return none;
}

const Json& edge(const Json& metrics, const std::string& from, const std::string& to) {
  for (const auto& item : metrics.at("edges")) {
    if (item.at("from") == from && item.at("to") == to) return item;
  }
  FAIL("no edge " << from << " -> " << to);
  static Json none;
  return none;
}

}  // namespace

TEST_CASE("flow run routes a real access log by status and path as a Python reference does, in order",
          "[fields][route]") {
  auto dir = temp_directory();
  const std::size_t count = 20000;
  REQUIRE(run_command(fmt::format("python3 {}/bench/gen_access_log.py {} 7 > {}/access.log", FLOW_SOURCE_DIR,
                                  count, shell_quote(dir)))
              .exit_code == 0);
  write_file(dir + "/reference.py", kReference);
  auto reference =
      run_command(fmt::format("python3 {}/reference.py {}/access.log", shell_quote(dir), shell_quote(dir)));
  REQUIRE(reference.exit_code == 0);
  auto log = lines_of(read_file(dir + "/access.log"));
  auto labels = lines_of(reference.out);
  REQUIRE(labels.size() == count);
  std::map<std::string, std::vector<std::string>> want;
  for (std::size_t i = 0; i < count; ++i) want[labels[i].substr(0, labels[i].find('\t'))].push_back(log[i]);
  // The generator makes about 3 % 5xx and many /api calls: every output gets lines.
  REQUIRE(want["errors"].size() > 100);
  REQUIRE(want["api"].size() > 100);
  REQUIRE(want["rest"].size() > 100);

  write_file(dir + "/route.flow",
             "source logs = read(\"access.log\") | parse(nginx_combined)\n"
             "stage  r    = route(errors: status >= 500, api: path =~ \"^/api\", rest: true)\n"
             "sink   errs = write(\"errors.log\")\n"
             "sink   api  = write(\"api.log\")\n"
             "sink   rest = write(\"rest.log\")\n"
             "logs -> r\n"
             "r.errors -> errs [capacity=16]\n"
             "r.api -> api\n"
             "r.rest -> rest\n");
  auto run = run_command(fmt::format("{} run route.flow --metrics-json metrics.json", FLOW_BINARY), dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  // One worker: each file holds its lines in the log's order.
  CHECK(lines_of(read_file(dir + "/errors.log")) == want["errors"]);
  CHECK(lines_of(read_file(dir + "/api.log")) == want["api"]);
  CHECK(lines_of(read_file(dir + "/rest.log")) == want["rest"]);
  auto metrics = Json::parse(read_file(dir + "/metrics.json"));
  CHECK(edge(metrics, "r", "errs").at("in") == want["errors"].size());
  CHECK(edge(metrics, "r", "errs").at("output") == "errors");
  CHECK(edge(metrics, "logs", "r").count("output") == 0);  // an edge from a node without labels: as before
  // The summary's edge table names the edge as the file does.
  CHECK(run.err.find("\nr.errors -> errs ") != std::string::npos);
  CHECK(run.err.find("\nr -> errs ") == std::string::npos);
  CHECK(edge(metrics, "r", "api").at("in") == want["api"].size());
  CHECK(named(metrics.at("nodes"), "r").at("filtered") == 0);
  CHECK(named(metrics.at("sources"), "logs").at("delivered") == count);
}

TEST_CASE("flow run counts what no condition takes as filtered, and partition=by keeps each path's order",
          "[fields][route][partition]") {
  auto dir = temp_directory();
  const std::size_t count = 20000;
  REQUIRE(run_command(fmt::format("python3 {}/bench/gen_access_log.py {} 11 > {}/access.log", FLOW_SOURCE_DIR,
                                  count, shell_quote(dir)))
              .exit_code == 0);
  write_file(dir + "/reference.py", kReference);
  auto reference =
      run_command(fmt::format("python3 {}/reference.py {}/access.log", shell_quote(dir), shell_quote(dir)));
  REQUIRE(reference.exit_code == 0);
  auto log = lines_of(read_file(dir + "/access.log"));
  auto labels = lines_of(reference.out);
  REQUIRE(labels.size() == count);
  // No `rest`: what is neither an error nor an API call is counted filtered.
  std::vector<std::string> want_api;
  std::map<std::string, std::vector<std::string>> api_by_path;
  std::size_t unmatched = 0, errors = 0;
  for (std::size_t i = 0; i < count; ++i) {
    auto tab = labels[i].find('\t');
    auto label = labels[i].substr(0, tab);
    if (label == "api") {
      want_api.push_back(log[i]);
      api_by_path[labels[i].substr(tab + 1)].push_back(log[i]);
    }
    unmatched += label == "rest" ? 1 : 0;
    errors += label == "errors" ? 1 : 0;
  }
  write_file(
      dir + "/route.flow",
      "source logs = read(\"access.log\") | parse(nginx_combined)\n"
      "stage  r    = route(errors: status >= 500, api: path =~ \"^/api\") [workers=4, partition=by(path)]\n"
      "sink   errs = discard()\n"
      "sink   api  = write(\"api.log\")\n"
      "logs -> r\n"
      "r.errors -> errs\n"
      "r.api -> api [capacity=8]\n");
  auto run = run_command(fmt::format("{} run route.flow --metrics-json metrics.json", FLOW_BINARY), dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto got = lines_of(read_file(dir + "/api.log"));
  auto sorted_got = got, sorted_want = want_api;
  std::sort(sorted_got.begin(), sorted_got.end());
  std::sort(sorted_want.begin(), sorted_want.end());
  CHECK(sorted_got == sorted_want);
  // Four workers may interleave paths, but each path's lines keep the log's order.
  std::map<std::string, std::vector<std::string>> got_by_path;
  for (const auto& line : got) {
    auto start = line.find("\"") + 1;
    auto path_start = line.find(' ', start) + 1;
    got_by_path[line.substr(path_start, line.find(' ', path_start) - path_start)].push_back(line);
  }
  CHECK(got_by_path == api_by_path);
  auto metrics = Json::parse(read_file(dir + "/metrics.json"));
  CHECK(named(metrics.at("nodes"), "r").at("filtered") == unmatched);
  CHECK(named(metrics.at("sources"), "logs").at("filtered") == unmatched);
  CHECK(named(metrics.at("sinks"), "errs").at("delivered") == errors);
}

// Two edges from one route node into one sink differ by their labels alone:
// the metrics JSON and the summary keep them apart.
TEST_CASE("the metrics JSON and the summary tell r.a -> k from r.b -> k", "[fields][route]") {
  auto dir = temp_directory();
  write_file(dir + "/two.flow",
             "source s = generate(count=10) | set(n = 1)\n"
             "stage  r = route(a: n == 1, b: true)\n"
             "sink   k = discard()\n"
             "s -> r\n"
             "r.a -> k [capacity=3]\n"
             "r.b -> k [capacity=5]\n");
  auto run = run_command(fmt::format("{} run two.flow --metrics-json metrics.json", FLOW_BINARY), dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto metrics = Json::parse(read_file(dir + "/metrics.json"));
  std::map<std::string, Json> by_output;
  for (const auto& item : metrics.at("edges")) {
    if (item.at("from") == "r") by_output[item.at("output").get<std::string>()] = item;
  }
  REQUIRE(by_output.size() == 2);
  CHECK(by_output["a"].at("capacity") == 3);
  CHECK(by_output["a"].at("in") == 10);  // n == 1 for every message
  CHECK(by_output["b"].at("capacity") == 5);
  CHECK(by_output["b"].at("in") == 0);
  CHECK(run.err.find("\nr.a -> k ") != std::string::npos);
  CHECK(run.err.find("\nr.b -> k ") != std::string::npos);
}
