// A file that is not there is a usage error that names it, never a crash.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "process.hpp"

TEST_CASE("flow run on a missing file exits 2 naming the file", "[faults]") {
  const auto path = flow::test::temp_directory() + "/absent.flow";
  const auto result = flow::test::run_command(fmt::format("{} run {}", FLOW_BINARY, path));
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("flow: error: ") == 0);
  CHECK(result.err.find(path) != std::string::npos);
}
