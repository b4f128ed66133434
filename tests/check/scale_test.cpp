// The checker on the project's examples and on large or pathological graphs.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <sstream>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;
using flow::test::load_text;

TEST_CASE("every example in examples/ checks without errors", "[check]") {
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(FLOW_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".flow") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto source = flow::test::source_of(text.str(), entry.path().filename().string());
    auto result = load(source, builtin_operators());
    INFO(render_all(*source, result.diagnostics));
    CHECK(result.pipeline.has_value());
    ++checked;
  }
  CHECK(checked >= 5);
}

TEST_CASE("an empty file is an error without a location", "[check]") {
  CHECK(diagnostics_of("# nothing here\n") ==
        "t.flow: error: the pipeline has no nodes; it needs at least a source and a sink\n");
}

TEST_CASE("a long chain and a graph with exponentially many paths are checked", "[check]") {
  // 2^40 paths from s to k: a path-enumerating cycle search would never end.
  std::string text = "source s = generate()\nsink k = discard()\n";
  std::string previous = "s";
  for (int layer = 0; layer < 40; ++layer) {
    text += fmt::format("stage a{0} = delay(1ms)\nstage b{0} = delay(1ms)\n", layer);
    text += fmt::format("{{{0}}} -> {{a{1}, b{1}}}\n", previous, layer);
    previous = fmt::format("a{0}, b{0}", layer);
  }
  text += fmt::format("{{{}}} -> k\n", previous);
  for (int link = 0; link < 5000; ++link) {
    text += fmt::format("stage c{} = delay(1ms)\n", link);
    text += fmt::format("{} -> c{}\n", link == 0 ? "s" : fmt::format("c{}", link - 1), link);
  }
  text += "c4999 -> k\n";
  auto result = load_text(text);
  INFO(render_all(*flow::test::source_of(text), result.diagnostics));
  CHECK(result.pipeline.has_value());
}

TEST_CASE("a graph with very many cycles names the first 50", "[check]") {
  // Stages n0..n11, each feeding every other: thousands of elementary cycles.
  std::string text = "source s = generate()\nsink k = discard()\ns -> n0\nn0 -> k\n";
  for (int i = 0; i < 12; ++i) text += fmt::format("stage n{} = delay(1ms)\n", i);
  for (int i = 0; i < 12; ++i) {
    for (int j = 0; j < 12; ++j) {
      if (i != j && !(i == 0 && j == 0)) text += fmt::format("n{} -> n{}\n", i, j);
    }
  }
  auto result = load_text(text);
  std::size_t cycles = 0;
  for (const auto& diagnostic : result.diagnostics) {
    if (diagnostic.message.rfind("cycle: ", 0) == 0) ++cycles;
  }
  CHECK(cycles == 50);
  CHECK(result.diagnostics.size() == 50);
}
