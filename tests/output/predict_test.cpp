#include "flow/predict.hpp"

#include <catch2/catch.hpp>
#include <cmath>

#include "pipelines.hpp"

using namespace flow;
using namespace flow::test;
using Catch::Detail::Approx;

namespace {
const NodePrediction& node(const PlanPrediction& p, const std::string& name) {
  for (const auto& n : p.nodes)
    if (n.name == name) return n;
  FAIL("no prediction for " << name);
  return p.nodes.front();
}

OperatorCall delay_ms(std::int64_t n) { return call("delay", {{"duration", ms(n)}}); }
}  // namespace

TEST_CASE("Prediction: each node sustains workers / per-message time and the slowest sets the pace",
          "[output][plan]") {
  auto p = predict(end_to_end(), builtin_operators());
  CHECK(p.bottleneck == "process");
  CHECK(p.rate_per_s == Approx(20));
  CHECK(p.reason == "1 worker / 50ms");
  CHECK(p.throughput_per_s == Approx(20));
  CHECK(node(p, "validate").capacity_per_s == Approx(100));
  CHECK(node(p, "store").capacity_per_s == Approx(50));
  CHECK(std::isinf(node(p, "ingest").capacity_per_s));
  // Backpressure: everyone runs at the bottleneck's pace.
  CHECK(node(p, "ingest").rate_per_s == Approx(20));
  CHECK(node(p, "validate").utilisation == Approx(0.2));
  CHECK(node(p, "process").utilisation == Approx(1.0));
  REQUIRE(p.duration_s);
  CHECK(*p.duration_s == Approx(5.0));
}

TEST_CASE("Prediction: workers multiply a node's rate", "[output][plan]") {
  PipelineBuilder b("semaphore");
  auto jobs = b.node("jobs", NodeKind::Source, {call("generate", {{"count", std::int64_t{20}}})});
  auto fetch = b.node("fetch", NodeKind::Stage, {delay_ms(200)}, 5);
  auto done = b.node("done", NodeKind::Sink, {call("discard")});
  b.edge(jobs, fetch, 10);
  b.edge(fetch, done, 2);
  auto p = predict(b.build(), builtin_operators());
  CHECK(p.bottleneck == "fetch");
  CHECK(p.rate_per_s == Approx(25));
  CHECK(p.reason == "5 workers / 200ms");
  REQUIRE(p.duration_s);
  CHECK(*p.duration_s == Approx(0.8));
}

TEST_CASE("Prediction: a source's rate caps the throughput", "[output][plan]") {
  PipelineBuilder b("paced");
  auto src = b.node("src", NodeKind::Source, {call("generate", {{"rate", per_s(1000)}})});
  auto work = b.node("work", NodeKind::Stage, {call("spin", {{"duration", Value{Duration{std::chrono::microseconds(500)}}}})});
  auto out = b.node("out", NodeKind::Sink, {call("discard")});
  b.edge(src, work);
  b.edge(work, out);
  auto p = predict(b.build(), builtin_operators());
  CHECK(p.bottleneck == "src");
  CHECK(p.rate_per_s == Approx(1000));
  CHECK(p.throughput_per_s == Approx(1000));
  CHECK(node(p, "work").utilisation == Approx(0.5));
  CHECK_FALSE(p.duration_s);  // endless source
}

TEST_CASE("Prediction: bursts of N every D pace a source at N / D", "[output][plan]") {
  PipelineBuilder b("bursty");
  auto src = b.node("src", NodeKind::Source,
                    {call("generate", {{"count", std::int64_t{600}}, {"burst", std::int64_t{200}}, {"every", ms(500)}})});
  auto out = b.node("out", NodeKind::Sink, {call("discard")});
  b.edge(src, out);
  auto p = predict(b.build(), builtin_operators());
  CHECK(p.bottleneck == "src");
  CHECK(p.rate_per_s == Approx(400));
}

TEST_CASE("Prediction: a round_robin fan-out splits the rate between its branches", "[output][plan]") {
  PipelineBuilder b("split");
  auto src = b.node("src", NodeKind::Source, {call("generate")});
  auto deal = b.node("deal", NodeKind::Stage, {});
  auto left = b.node("left", NodeKind::Stage, {delay_ms(50)});
  auto right = b.node("right", NodeKind::Stage, {delay_ms(50)});
  auto out = b.node("out", NodeKind::Sink, {call("discard")});
  b.at(deal).fanout = Fanout::RoundRobin;
  b.edge(src, deal);
  b.edge(deal, left);
  b.edge(deal, right);
  b.edge(left, out);
  b.edge(right, out);
  auto p = predict(b.build(), builtin_operators());
  CHECK(p.bottleneck == "left");
  CHECK(p.rate_per_s == Approx(20));
  CHECK(p.throughput_per_s == Approx(40));
  CHECK(node(p, "src").rate_per_s == Approx(40));
}

TEST_CASE("Prediction: a broadcast fan-out runs at its slowest branch and copies to every sink", "[output][plan]") {
  PipelineBuilder b("copy");
  auto src = b.node("src", NodeKind::Source, {call("generate")});
  auto slow = b.node("slow", NodeKind::Sink, {delay_ms(50), call("discard")});
  auto fast = b.node("fast", NodeKind::Sink, {delay_ms(20), call("discard")});
  b.edge(src, slow);
  b.edge(src, fast);
  auto p = predict(b.build(), builtin_operators());
  CHECK(p.bottleneck == "slow");
  CHECK(node(p, "fast").rate_per_s == Approx(20));
  CHECK(p.throughput_per_s == Approx(40));
}

TEST_CASE("Prediction: a dropping edge sheds the excess instead of slowing its producer", "[output][plan]") {
  PipelineBuilder b("drop_metrics");
  auto metrics = b.node("metrics", NodeKind::Source, {call("generate", {{"count", std::int64_t{5000}}, {"rate", per_s(1000)}})});
  auto collector = b.node("collector", NodeKind::Sink,
                          {call("batch", {{"max", std::int64_t{100}}, {"within", ms(100)}}), delay_ms(450), call("discard")});
  b.edge(metrics, collector, 100, Overflow::DropNewest);
  auto p = predict(b.build(), builtin_operators());
  CHECK(p.bottleneck == "collector");
  CHECK(p.rate_per_s == Approx(100 / 0.45));
  CHECK(p.throughput_per_s == Approx(100 / 0.45));
  CHECK(node(p, "metrics").rate_per_s == Approx(1000));
  REQUIRE(p.duration_s);
  CHECK(*p.duration_s == Approx(5.0));
}

TEST_CASE("Prediction: throttle caps a stage and sample thins what follows", "[output][plan]") {
  PipelineBuilder b("thin");
  auto src = b.node("src", NodeKind::Source, {call("generate")});
  auto gate = b.node("gate", NodeKind::Stage, {call("throttle", {{"rate", per_s(100)}}), call("sample", {{"probability", 0.25}})});
  auto out = b.node("out", NodeKind::Sink, {delay_ms(10), call("discard")});
  b.edge(src, gate);
  b.edge(gate, out);
  auto p = predict(b.build(), builtin_operators());
  CHECK(p.bottleneck == "gate");
  CHECK(p.reason == "throttle 100/s");
  CHECK(node(p, "out").rate_per_s == Approx(25));
  CHECK(p.throughput_per_s == Approx(25));
}

TEST_CASE("Prediction: sources sharing a slow sink are slowed together", "[output][plan]") {
  PipelineBuilder b("merge");
  auto a = b.node("a", NodeKind::Source, {call("generate", {{"rate", per_s(30)}})});
  auto c = b.node("c", NodeKind::Source, {call("generate", {{"rate", per_s(30)}})});
  auto out = b.node("out", NodeKind::Sink, {delay_ms(20), call("discard")});
  b.edge(a, out);
  b.edge(c, out);
  auto p = predict(b.build(), builtin_operators());
  CHECK(p.bottleneck == "out");
  CHECK(p.throughput_per_s == Approx(50));
  CHECK(node(p, "a").rate_per_s == Approx(25));
  CHECK(node(p, "c").rate_per_s == Approx(25));
}

TEST_CASE("Prediction: a pipeline of free operators has no bottleneck and unlimited throughput", "[output][plan]") {
  PipelineBuilder b("free");
  auto src = b.node("src", NodeKind::Source, {call("read", {{"path", std::string("-")}})});
  auto out = b.node("out", NodeKind::Sink, {call("upper"), call("stdout")});
  b.edge(src, out);
  auto p = predict(b.build(), builtin_operators());
  CHECK(p.bottleneck.empty());
  CHECK(std::isinf(p.throughput_per_s));
  CHECK(std::isinf(p.rate_per_s));
}

TEST_CASE("Prediction: a random duration counts at its mean", "[output][plan]") {
  PipelineBuilder b("random");
  auto s = b.node("s", NodeKind::Source, {call("generate")});
  auto uniform = Value{Distribution{Distribution::Shape::Uniform, Duration{std::chrono::milliseconds(10)},
                                    Duration{std::chrono::milliseconds(30)}}};
  auto w = b.node("w", NodeKind::Stage, {call("delay", {{"duration", uniform}})}, 2);
  auto k = b.node("k", NodeKind::Sink, {call("discard")});
  b.edge(s, w, 4);
  b.edge(w, k, 4);
  auto p = predict(b.build(), builtin_operators());
  CHECK(p.bottleneck == "w");
  CHECK(node(p, "w").capacity_per_s == Approx(100));  // 2 workers / 20 ms, the mean
}
