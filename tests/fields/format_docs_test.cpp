// The examples of docs/windows.md and docs/formats.md run as the pages say:
// a ```flow-run block's standard output is the ```text block after it (its
// timestamps, the run's wall time, compared by shape), a ```flow-invalid
// block's `flow check` errors are, and a ```flow block passes the check.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <regex>
#include <sstream>

#include "process.hpp"

namespace {

struct Block {
  std::string info;
  std::string text;
  std::size_t line = 0;
};

std::vector<Block> fenced_blocks(const std::string& markdown) {
  std::vector<Block> blocks;
  std::istringstream in(markdown);
  std::optional<Block> open;
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.rfind("```", 0) != 0) {
      if (open) open->text += line + "\n";
    } else if (open) {
      blocks.push_back(*open);
      open.reset();
    } else {
      open = Block{line.substr(3), "", number};
    }
  }
  return blocks;
}

std::string without_times(const std::string& text) {
  static const std::regex time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  return std::regex_replace(text, time, "TIME");
}

/// Per line with both bounds, window_end - window_start in ms: the shape
/// comparison replaces the times, so the windows' lengths are compared apart.
std::vector<std::int64_t> window_lengths(const std::string& text) {
  static const std::regex bounds(R"(window_start=(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z )"
                                 R"(window_end=(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z)");
  auto millis = [](const std::smatch& m, int at) {
    auto number = [&](int i) { return std::stoi(m[at + i].str()); };
    std::chrono::sys_days day = std::chrono::year(number(0)) / number(1) / number(2);
    return (day.time_since_epoch() / std::chrono::milliseconds(1)) +
           ((number(3) * 60 + number(4)) * 60 + number(5)) * std::int64_t{1000} + number(6);
  };
  std::vector<std::int64_t> lengths;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (std::regex_search(line, match, bounds)) lengths.push_back(millis(match, 8) - millis(match, 1));
  }
  return lengths;
}

flow::test::ProcessResult flow_command(const std::string& command, const std::string& text,
                                       const std::string& options = "") {
  auto directory = flow::test::temp_directory();
  flow::test::write_file(directory + "/example.flow", text);
  return flow::test::run_command(fmt::format("{} {} example.flow {}", FLOW_BINARY, command, options),
                                 directory);
}

}  // namespace

TEST_CASE("every example in docs/windows.md and docs/formats.md behaves as the page says") {
  for (const char* page : {"windows.md", "formats.md"}) {
    auto blocks = fenced_blocks(flow::test::read_file(fmt::format("{}/docs/{}", FLOW_SOURCE_DIR, page)));
    std::size_t checked = 0;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      INFO(page << " block at line " << blocks[i].line << ":\n" << blocks[i].text);
      const auto& info = blocks[i].info;
      if (info == "flow") {
        auto result = flow_command("check", blocks[i].text);
        CHECK(result.err == "");
        CHECK(result.exit_code == 0);
      } else if (info == "flow-run" || info == "flow-invalid") {
        REQUIRE(i + 1 < blocks.size());
        REQUIRE(blocks[i + 1].info == "text");
        if (info == "flow-run") {
          auto result = flow_command("run", blocks[i].text, "--quiet");
          CHECK(result.exit_code == 0);
          CHECK(without_times(result.out) == without_times(blocks[i + 1].text));
          CHECK(window_lengths(result.out) == window_lengths(blocks[i + 1].text));
        } else {
          auto result = flow_command("check", blocks[i].text);
          CHECK(result.exit_code == 2);
          CHECK(result.err == blocks[i + 1].text);
        }
      } else {
        continue;
      }
      ++checked;
    }
    CHECK(checked >= 1);
  }
}
