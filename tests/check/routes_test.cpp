// Dead-letter routes and deadlines in the checker (docs/dead_letters.md):
// what they resolve to in the model, and each mistake shown under its value.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;
using flow::test::pipeline_of;

namespace {

// Lines 1-5; a test adds line 6 (and on).
const std::string kBase =
    "source s = generate(count=10)\n"
    "stage b = delay(1ms)\n"
    "sink k = discard()\n"
    "sink dlq = discard()\n"
    "s -> b -> k\n";

std::string with(const std::string& extra) {
  return kBase + extra + "\n";
}

// The base with `[attributes]` on b's declaration (line 2; the value of
// `on_error=` starts at column 32, of `expired=` at 31).
std::string with_b(const std::string& attributes) {
  auto text = kBase;
  text.insert(text.find("\nsink k"), " [" + attributes + "]");
  return text + "s -> dlq\n";  // fed, whatever becomes of the route
}

const Edge& only_route(const Pipeline& pipeline, NodeId from) {
  REQUIRE(pipeline.nodes[from].dead_letter_outputs.size() == 1);
  return pipeline.edges[pipeline.nodes[from].dead_letter_outputs[0]];
}

}  // namespace

TEST_CASE("on_error=NODE makes a dead-letter edge from the node to its target", "[check][dead_letter]") {
  auto pipeline = pipeline_of(
      "source s = generate(count=10)\n"
      "stage b = delay(1ms) [on_error=dlq]\n"
      "sink k = discard()\n"
      "sink dlq = discard()\n"
      "s -> b -> k\n");
  auto b = *pipeline.find_node("b"), dlq = *pipeline.find_node("dlq");
  CHECK(pipeline.nodes[b].on_error == OnError::DeadLetter);
  CHECK(pipeline.nodes[b].errors_to == dlq);
  const Edge& route = only_route(pipeline, b);
  CHECK(route.dead_letter);
  CHECK(route.to == dlq);
  CHECK(route.overflow == Overflow::DropNewest);
  CHECK(route.capacity == default_capacity(1));
  CHECK(route.location.line == 2);
  CHECK(pipeline.nodes[b].outputs.size() == 1);  // fan-out never sends there
  CHECK(pipeline.nodes[dlq].inputs == std::vector<EdgeId>{pipeline.nodes[b].dead_letter_outputs[0]});
}

TEST_CASE("routes on an edge start where the message leaves: drops at the producer, expiry at the consumer",
          "[check][dead_letter]") {
  auto pipeline = pipeline_of(
      "source s = generate(count=10)\n"
      "stage b = delay(1ms) [on_error=dlq]\n"
      "sink k = discard()\n"
      "sink dlq = discard()\n"
      "s -> b [overflow=drop_oldest, dropped=dlq, deadline=200ms, expired=dlq]\n"
      "b -> k\n");
  auto s = *pipeline.find_node("s"), b = *pipeline.find_node("b"), dlq = *pipeline.find_node("dlq");
  const Edge& in = pipeline.edges[pipeline.nodes[b].inputs[0]];
  CHECK(in.deadline->value == std::chrono::milliseconds(200));
  CHECK(in.dropped_to == dlq);
  CHECK(in.expired_to == dlq);
  CHECK(only_route(pipeline, s).to == dlq);
  // b's errors and what expires on its input share one edge b ~> dlq.
  CHECK(only_route(pipeline, b).to == dlq);
  CHECK(pipeline.nodes[dlq].inputs.size() == 2);
  // Alone, an edge's expired= route leaves from its consumer.
  auto expiring = pipeline_of(
      "source s = generate(count=10)\n"
      "stage b = delay(1ms)\n"
      "sink k = discard()\n"
      "sink dlq = discard()\n"
      "s -> b [deadline=200ms, expired=dlq]\n"
      "b -> k\n");
  CHECK(expiring.nodes[*expiring.find_node("s")].dead_letter_outputs.empty());
  CHECK(only_route(expiring, *expiring.find_node("b")).to == *expiring.find_node("dlq"));
}

TEST_CASE("a node's deadline and expired route are read", "[check][deadline]") {
  auto pipeline = pipeline_of(
      "source s = generate(count=10)\n"
      "stage b = delay(1ms) [deadline=1s, expired=dlq]\n"
      "sink k = discard()\n"
      "sink dlq = discard()\n"
      "s -> b -> k\n");
  const Node& b = pipeline.nodes[*pipeline.find_node("b")];
  CHECK(b.deadline->value == std::chrono::seconds(1));
  CHECK(b.expired_to == pipeline.find_node("dlq"));
}

TEST_CASE("a route to an unknown node is shown under its value with a suggestion", "[check][dead_letter]") {
  CHECK(
      diagnostics_of(with("s -> dlq [overflow=drop_newest, dropped=dql]")) ==
      "t.flow:6:41: error: dropped=dql: unknown node 'dql'; expected a stage or a sink of this file; did you "
      "mean 'dlq'?\n"
      "    s -> dlq [overflow=drop_newest, dropped=dql]\n"
      "                                            ^^^\n");
}

TEST_CASE("a route must lead to a stage or a sink other than its producer", "[check][dead_letter]") {
  CHECK(diagnostics_of(with_b("on_error=s")) ==
        "t.flow:2:32: error: on_error=s: 's' is a source; a dead-letter route leads to a stage or a sink\n"
        "    stage b = delay(1ms) [on_error=s]\n"
        "                                   ^\n");
  CHECK(diagnostics_of(with_b("on_error=b")) ==
        "t.flow:2:32: error: on_error=b: the route starts at 'b' itself; expected another stage or sink\n"
        "    stage b = delay(1ms) [on_error=b]\n"
        "                                   ^\n");
  CHECK(diagnostics_of(with_b("on_error=k")) ==
        "t.flow:2:32: error: on_error=k: 'k' already takes the output of 'b' (edge b -> k); a dead-letter "
        "route "
        "leads to a node that edge does not feed\n"
        "    stage b = delay(1ms) [on_error=k]\n"
        "                                   ^\n");
}

TEST_CASE("a route stays inside its part", "[check][dead_letter]") {
  auto text =
      "source s = generate(count=10) [part=front]\n"
      "stage b = delay(1ms) [part=front, on_error=dlq]\n"
      "sink k = discard() [part=front]\n"
      "sink dlq = discard() [part=back]\n"
      "s -> b -> k\n";
  CHECK(diagnostics_of(text) ==
        "t.flow:2:44: error: on_error=dlq: 'dlq' is in part 'back' and the route starts at 'b' in part "
        "'front'; "
        "a dead-letter route stays inside its part\n"
        "    stage b = delay(1ms) [part=front, on_error=dlq]\n"
        "                                               ^^^\n"
        "t.flow:4:6: error: no source reaches sink 'dlq'\n"
        "    sink dlq = discard() [part=back]\n"
        "         ^^^\n");
}

TEST_CASE("dropped= needs an edge that drops, expired= a deadline", "[check][dead_letter]") {
  CHECK(diagnostics_of(with("s -> dlq [dropped=k]")) ==
        "t.flow:6:19: error: dropped=k needs overflow=drop_newest or drop_oldest on edge s -> dlq: "
        "overflow=block "
        "makes the producer wait and drops nothing\n"
        "    s -> dlq [dropped=k]\n"
        "                      ^\n");
  CHECK(diagnostics_of(with("s -> dlq [expired=k]")) ==
        "t.flow:6:19: error: expired=k needs a deadline on edge s -> dlq (deadline=200ms, say): nothing "
        "expires "
        "there without one\n"
        "    s -> dlq [expired=k]\n"
        "                      ^\n");
  CHECK(diagnostics_of(with_b("expired=dlq")) ==
        "t.flow:2:31: error: expired=dlq needs a deadline on node 'b' (deadline=200ms, say): nothing expires "
        "there "
        "without one\n"
        "    stage b = delay(1ms) [expired=dlq]\n"
        "                                  ^^^\n");
}

TEST_CASE("a deadline is longer than zero, and a route names a node", "[check][deadline]") {
  CHECK(diagnostics_of(with("s -> dlq [deadline=0s]")) ==
        "t.flow:6:20: error: deadline must be longer than 0s\n"
        "    s -> dlq [deadline=0s]\n"
        "                       ^^\n");
  CHECK(diagnostics_of(with_b("on_error=\"dlq\"")) ==
        "t.flow:2:32: error: expected fail, skip or a node name (a bare word), got a string\n"
        "    stage b = delay(1ms) [on_error=\"dlq\"]\n"
        "                                   ^^^^^\n");
}

TEST_CASE("a route back upstream is a cycle", "[check][dead_letter]") {
  auto text =
      "source s = generate(count=10)\n"
      "stage a = delay(1ms)\n"
      "stage b = delay(1ms) [on_error=a]\n"
      "sink k = discard()\n"
      "s -> a -> b -> k\n";
  CHECK(diagnostics_of(text) ==
        "t.flow:5:8: error: cycle: a -> b ~> a (~> is a dead-letter route)\n"
        "    s -> a -> b -> k\n"
        "           ^^\n");
}

TEST_CASE("on_error=fail means the policy even beside a node called fail", "[check][dead_letter]") {
  auto text =
      "source s = generate(count=10)\n"
      "stage b = delay(1ms) [on_error=fail]\n"
      "sink k = discard()\n"
      "sink fail = discard()\n"
      "s -> b -> k\n"
      "s -> fail\n";
  CHECK(diagnostics_of(text) ==
        "t.flow:4:6: warning: on_error=fail always means the policy fail, never this node: rename it to send "
        "failed messages here\n"
        "    sink fail = discard()\n"
        "         ^^^^\n");
  CHECK(pipeline_of(text).nodes[1].on_error == OnError::Fail);
}

TEST_CASE("a node's route may come from --set", "[check][dead_letter]") {
  auto pipeline = pipeline_of(kBase, {{"b", "on_error", "dlq"}});
  CHECK(pipeline.nodes[1].errors_to == pipeline.find_node("dlq"));
}
