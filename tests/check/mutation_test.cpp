// Property test: damaged versions of the examples never crash the checker, and
// what it returns is consistent (seeded, so every run checks the same inputs).
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "support.hpp"

using namespace flow;

namespace {

std::vector<std::string> example_texts() {
  std::vector<std::string> texts;
  for (const auto& entry : std::filesystem::directory_iterator(FLOW_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".flow") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    texts.push_back(text.str());
  }
  return texts;
}

// One random edit: drop a span, copy a span elsewhere, or change one byte.
std::string mutate(std::string text, std::mt19937& random) {
  if (text.empty()) return text;
  auto pick = [&](std::size_t bound) { return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random); };
  auto at = pick(text.size());
  auto length = std::min<std::size_t>(1 + pick(12), text.size() - at);
  switch (pick(3)) {
    case 0: text.erase(at, length); break;
    case 1: text.insert(pick(text.size()), text.substr(at, length)); break;
    default: text[at] = "-> {},=[]|()\n;ab0_"[pick(17)]; break;
  }
  return text;
}

std::size_t line_count(const std::string& text) { return 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST_CASE("damaged examples give consistent diagnostics and never crash", "[check]") {
  std::mt19937 random(20240611);
  auto texts = example_texts();
  REQUIRE_FALSE(texts.empty());
  int rejected = 0;
  for (int round = 0; round < 2000; ++round) {
    auto text = texts[static_cast<std::size_t>(round) % texts.size()];
    for (int edits = 1 + round % 3; edits > 0; --edits) text = mutate(text, random);
    auto result = flow::test::load_text(text);
    INFO(text);
    CHECK(has_errors(result.diagnostics) != result.pipeline.has_value());
    if (!result.pipeline) ++rejected;
    std::size_t previous = 0;
    bool located = true;
    for (const auto& diagnostic : result.diagnostics) {
      CHECK(diagnostic.width >= 1);
      CHECK_FALSE(diagnostic.message.empty());
      if (!diagnostic.location.known()) {
        located = false;
        continue;
      }
      CHECK(located);  // unlocated (override) diagnostics come last
      CHECK(diagnostic.location.line <= line_count(text));
      CHECK(diagnostic.location.offset >= previous);
      previous = diagnostic.location.offset;
    }
  }
  // The edits must exercise both outcomes for the checks above to mean anything.
  CHECK(rejected > 500);
  CHECK(rejected < 1900);
}
