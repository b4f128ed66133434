// `flow tune --write`: the file's text with only the tuned values changed.
#include <catch2/catch.hpp>

#include <map>
#include <memory>

#include "flow/diagnostic.hpp"
#include "flow/load.hpp"
#include "flow/tune.hpp"
#include "runtime/tune/knobs.hpp"

using namespace flow;
using namespace flow::tune;

namespace {

const char* const kNodes =
    "source s = generate(count=10)\n"
    "stage  a = upper()\n"
    "stage  w = delay(1ms) [workers=4]\n"
    "sink   k = discard()\n";
// Every node must be on a path from the source to the sink.
const char* const kRest = "s -> a -> w -> k\n";

/// `text` rewritten with the knobs named in `values` (by their --set target)
/// set as given and every other knob left at what the file says.
std::string rewritten(const std::string& text, const std::map<std::string, std::uint64_t>& values,
                      const Vary& vary = {true, false}) {
  auto source = std::make_shared<SourceFile>(SourceFile{"t.flow", text});
  auto loaded = load(source, builtin_operators());
  INFO(render_all(*source, loaded.diagnostics));
  REQUIRE(loaded.pipeline);
  auto knobs = knobs_of(*loaded.pipeline, vary);
  auto setting = now_setting(knobs);
  for (std::size_t k = 0; k < knobs.size(); ++k) {
    if (auto found = values.find(knobs[k].target); found != values.end()) setting[k] = found->second;
  }
  auto result = rewrite(*source, builtin_operators(), knobs, setting);
  INFO(render_all(*source, result.diagnostics));
  REQUIRE(result.text);
  CHECK(result.diagnostics.empty());
  return *result.text;
}

}  // namespace

TEST_CASE("an edge that says capacity= gets the number replaced where it stands", "[tune]") {
  std::string text =
      std::string(kNodes) + "s -> k [capacity = 20, overflow=drop_newest]  # in front of k\n" + kRest;
  CHECK(rewritten(text, {{"s->k", 50}}) ==
        std::string(kNodes) + "s -> k [capacity = 50, overflow=drop_newest]  # in front of k\n" + kRest);
}

TEST_CASE("a setting the file already gives leaves the text as it is", "[tune]") {
  std::string text =
      std::string(kNodes) + "# comment\ns -> a -> k   // two edges, default capacity\ns -> w -> k\n";
  CHECK(rewritten(text, {{"s->a", 256}, {"a->k", 256}}) == text);
}

TEST_CASE("an edge without capacity= gets it added to its list, or a list of its own", "[tune]") {
  std::string listed = std::string(kNodes) + "s -> k [overflow=drop_newest]\n" + kRest;
  CHECK(rewritten(listed, {{"s->k", 7}}) ==
        std::string(kNodes) + "s -> k [overflow=drop_newest, capacity=7]\n" + kRest);
  std::string empty = std::string(kNodes) + "s -> k []\n" + kRest;
  CHECK(rewritten(empty, {{"s->k", 7}}) == std::string(kNodes) + "s -> k [capacity=7]\n" + kRest);
  std::string bare = std::string(kNodes) + "s -> k   # note\n" + kRest;
  CHECK(rewritten(bare, {{"s->k", 7}}) == std::string(kNodes) + "s -> k [capacity=7]   # note\n" + kRest);
}

TEST_CASE("a defaults statement is left alone: the edge's own statement says the new value", "[tune]") {
  std::string text = std::string(kNodes) + "edge [capacity=5]\ns -> a -> k\ns -> w -> k\n";
  CHECK(rewritten(text, {{"s->a", 3}, {"a->k", 3}}) ==
        std::string(kNodes) + "edge [capacity=5]\ns -> a -> k [capacity=3]\ns -> w -> k\n");
}

TEST_CASE("an attribute list over several lines keeps its layout, trailing comma and all", "[tune]") {
  std::string text =
      std::string(kNodes) + "s ->\n  k [\n    capacity = 4,\n    overflow = drop_oldest,\n  ]\n" + kRest;
  CHECK(rewritten(text, {{"s->k", 12}}) ==
        std::string(kNodes) + "s ->\n  k [\n    capacity = 12,\n    overflow = drop_oldest,\n  ]\n" + kRest);
  std::string no_capacity = std::string(kNodes) + "s -> k [\n  overflow = drop_oldest,  # why\n]\n" + kRest;
  CHECK(rewritten(no_capacity, {{"s->k", 12}}) ==
        std::string(kNodes) + "s -> k [\n  overflow = drop_oldest, capacity=12,  # why\n]\n" + kRest);
}

TEST_CASE("a chain whose edges now differ is split into one statement per edge, in its place", "[tune]") {
  std::string text = std::string(kNodes) + "  s -> a -> k [overflow=block]  # the chain\nw -> k\ns -> w\n";
  CHECK(rewritten(text, {{"s->a", 4}, {"a->k", 9}}) ==
        std::string(kNodes) +
            "  s -> a [overflow=block, capacity=4]\n"
            "  a -> k [overflow=block, capacity=9]  # the chain\n"
            "w -> k\ns -> w\n");
  // Only one edge of the chain changes: the other keeps what it had.
  std::string sized = std::string(kNodes) + "s -> a -> k [capacity=6]\nw -> k\ns -> w\n";
  CHECK(rewritten(sized, {{"a->k", 2}}) ==
        std::string(kNodes) + "s -> a [capacity=6]\na -> k [capacity=2]\nw -> k\ns -> w\n");
}

TEST_CASE("a chain split in a file with CRLF lines gets CRLF between its statements", "[tune]") {
  std::string text =
      "source s = generate(count=10)\r\nstage  a = upper()\r\nsink   k = discard()\r\ns -> a -> k\r\n";
  CHECK(rewritten(text, {{"s->a", 4}, {"a->k", 9}}) ==
        "source s = generate(count=10)\r\nstage  a = upper()\r\nsink   k = discard()\r\n"
        "s -> a [capacity=4]\r\na -> k [capacity=9]\r\n");
}

TEST_CASE("a group is split into its edges when they now differ", "[tune]") {
  std::string text = std::string(kNodes) + "s -> {a, w}\n{a, w} -> k\n";
  CHECK(rewritten(text, {{"s->a", 1}, {"s->w", 30}}) ==
        std::string(kNodes) + "s -> a [capacity=1]\ns -> w [capacity=30]\n{a, w} -> k\n");
  CHECK(rewritten(text, {{"a->k", 5}, {"w->k", 5}}) ==
        std::string(kNodes) + "s -> {a, w}\n{a, w} -> k [capacity=5]\n");
}

TEST_CASE("workers are replaced where a node says them, else added to its declaration", "[tune]") {
  std::string text = std::string(kNodes) + "s -> a -> w -> k\n";
  auto out = rewritten(text, {{"w", 1}, {"a", 2}}, {false, true});
  CHECK(out ==
        "source s = generate(count=10)\n"
        "stage  a = upper() [workers=2]\n"
        "stage  w = delay(1ms) [workers=1]\n"
        "sink   k = discard()\n"
        "s -> a -> w -> k\n");
}

TEST_CASE("more than 128 workers raise a default capacity, so the edges' own is written too", "[tune]") {
  // a -> w has no capacity of its own: 256 by default, 2 x workers past 128,
  // so it must say 256 now; the chain's edges all keep 256, so the chain says it.
  std::string text = std::string(kNodes) + "s -> a -> w -> k\n";
  auto out = rewritten(text, {{"w", 200}}, {true, true});
  CHECK(out ==
        "source s = generate(count=10)\n"
        "stage  a = upper()\n"
        "stage  w = delay(1ms) [workers=200]\n"
        "sink   k = discard()\n"
        "s -> a -> w -> k [capacity=256]\n");
}

TEST_CASE("a file that does not check is not rewritten: its own diagnostics say why, in place", "[tune]") {
  auto source = std::make_shared<SourceFile>(SourceFile{"t.flow", std::string(kNodes) + "s -> nowhere\n"});
  Knob knob{Knob::Kind::Capacity, 0, "s->k", "s -> k", 256, 16384};
  auto result = rewrite(*source, builtin_operators(), {knob}, {8});
  CHECK_FALSE(result.text);
  REQUIRE(has_errors(result.diagnostics));
  CHECK_THAT(render_all(*source, result.diagnostics),
             Catch::Matchers::Contains("t.flow:5:6: error: unknown node 'nowhere'"));
}

TEST_CASE("a setting the language refuses gives no text and says where the rewritten file fails", "[tune]") {
  std::string text = std::string(kNodes) + "s -> k [capacity=5]\n" + kRest;
  auto source = std::make_shared<SourceFile>(SourceFile{"t.flow", text});
  auto loaded = load(source, builtin_operators());
  REQUIRE(loaded.pipeline);
  auto knobs = knobs_of(*loaded.pipeline, {true, false});
  auto setting = now_setting(knobs);
  for (std::size_t k = 0; k < knobs.size(); ++k) {
    if (knobs[k].target == "s->k") setting[k] = 1'000'000'001;  // past the largest capacity, 1,000,000,000
  }
  auto result = rewrite(*source, builtin_operators(), knobs, setting);
  CHECK_FALSE(result.text);
  REQUIRE(result.diagnostics.size() == 1);
  CHECK_FALSE(result.diagnostics.front().location.known());  // the caller has no copy of the rewritten text
  CHECK(result.diagnostics.front().message.starts_with("the rewritten file does not check: t.flow:5:"));
}

// docs/routing.md's checked example, its errors edge bounded: the knob is
// `r.errors->errs`, and the edge statement says `r.errors`.
TEST_CASE("an edge from a labeled output gets its capacity rewritten", "[tune]") {
  const std::string head =
      "source s = generate(count=100) | set(status = 503, ms = 20)\n"
      "stage  r = route(errors: status >= 500, slow: ms > 1000, rest: true)\n"
      "sink   errs = discard()\n"
      "sink   slow = discard()\n"
      "sink   rest = discard()\n"
      "s -> r\n";
  const std::string tail = "r.slow -> slow\nr.rest -> rest\n";
  auto text = head + "r.errors -> errs [capacity=4]\n" + tail;
  CHECK(rewritten(text, {{"r.errors->errs", 9}}) == head + "r.errors -> errs [capacity=9]\n" + tail);
  // Two edges from one route node to one sink, told apart by their labels.
  const std::string two =
      "source s = generate(count=10) | set(n = 1)\n"
      "stage  r = route(a: n == 1, b: true)\n"
      "sink   k = discard()\n"
      "s -> r\n";
  CHECK(rewritten(two + "r.a -> k [capacity=4]\nr.b -> k [capacity=4]\n", {{"r.b->k", 7}}) ==
        two + "r.a -> k [capacity=4]\nr.b -> k [capacity=7]\n");
}
