// Where the pieces of a statement are in the file (syntax::Span): what
// `flow tune --write` needs to change one value and leave the rest as written.
#include <catch2/catch.hpp>

#include <string>

#include "helpers.hpp"

using namespace flow;
using flow::test::only_statement;

namespace {

std::string text_of(const std::string& text, const syntax::Span& span) {
  return text.substr(span.begin, span.end - span.begin);
}

}  // namespace

TEST_CASE("an edge chain knows where each step and its attribute list are", "[grammar]") {
  const std::string text = "a -> { b , c }   ->  d [capacity=5, overflow=block]  # note";
  auto chain = only_statement<syntax::EdgeChain>(text);
  REQUIRE(chain.steps.size() == 3);
  CHECK(text_of(text, chain.steps[0].span) == "a");
  CHECK(text_of(text, chain.steps[1].span) == "{ b , c }");
  CHECK(text_of(text, chain.steps[2].span) == "d");
  REQUIRE(chain.attribute_list);
  CHECK(text_of(text, *chain.attribute_list) == "[capacity=5, overflow=block]");
}

TEST_CASE("an edge chain without attributes has no attribute list", "[grammar]") {
  const std::string text = "a -> b   # no list\n";
  auto chain = only_statement<syntax::EdgeChain>(text);
  CHECK_FALSE(chain.attribute_list);
  CHECK(text_of(text, chain.steps.back().span) == "b");
}

TEST_CASE("an attribute list spread over lines spans up to its closing bracket", "[grammar]") {
  const std::string text = "a ->\n  b [\n    capacity = 4,\n  ]\n";
  auto chain = only_statement<syntax::EdgeChain>(text);
  REQUIRE(chain.attribute_list);
  CHECK(text_of(text, *chain.attribute_list) == "[\n    capacity = 4,\n  ]");
  CHECK(text_of(text, chain.steps[1].span) == "b");
}

TEST_CASE("a node declaration knows where its operator chain ends and its attribute list is", "[grammar]") {
  const std::string text = "stage s = delay(10ms) | upper( )  [workers=2]";
  auto node = only_statement<syntax::NodeDecl>(text);
  CHECK(text.substr(0, node.chain_end) == "stage s = delay(10ms) | upper( )");
  REQUIRE(node.attribute_list);
  CHECK(text_of(text, *node.attribute_list) == "[workers=2]");

  const std::string bare = "sink k = discard()  # none";
  auto sink = only_statement<syntax::NodeDecl>(bare);
  CHECK(bare.substr(0, sink.chain_end) == "sink k = discard()");
  CHECK_FALSE(sink.attribute_list);
}
