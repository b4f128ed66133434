// Every example in docs/language.md (and the other pages listed below) is checked: a ```flow block must pass
// `flow check`; a ```flow-invalid block must fail with exactly the diagnostics
// of the ```text block that follows it (the file is called example.flow).
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

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

flow::test::ProcessResult check_text(const std::string& text) {
  auto directory = flow::test::temp_directory();
  flow::test::write_file(directory + "/example.flow", text);
  return flow::test::run_command(fmt::format("{} check example.flow", FLOW_BINARY), directory);
}

}  // namespace

TEST_CASE("every example in docs/language.md behaves as the page says", "[examples]") {
  for (const char* page : {"language.md", "checks.md", "operators.md", "distributed.md", "expressions.md",
                           "routing.md"}) {
    auto markdown = flow::test::read_file(fmt::format("{}/docs/{}", FLOW_SOURCE_DIR, page));
    auto blocks = fenced_blocks(markdown);
    std::size_t checked = 0;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      INFO(page << " block at line " << blocks[i].line << ":\n" << blocks[i].text);
      if (blocks[i].info == "flow") {
        auto result = check_text(blocks[i].text);
        CHECK(result.err == "");
        CHECK(result.exit_code == 0);
        ++checked;
      } else if (blocks[i].info == "flow-invalid") {
        REQUIRE(i + 1 < blocks.size());
        REQUIRE(blocks[i + 1].info == "text");
        auto result = check_text(blocks[i].text);
        CHECK(result.exit_code == 2);
        CHECK(result.err == blocks[i + 1].text);
        ++checked;
      }
    }
    if (std::string(page) == "language.md") CHECK(checked >= 10);
  }
}
