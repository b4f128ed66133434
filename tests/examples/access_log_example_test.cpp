// examples/access_log.flow on examples/data/access.log: the 5xx requests as
// JSON in a file, per-status counts on stdout, the rest discarded. Expected
// values come from the log itself, read here with a regex of the nginx
// combined format independent of flow's parser.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "example_run.hpp"
#include "process.hpp"

namespace {

struct Expected {
  std::map<std::int64_t, std::uint64_t> per_status;
  std::multiset<std::string> errors;  ///< "remote_addr path status" of each 5xx line
  std::uint64_t lines = 0;
};

Expected read_log(const std::string& path) {
  static const std::regex combined(
      R"re(^(\S+) \S+ \S+ \[[^\]]+\] "(\S+) (\S+) [^"]*" (\d{3}) \S+ "[^"]*" "[^"]*"$)re");
  Expected expected;
  std::istringstream in(flow::test::read_file(path));
  for (std::string line; std::getline(in, line);) {
    ++expected.lines;
    std::smatch m;
    REQUIRE(std::regex_match(line, m, combined));
    auto status = std::stoll(m[4].str());
    ++expected.per_status[status];
    if (status >= 500) expected.errors.insert(fmt::format("{} {} {}", m[1].str(), m[3].str(), status));
  }
  return expected;
}

}  // namespace

TEST_CASE("access_log writes the 5xx lines as JSON and counts every status", "[examples]") {
  auto expected = read_log(std::string(FLOW_SOURCE_DIR) + "/examples/data/access.log");
  REQUIRE(!expected.errors.empty());
  auto out = flow::test::temp_directory() + "/5xx.json";
  auto run = flow::test::run_example(
      "access_log", fmt::format("--quiet --set errors.path={}", flow::test::shell_quote('"' + out + '"')));
  flow::test::require_invariants(run.metrics, "access_log");

  std::multiset<std::string> errors;
  std::istringstream json_lines(flow::test::read_file(out));
  for (std::string line; std::getline(json_lines, line);) {
    auto object = nlohmann::json::parse(line);
    errors.insert(fmt::format("{} {} {}", object.at("remote_addr").get<std::string>(),
                              object.at("path").get<std::string>(), object.at("status").get<std::int64_t>()));
  }
  CHECK(errors == expected.errors);

  // Rows such as `status=200 count=17 window_start=...`: summed over windows, per status.
  std::map<std::int64_t, std::uint64_t> counted;
  static const std::regex row(R"(^status=(\d+) count=(\d+) .*$)");
  std::istringstream rows(run.process.out);
  for (std::string line; std::getline(rows, line);) {
    std::smatch m;
    INFO(line);
    REQUIRE(std::regex_match(line, m, row));
    counted[std::stoll(m[1].str())] += std::stoull(m[2].str());
  }
  CHECK(counted == expected.per_status);
}
