// read_file (flow/read_file.hpp): an input file read whole, refused past its
// cap before more than the cap is held, every failure a diagnostic.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

#include "flow/diagnostic.hpp"
#include "flow/read_file.hpp"
#include "process.hpp"

using namespace flow;
using flow::test::temp_directory;
using flow::test::write_file;

namespace {

constexpr std::uint64_t kOneMiB = std::uint64_t{1} << 20;

/// The one diagnostic of a file that was not read; it has no place in a file to point at.
Diagnostic error_of(const std::string& path, std::uint64_t limit) {
  auto read = read_file(path, limit, "a test file");
  REQUIRE_FALSE(read.text);
  REQUIRE(read.diagnostics.size() == 1);
  CHECK(read.diagnostics.front().severity == Severity::Error);
  CHECK_FALSE(read.diagnostics.front().location.known());
  return read.diagnostics.front();
}

}  // namespace

TEST_CASE("a file is read whole, every byte of it", "[model]") {
  auto path = temp_directory() + "/bytes";
  const std::string bytes("line\n\0\xff last", 12);
  write_file(path, bytes);
  auto read = read_file(path, kOneMiB, "a test file");
  REQUIRE(read.text);
  CHECK(*read.text == bytes);
  CHECK(read.diagnostics.empty());
  std::filesystem::remove(path);
}

TEST_CASE("a file of exactly the cap is read and one byte more is refused, naming the cap", "[model]") {
  auto dir = temp_directory();
  write_file(dir + "/at_cap", std::string(kOneMiB, 'x'));
  auto at_cap = read_file(dir + "/at_cap", kOneMiB, "a test file");
  REQUIRE(at_cap.text);
  CHECK(at_cap.text->size() == kOneMiB);
  write_file(dir + "/over", std::string(kOneMiB + 1, 'x'));
  CHECK(error_of(dir + "/over", kOneMiB).message ==
        "'" + dir + "/over' is larger than the 1 MiB a test file may be");
  std::filesystem::remove_all(dir);
}

TEST_CASE("a device without end is refused once it passes the cap", "[model]") {
  CHECK(error_of("/dev/zero", kOneMiB).message == "'/dev/zero' is larger than the 1 MiB a test file may be");
}

TEST_CASE("a file that cannot be opened or read is a diagnostic, not an exception", "[model]") {
  auto dir = temp_directory();
  // The OS's reason, as every open failure gives it: a missing file and an
  // unreadable one call for different fixes.
  CHECK(error_of(dir + "/missing", kOneMiB).message ==
        "cannot open '" + dir + "/missing': No such file or directory");
  // A directory opens but does not read.
  CHECK(error_of(dir, kOneMiB).message == "cannot read '" + dir + "': Is a directory");
  std::filesystem::remove(dir);
}
