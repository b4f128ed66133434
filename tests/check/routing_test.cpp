// The checker's rules for route and partition= (docs/routing.md): edges
// leave from `node.label`, every label has an edge, every edge from a route
// names one; partition=by(field, ...) and what it cannot go with.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;
using flow::test::pipeline_of;

namespace {

// s -> r, with r's two outputs a and b (conditions that need no fields) on lines 2 and 4.
const char* const routed =
    "source s = generate(count=10)\n"
    "stage r = route(a: true,\n"
    "                b: false)\n"
    "sink ka = discard()\n"
    "sink kb = discard()\n"
    "s -> r\n";

std::string with(const std::string& lines) {
  return std::string(routed) + lines;
}

}  // namespace

TEST_CASE("edges from node.label carry the label, and the node its labels in order", "[check][route]") {
  auto pipeline = pipeline_of(with("r.b -> kb\nr.a -> ka\n"));
  auto r = *pipeline.find_node("r");
  CHECK(pipeline.nodes[r].output_labels == std::vector<std::string>{"a", "b"});
  REQUIRE(pipeline.edges.size() == 3);
  CHECK(pipeline.edges[1].output == "b");
  CHECK(pipeline.edges[2].output == "a");
  CHECK(pipeline.edges[0].output.empty());
  CHECK(pipeline.edge_name(1) == "r.b -> kb");
  CHECK(output_condition(pipeline.nodes[r], "a") == "true");
}

TEST_CASE("two labels of one route may lead to the same node", "[check][route]") {
  auto pipeline = pipeline_of(with("r.a -> ka\nr.b -> ka\ns -> kb\n"));
  CHECK(pipeline.edges.size() == 4);
  CHECK(pipeline.edge_name(1) == "r.a -> ka");
  CHECK(pipeline.edge_name(2) == "r.b -> ka");
}

TEST_CASE("an unknown label is named with the labels there are", "[check][route]") {
  // Sorted by place: b's missing edge first; kb, fed only by the bad edge, is unreachable.
  CHECK(diagnostics_of(with("r.a -> ka\nr.bb -> kb\n")) ==
        "t.flow:2:11: error: output 'b' of 'r' has no edge: add `r.b -> NODE`, or leave the condition out "
        "(messages no condition takes are counted filtered)\n"
        "    stage r = route(a: true,\n"
        "              ^^^^^\n"
        "t.flow:5:6: error: no source reaches sink 'kb'\n"
        "    sink kb = discard()\n"
        "         ^^\n"
        "t.flow:8:1: error: 'r' has no output 'bb' (its outputs: a, b); did you mean 'b'?\n"
        "    r.bb -> kb\n"
        "    ^^^^\n");
}

TEST_CASE("a label on a node without labeled outputs is an error", "[check][route]") {
  CHECK(diagnostics_of(with("r.a -> ka\nr.b -> kb\ns.x -> kb\n")) ==
        "t.flow:9:1: error: 's' has no labeled outputs: only a node whose chain ends in route(...) has\n"
        "    s.x -> kb\n"
        "    ^^^\n");
}

TEST_CASE("an edge from a route must name its output", "[check][route]") {
  CHECK(diagnostics_of(with("r.a -> ka\nr -> kb\n")) ==
        "t.flow:2:11: error: output 'b' of 'r' has no edge: add `r.b -> NODE`, or leave the condition out "
        "(messages no condition takes are counted filtered)\n"
        "    stage r = route(a: true,\n"
        "              ^^^^^\n"
        "t.flow:8:3: error: an edge from 'r' must name the output it leaves by: r.a, r.b\n"
        "    r -> kb\n"
        "      ^^\n");
}

TEST_CASE("an edge enters a node, not one of its outputs", "[check][route]") {
  CHECK(diagnostics_of(with("r.a -> ka\nr.b -> kb\ns -> r.a\n")) ==
        "t.flow:9:6: error: an edge enters 'r' itself, not its output 'a': write 'r'\n"
        "    s -> r.a\n"
        "         ^^^\n");
}

TEST_CASE("a label given twice is an error at the second", "[check][route]") {
  CHECK(diagnostics_of("source s = generate(count=10)\n"
                       "stage r = route(a: true, a: false)\n"
                       "sink k = discard()\n"
                       "s -> r\n"
                       "r.a -> k\n") ==
        "t.flow:2:29: error: output 'a' is already labeled on line 2\n"
        "    stage r = route(a: true, a: false)\n"
        "                                ^^^^^\n");
}

TEST_CASE("route must end its node's chain", "[check][route]") {
  CHECK(diagnostics_of("source s = generate(count=10)\n"
                       "stage r = route(a: true) | upper()\n"
                       "sink k = discard()\n"
                       "s -> r -> k\n") ==
        "t.flow:2:11: error: 'route' picks the output each message leaves by, so it must be last in the "
        "chain of a stage or source; move what follows it to a node after r.LABEL\n"
        "    stage r = route(a: true) | upper()\n"
        "              ^^^^^\n");
}

TEST_CASE("a condition without a label is an error", "[check][route]") {
  CHECK(diagnostics_of("source s = generate(count=10)\n"
                       "stage r = route(a: true, 1 > 0)\n"
                       "sink k = discard()\n"
                       "s -> r\n"
                       "r.a -> k\n") ==
        "t.flow:2:26: error: expected 'label: condition', such as 'errors: status >= 500' or 'rest: true'; "
        "each "
        "label names an output: r.LABEL -> NODE\n"
        "    stage r = route(a: true, 1 > 0)\n"
        "                             ^^^^^\n");
}

TEST_CASE("a route node cannot deal round_robin", "[check][route]") {
  CHECK(diagnostics_of("source s = generate(count=10)\n"
                       "stage r = route(a: true) [fanout=round_robin]\n"
                       "sink k = discard()\n"
                       "s -> r\n"
                       "r.a -> k\n") ==
        "t.flow:2:7: error: 'r' sends each message by its label; fanout=round_robin does not apply\n"
        "    stage r = route(a: true) [fanout=round_robin]\n"
        "          ^\n");
}

TEST_CASE("partition=by names the key's fields", "[check][partition]") {
  auto pipeline = pipeline_of(
      "source s = generate(count=10) | set(user = \"u\", path = \"/\")\n"
      "stage w = delay(1ms) [workers=4, partition=by(user, path)]\n"
      "sink k = discard()\n"
      "s -> w -> k\n");
  CHECK(pipeline.nodes[1].partition_by == std::vector<std::string>{"user", "path"});
  CHECK(pipeline.nodes[0].partition_by.empty());
}

TEST_CASE("partition= takes by(FIELD, ...) only", "[check][partition]") {
  CHECK(diagnostics_of("source s = generate(count=10) | set(user = \"u\", path = \"/\")\n"
                       "stage w = delay(1ms) [workers=4, partition=user]\n"
                       "sink k = discard()\n"
                       "s -> w -> k\n") ==
        "t.flow:2:44: error: expected by(FIELD, ...), such as 'by(user)', got 'user': write 'by(user)'\n"
        "    stage w = delay(1ms) [workers=4, partition=user]\n"
        "                                               ^^^^\n");
  CHECK(diagnostics_of("source s = generate(count=10) | set(user = \"u\", path = \"/\")\n"
                       "stage w = delay(1ms) [workers=4, partition=\"user\"]\n"
                       "sink k = discard()\n"
                       "s -> w -> k\n") ==
        "t.flow:2:44: error: expected by(FIELD, ...), such as 'by(user)', got a string\n"
        "    stage w = delay(1ms) [workers=4, partition=\"user\"]\n"
        "                                               ^^^^^^\n");
  CHECK(diagnostics_of("source s = generate(count=10) | set(user = \"u\", path = \"/\")\n"
                       "stage w = delay(1ms) [workers=4, partition=by(user, user)]\n"
                       "sink k = discard()\n"
                       "s -> w -> k\n") ==
        "t.flow:2:44: error: field 'user' is named twice in by(user, user)\n"
        "    stage w = delay(1ms) [workers=4, partition=by(user, user)]\n"
        "                                               ^^^^^^^^^^^^^^\n");
}

TEST_CASE("partition= on a source, with ordered=true or with round_robin is an error", "[check][partition]") {
  CHECK(
      diagnostics_of("source s = generate(count=10) [partition=by(user)]\n"
                     "sink k = discard()\n"
                     "s -> k\n") ==
      "t.flow:1:32: error: source 's' takes no input, so it has nothing to partition; put partition= on the "
      "stage that does the work\n"
      "    source s = generate(count=10) [partition=by(user)]\n"
      "                                   ^^^^^^^^^^^^^^^^^^\n");
  CHECK(diagnostics_of("source s = generate(count=10) | set(user = \"u\", path = \"/\")\n"
                       "stage w = delay(1ms) [workers=4, ordered=true, partition=by(user)]\n"
                       "sink k = discard()\n"
                       "s -> w -> k\n") ==
        "t.flow:2:48: error: partition= keeps each key's order and ordered=true the whole node's: choose one "
        "(partition= lets other keys pass a slow one)\n"
        "    stage w = delay(1ms) [workers=4, ordered=true, partition=by(user)]\n"
        "                                                   ^^^^^^^^^^^^^^^^^^\n");
  CHECK(diagnostics_of("source s = generate(count=10) | set(user = \"u\", path = \"/\")\n"
                       "stage w = delay(1ms) [workers=4, fanout=round_robin, partition=by(user)]\n"
                       "sink k = discard()\n"
                       "sink k2 = discard()\n"
                       "s -> w -> {k, k2}\n") ==
        "t.flow:2:54: error: partition= keeps each key's order, which fanout=round_robin would deal over "
        "several edges; leave fanout out\n"
        "    stage w = delay(1ms) [workers=4, fanout=round_robin, partition=by(user)]\n"
        "                                                         ^^^^^^^^^^^^^^^^^^\n");
}

TEST_CASE("partition=by a field that cannot be there is an error under the field", "[check][partition]") {
  CHECK(diagnostics_of("source s = generate(count=10) | set(user = \"u\")\n"
                       "stage w = delay(1ms) [workers=4, partition=by(user, usr, path)]\n"
                       "sink k = discard()\n"
                       "s -> w -> k\n") ==
        "t.flow:2:53: error: unknown field 'usr'; known fields: user (did you mean 'user'?)\n"
        "    stage w = delay(1ms) [workers=4, partition=by(user, usr, path)]\n"
        "                                                        ^^^\n"
        "t.flow:2:58: error: unknown field 'path'; known fields: user\n"
        "    stage w = delay(1ms) [workers=4, partition=by(user, usr, path)]\n"
        "                                                             ^^^^\n");
  // Where the fields are not all known (a parser of any names), any name may be there.
  CHECK(diagnostics_of("source s = read(\"in.log\") | parse_json()\n"
                       "stage w = delay(1ms) [workers=4, partition=by(usr)]\n"
                       "sink k = discard()\n"
                       "s -> w -> k\n")
            .empty());
}
