#include "runtime/output/plan.hpp"

#include <catch2/catch.hpp>

#include "pipelines.hpp"

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
  auto plan = to_plan(end_to_end());
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
  auto plan = to_plan(end_to_end());
  INFO(plan);
  CHECK(plan.rfind("pipeline end_to_end [max_in_flight=19 (default), report=none]\n", 0) == 0);
  CHECK(plan.find("  source ingest   = generate(count=100, size=16B)\n") != std::string::npos);
  CHECK(plan.find("  sink   store    = delay(20ms) | discard()\n") != std::string::npos);
  CHECK(plan.find("[workers=1, ordered=false, fanout=broadcast, on_error=fail]") != std::string::npos);
  CHECK(plan.find("  ingest -> validate   [capacity=5, overflow=block, max_bytes=none]\n") != std::string::npos);
  CHECK(plan.find("  process -> store     [capacity=5, overflow=block, max_bytes=none]\n") != std::string::npos);
}

TEST_CASE("Plan bounds messages by capacities plus workers and bytes by capacity times message size",
          "[output][plan]") {
  auto plan = to_plan(end_to_end());
  INFO(plan);
  // 3 edges × 5 + 4 workers; max_in_flight defaults to the same sum.
  CHECK(line_starting(plan, "messages held:") ==
        "  messages held: at most 19 (edge capacities 15 + workers 4; max_in_flight 19 (the default))");
  // 3 edges × 5 messages × 16 bytes.
  CHECK(line_starting(plan, "bytes held on edges:") ==
        "  bytes held on edges: at most 240B (capacity × message size, or max_bytes)");
}

TEST_CASE("Plan bounds bytes by max_bytes and by batch size, and says when it cannot", "[output][plan]") {
  PipelineBuilder b("bytes");
  auto src = b.node("src", NodeKind::Source, {call("generate", {{"size", bytes(100)}})});
  auto pack = b.node("pack", NodeKind::Stage, {call("batch", {{"max", std::int64_t{10}}}), call("prefix", {{"text", std::string("ab")}})});
  auto out = b.node("out", NodeKind::Sink, {call("discard")});
  b.edge(src, pack, 4);
  b.edge(pack, out, 3);
  auto pipeline = b.build();
  pipeline.edges[0].max_bytes = 250;
  auto plan = to_plan(pipeline);
  INFO(plan);
  // src -> pack: min(4 × 100, 250) = 250; pack -> out: 3 batches × 10 × (100 + 2) = 3060.
  CHECK(line_starting(plan, "bytes held on edges:").find("at most 3310B") != std::string::npos);

  PipelineBuilder r("unknown");
  auto in = r.node("in", NodeKind::Source, {call("read", {{"path", std::string("x")}})});
  auto sink = r.node("sink", NodeKind::Sink, {call("discard")});
  r.edge(in, sink);
  CHECK(line_starting(to_plan(r.build()), "bytes held on edges:").find("not derivable (in -> sink:") != std::string::npos);
}

TEST_CASE("Plan with an unbounded edge bounds messages only by max_in_flight", "[output][plan]") {
  PipelineBuilder b("unbounded");
  auto src = b.node("src", NodeKind::Source, {call("generate", {{"count", std::int64_t{50}}})});
  auto out = b.node("out", NodeKind::Sink, {call("delay", {{"duration", ms(100)}}), call("discard")});
  b.edge(src, out, std::nullopt);
  auto pipeline = b.build();
  pipeline.max_in_flight = 1000;
  pipeline.max_in_flight_explicit = true;
  auto plan = to_plan(pipeline);
  INFO(plan);
  CHECK(line_starting(plan, "messages held:").find("at most 1000 (an unbounded edge") != std::string::npos);
  CHECK(line_starting(plan, "messages held:").find("max_in_flight 1000)") != std::string::npos);
  CHECK(line_starting(plan, "bottleneck:").rfind("bottleneck: out at 10 messages/s", 0) == 0);
}

TEST_CASE("Plan says so when nothing limits the flow", "[output][plan]") {
  PipelineBuilder b("free");
  auto src = b.node("src", NodeKind::Source, {call("generate")});
  auto out = b.node("out", NodeKind::Sink, {call("discard")});
  b.edge(src, out);
  auto line = line_starting(to_plan(b.build()), "bottleneck:");
  CHECK(line.rfind("bottleneck: none predicted", 0) == 0);
  CHECK(line.find("end-to-end unlimited messages/s") != std::string::npos);
}
