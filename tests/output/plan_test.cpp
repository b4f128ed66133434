#include "flow/plan.hpp"

#include <limits>

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "pipelines.hpp"
#include "flow/bound.hpp"

using namespace flow;
using namespace flow::test;

namespace {
// The plan's line that starts with `prefix` (after indentation), or "".
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    auto line = text.substr(start, end - start);
    auto first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, prefix.size(), prefix) == 0) return line;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}
}  // namespace

TEST_CASE("Plan names process as the bottleneck of the end-to-end example at 20 messages/s", "[output][plan]") {
  auto plan = to_plan(end_to_end(), builtin_operators());
  INFO(plan);
  auto line = line_starting(plan, "bottleneck:");
  CHECK(line.rfind("bottleneck: process at 20 messages/s", 0) == 0);
  CHECK(line == "bottleneck: process at 20 messages/s (1 worker / 50ms); end-to-end 20 messages/s at the sinks");
  CHECK(plan.find("\n  process   sustains 20 (1 worker / 50ms); predicted 20, 100 % busy  <- bottleneck\n") !=
        std::string::npos);
  CHECK(plan.find("\n  validate  sustains 100 (1 worker / 10ms); predicted 20, 20 % busy\n") != std::string::npos);
  CHECK(plan.find("\n  ingest    sustains unlimited; predicted 20\n") != std::string::npos);
  CHECK(line_starting(plan, "predicted run time:") == "  predicted run time: about 5.00 s");
}

TEST_CASE("Plan shows every node and edge with all defaults filled in", "[output][plan]") {
  auto plan = to_plan(end_to_end(), builtin_operators());
  INFO(plan);
  CHECK(plan.rfind("pipeline end_to_end [max_in_flight=none, report=none]\n", 0) == 0);
  CHECK(plan.find("  source ingest   = generate(count=100, size=16B)\n") != std::string::npos);
  CHECK(plan.find("  sink   store    = delay(20ms) | discard()\n") != std::string::npos);
  CHECK(plan.find("[workers=1, ordered=false, fanout=broadcast, on_error=fail]") != std::string::npos);
  CHECK(plan.find("  ingest -> validate   [capacity=5, overflow=block, max_bytes=none]\n") != std::string::npos);
  CHECK(plan.find("  process -> store     [capacity=5, overflow=block, max_bytes=none]\n") != std::string::npos);
}

TEST_CASE("Plan bounds messages alive by capacities, workers' hands and batches, and bytes by message size",
          "[output][plan]") {
  auto plan = to_plan(end_to_end(), builtin_operators());
  INFO(plan);
  // 3 edges × 5; one message in the hand of validate, of process (both may
  // take one with no room downstream) and of store (a sink takes a unit of 1:
  // it waits on delay); the source pulls only into reserved room.
  CHECK(line_starting(plan, "messages alive:") ==
        "  messages alive: at most 18 messages (edge capacities 15 + workers' hands 3 + batch contents 0)");
  CHECK(line_starting(plan, "payload bytes alive:") ==
        "  payload bytes alive: at most 288B (each term times the largest message where it is)");  // 18 × 16
  CHECK(line_starting(plan, "max_in_flight:") == "  max_in_flight: not set (nothing is enforced beyond the edges)");
  auto bound = hold_bound(end_to_end(), builtin_operators());
  CHECK(bound.messages == std::optional<std::uint64_t>(3 * 5 + 3));
  CHECK(bound.payload_bytes == std::optional<std::uint64_t>((3 * 5 + 3) * 16));
}

TEST_CASE("Plan counts batch members one by one, and says when bytes are not derivable", "[output][plan]") {
  PipelineBuilder b("bytes");
  auto src = b.node("src", NodeKind::Source, {call("generate", {{"size", bytes(100)}})});
  auto pack = b.node("pack", NodeKind::Stage, {call("batch", {{"max", std::int64_t{10}}}), call("prefix", {{"text", std::string("ab")}})});
  auto out = b.node("out", NodeKind::Sink, {call("discard")});
  b.edge(src, pack, 4);
  b.edge(pack, out, 3);
  auto bound = hold_bound(b.build(), builtin_operators());
  // Edges: 4 messages + 3 batches of 10. Hands: pack is cheap, so it takes
  // only into reserved room; out (a cheap sink) takes at most the 3 batches
  // its edge holds. Batch contents: 10 - 1.
  CHECK(bound.edges == 4 + 3 * 10);
  CHECK(bound.hands == 3 * 10);
  CHECK(bound.batches == 9);
  CHECK(bound.messages == std::optional<std::uint64_t>(34 + 30 + 9));
  // 4 × 100 on src -> pack, then every member after pack is 102 bytes (prefix "ab").
  CHECK(bound.payload_bytes == std::optional<std::uint64_t>(4 * 100 + (30 + 30 + 9) * 102));

  // The same stage waiting 1 ms per message works message by message: with
  // no room a worker still takes one, which may leave as a batch of 10.
  PipelineBuilder w("waiting");
  auto wsrc = w.node("src", NodeKind::Source, {call("generate", {{"size", bytes(100)}})});
  auto wpack = w.node("pack", NodeKind::Stage, {call("delay", {{"duration", ms(1)}}), call("batch", {{"max", std::int64_t{10}}})});
  auto wout = w.node("out", NodeKind::Sink, {call("discard")});
  w.edge(wsrc, wpack, 4);
  w.edge(wpack, wout, 3);
  CHECK(hold_bound(w.build(), builtin_operators()).hands == 10 + 3 * 10);

  PipelineBuilder r("unknown");
  auto in = r.node("in", NodeKind::Source, {call("read", {{"path", std::string("x")}})});
  auto sink = r.node("sink", NodeKind::Sink, {call("discard")});
  r.edge(in, sink);
  CHECK(line_starting(to_plan(r.build(), builtin_operators()), "payload bytes alive:") ==
        "  payload bytes alive: not derivable (a message size is not known from the file)");
}

TEST_CASE("Plan with an unbounded edge bounds messages only by max_in_flight", "[output][plan]") {
  PipelineBuilder b("unbounded");
  auto src = b.node("src", NodeKind::Source, {call("generate", {{"count", std::int64_t{50}}})});
  auto out = b.node("out", NodeKind::Sink, {call("delay", {{"duration", ms(100)}}), call("discard")});
  b.edge(src, out, std::nullopt);
  auto pipeline = b.build();
  CHECK(line_starting(to_plan(pipeline, builtin_operators()), "messages alive:") ==
        "  messages alive: unbounded (src -> out has no capacity)");
  pipeline.max_in_flight = 1000;
  pipeline.max_in_flight_explicit = true;
  auto plan = to_plan(pipeline, builtin_operators());
  INFO(plan);
  CHECK(line_starting(plan, "messages alive:") ==
        "  messages alive: at most 1000 messages (max_in_flight, enforced at the sources; src -> out is "
        "unbounded)");
  CHECK(line_starting(plan, "max_in_flight:") == "  max_in_flight: 1000, enforced at the sources");
  CHECK(line_starting(plan, "bottleneck:").rfind("bottleneck: out at 10 messages/s", 0) == 0);
}

TEST_CASE("Plan's bound does not count max_in_flight past a broadcast, whose copies it lets through", "[output][plan]") {
  PipelineBuilder b("copies");
  auto src = b.node("src", NodeKind::Source, {call("generate")});
  auto a = b.node("a", NodeKind::Sink, {call("discard")});
  auto c = b.node("c", NodeKind::Sink, {call("discard")});
  b.edge(src, a, 4);
  b.edge(src, c, 4);
  auto pipeline = b.build();
  pipeline.max_in_flight = 2;
  pipeline.max_in_flight_explicit = true;
  auto bound = hold_bound(pipeline, builtin_operators());
  CHECK_FALSE(bound.in_flight.has_value());
  CHECK(bound.messages == std::optional<std::uint64_t>(8 + 4 + 4));  // edges, and each cheap sink takes all it holds
}

TEST_CASE("Plan's bound saturates instead of wrapping around", "[output][plan]") {
  PipelineBuilder b("huge");
  auto s = b.node("s", NodeKind::Source, {call("generate")});
  auto a = b.node("a", NodeKind::Stage, {call("delay", {{"duration", ms(1)}})});
  auto k = b.node("k", NodeKind::Sink, {call("discard")});
  b.edge(s, a, 9223372036854775807ULL);
  b.edge(a, k, 9223372036854775807ULL);
  CHECK(hold_bound(b.build(), builtin_operators()).messages ==
        std::optional<std::uint64_t>(std::numeric_limits<std::uint64_t>::max()));
}

TEST_CASE("Plan prints a saturated bound as too many to count, never a wrapped number", "[output][plan]") {
  PipelineBuilder b("huge");
  auto s = b.node("s", NodeKind::Source, {call("generate", {{"size", bytes(16)}})});
  auto a = b.node("a", NodeKind::Stage, {call("delay", {{"duration", ms(1)}})});
  auto k = b.node("k", NodeKind::Sink, {call("discard")});
  b.edge(s, a, 9223372036854775807ULL);
  b.edge(a, k, 9223372036854775807ULL);
  auto pipeline = b.build();
  auto bound = hold_bound(pipeline, builtin_operators());
  // The two capacities sum to 2^64 - 2 exactly; the hands push the total past 2^64 - 1.
  CHECK(bound.edges == 18446744073709551614ULL);
  auto plan = to_plan(pipeline, builtin_operators());
  INFO(plan);
  CHECK(line_starting(plan, "messages alive:") ==
        fmt::format(
            "  messages alive: \u2265 18446744073709551615 messages, too many to count (edge capacities "
            "18446744073709551614 + workers' hands {} + batch contents 0)",
            bound.hands));
  CHECK(line_starting(plan, "payload bytes alive:") ==
        "  payload bytes alive: \u2265 18446744073709551615B, too many to count");
}

TEST_CASE("Plan marks each saturated term of the bound", "[output][plan]") {
  PipelineBuilder b("batches");
  // Four nested batches of a million make members of 10^24 messages: past 64 bits.
  std::vector<OperatorCall> chain;
  for (int i = 0; i < 4; ++i) chain.push_back(call("batch", {{"max", std::int64_t{1000000}}}));
  auto s = b.node("s", NodeKind::Source, {call("generate")});
  auto a = b.node("a", NodeKind::Stage, chain);
  auto k = b.node("k", NodeKind::Sink, {call("discard")});
  b.edge(s, a, 1);
  b.edge(a, k, 1);
  auto text = messages_bound_text(hold_bound(b.build(), builtin_operators()));
  CHECK_THAT(text,
             Catch::Matchers::StartsWith("\u2265 18446744073709551615 messages, too many to count (edge "
                                         "capacities \u2265 18446744073709551615 + "));
}

TEST_CASE("Plan says so when nothing limits the flow", "[output][plan]") {
  PipelineBuilder b("free");
  auto src = b.node("src", NodeKind::Source, {call("generate")});
  auto out = b.node("out", NodeKind::Sink, {call("discard")});
  b.edge(src, out);
  auto line = line_starting(to_plan(b.build(), builtin_operators()), "bottleneck:");
  CHECK(line.rfind("bottleneck: none predicted", 0) == 0);
  CHECK(line.find("end-to-end unlimited messages/s") != std::string::npos);
}
