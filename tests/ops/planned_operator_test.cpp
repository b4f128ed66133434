// An operator registered at run time, not a built-in, that declares its plan
// is planned, bounded, drawn and checked exactly like a built-in: nothing in
// flow plan or the checks knows an operator by name.
#include <catch2/catch.hpp>

#include <string>

#include "flow/arguments.hpp"
#include "flow/dot.hpp"
#include "flow/load.hpp"
#include "flow/plan.hpp"
#include "flow/predict.hpp"
#include "ops_test_support.hpp"
#include "flow/bound.hpp"
#include "temp_files.hpp"

namespace example {
void register_lookup(flow::OperatorRegistry& registry);
}

namespace {

using Catch::Detail::Approx;

flow::OperatorRegistry with_lookup() {
  flow::OperatorRegistry registry;
  flow::register_builtin_operators(registry);
  example::register_lookup(registry);
  return registry;
}

flow::Pipeline loaded(const std::string& text, const flow::OperatorRegistry& registry) {
  auto result = flow::load_string("t.flow", text, registry);
  INFO(flow::render_all(*result.source, result.diagnostics));
  REQUIRE(result.pipeline);
  return *result.pipeline;
}

std::string diagnostics_of(const std::string& text, const flow::OperatorRegistry& registry) {
  auto result = flow::load_string("t.flow", text, registry);
  return flow::render_all(*result.source, result.diagnostics);
}

// 20 ms per message over 2 workers: 100 messages/s, a fifth of what a delay(2ms) sustains.
const char* const lookups =
    "pipeline lookups\n"
    "source ingest = generate(count=200)\n"
    "stage  fetch  = lookup(20ms) [workers=2]\n"
    "stage  parse  = delay(2ms)\n"
    "sink   store  = discard()\n"
    "ingest -> fetch -> parse -> store\n";

const flow::NodePrediction& node(const flow::PlanPrediction& prediction, const std::string& name) {
  for (const auto& n : prediction.nodes)
    if (n.name == name) return n;
  FAIL("no prediction for " << name);
  return prediction.nodes.front();
}

/// A plain stage that declares `plan`: what the tests below vary.
flow::OperatorSpec stage_with(std::string name,
                              std::function<flow::OperatorPlan(const flow::OperatorCall&)> plan) {
  flow::OperatorSpec spec;
  spec.name = std::move(name);
  spec.role = flow::Role::Stage;
  spec.args = {{"size", flow::ValueKind::Integer, false, flow::Value{std::int64_t{10}}, true}};
  spec.make = [](const flow::OperatorCall&) {
    return flow::builtin_operators().find("upper")->make({"upper", {}, {}});
  };
  spec.plan = std::move(plan);
  return spec;
}

/// A source that reads something only one reader can have.
flow::OperatorSpec listener() {
  flow::OperatorSpec spec;
  spec.name = "listen";
  spec.role = flow::Role::Source;
  spec.args = {{"port", flow::ValueKind::Integer, true, std::nullopt, true}};
  spec.make_source = [](const flow::OperatorCall&) {
    return flow::builtin_operators()
        .find("generate")
        ->make_source({"generate", {{"count", std::int64_t{1}}}, {}});
  };
  spec.plan = [](const flow::OperatorCall& call) {
    flow::OperatorPlan plan;
    plan.outside_input = "port " + std::to_string(flow::required_arg<std::int64_t>(call, "port"));
    return plan;
  };
  return spec;
}

}  // namespace

TEST_CASE("an operator registered at run time is planned like a built-in", "[ops][plan]") {
  auto registry = with_lookup();
  auto pipeline = loaded(lookups, registry);

  auto prediction = flow::predict(pipeline, registry);
  CHECK(prediction.bottleneck == "fetch");
  CHECK(prediction.rate_per_s == Approx(100));
  CHECK(prediction.reason == "2 workers / 20ms");
  CHECK(node(prediction, "fetch").capacity_per_s == Approx(100));
  CHECK(node(prediction, "parse").capacity_per_s == Approx(500));
  CHECK(node(prediction, "ingest").rate_per_s == Approx(100));  // backpressure reaches the source
  REQUIRE(prediction.duration_s);
  CHECK(*prediction.duration_s == Approx(2.0));  // 200 messages at 100/s

  auto plan = flow::to_plan(pipeline, registry);
  CHECK(plan.find("bottleneck: fetch at 100 messages/s (2 workers / 20ms)") != std::string::npos);
  CHECK(plan.find("stage  fetch  = lookup(20ms)\n") != std::string::npos);
}

TEST_CASE("the planner knows an operator only through the registry it is given", "[ops][plan]") {
  auto pipeline = loaded(lookups, with_lookup());
  // The built-ins have no lookup: it is then free, and delay(2ms) is the slowest.
  auto prediction = flow::predict(pipeline, flow::builtin_operators());
  CHECK(prediction.bottleneck == "parse");
  CHECK(prediction.rate_per_s == Approx(500));
}

TEST_CASE("a picture writes an operator of one's own as its spec says", "[ops][plan]") {
  auto registry = with_lookup();
  auto pipeline = loaded(lookups, registry);
  // latency is a required positional argument: written as the user would.
  CHECK(flow::to_dot(pipeline, registry).find("lookup(20ms)") != std::string::npos);
  CHECK(flow::to_dot(pipeline, flow::builtin_operators()).find("lookup(latency=20ms)") != std::string::npos);
}

TEST_CASE("a worker's hand is bounded by what an operator's plan says of its cost", "[ops][plan]") {
  auto registry = with_lookup();
  registry.add(stage_with("opaque", {}));  // says nothing: may work message by message
  registry.add(stage_with("light", [](const flow::OperatorCall&) {
    flow::OperatorPlan plan;
    plan.cost = flow::Operator::Cost::Cheap;
    return plan;
  }));
  const std::string text =
      "source ingest = generate(count=10)\n"
      "stage  work   = STAGE [workers=3]\n"
      "sink   store  = discard()\n"
      "edge [capacity=4]\n"
      "ingest -> work -> store\n";
  auto bound_with = [&](const std::string& stage) {
    auto pipeline = loaded(std::string(text).replace(text.find("STAGE"), 5, stage), registry);
    return flow::hold_bound(pipeline, registry);
  };
  // The sink takes what its input edge holds, 4; each of work's 3 workers
  // may hold one message in hand beyond the room reserved downstream...
  CHECK(bound_with("lookup(1ms)").hands == 4 + 3);
  CHECK(bound_with("opaque()").hands == 4 + 3);
  // ...unless its operator says it is cheap: it then takes only into that room.
  CHECK(bound_with("light()").hands == 4);
}

TEST_CASE("an operator of one's own that holds messages back is bounded and checked like batch",
          "[ops][plan]") {
  auto registry = flow::builtin_operators();
  registry.add(stage_with("window", [](const flow::OperatorCall& call) {
    flow::OperatorPlan plan;
    auto size = static_cast<std::uint64_t>(flow::required_arg<std::int64_t>(call, "size"));
    plan.cost = flow::Operator::Cost::Cheap;
    plan.groups = size;
    plan.holds_back = flow::HoldBack{size, false, "size", ""};
    return plan;
  }));
  const std::string text =
      "pipeline p [max_in_flight=5]\n"
      "source ingest = generate(count=10)\n"
      "stage  w      = window(10)\n"
      "sink   store  = discard()\n"
      "edge [capacity=2]\n"
      "ingest -> w -> store\n";
  CHECK(diagnostics_of(text, registry) ==
        "t.flow:3:17: warning: window(size=10) in w lets messages go only once 10 have come and "
        "max_in_flight is "
        "5: once 5 messages wait in it the sources stop and it never fills; raise max_in_flight to at least "
        "10\n"
        "    stage  w      = window(10)\n"
        "                    ^^^^^^\n");
  auto bound = flow::hold_bound(loaded(text, registry), registry);
  CHECK(bound.batches == 9);         // it holds up to size - 1
  CHECK(bound.edges == 2 + 2 * 10);  // w's output edge holds windows of 10
}

TEST_CASE("a source of one's own that reads from outside is checked like read(\"-\")", "[ops][plan]") {
  auto registry = flow::builtin_operators();
  registry.add(listener());
  const std::string two_readers =
      "source a = listen(9000)\n"
      "source b = listen(9000)\n"
      "sink   s = discard()\n"
      "a -> s\n"
      "b -> s\n";
  CHECK(diagnostics_of(two_readers, registry) ==
        "t.flow:2:12: error: port 9000 is already read by source 'a' (line 1, column 12): two readers would "
        "split "
        "its lines between them\n"
        "    source b = listen(9000)\n"
        "               ^^^^^^\n");
  const std::string virtual_clock =
      "pipeline p [clock=virtual]\n"
      "source a = listen(9000)\n"
      "sink   s = discard()\n"
      "a -> s\n";
  CHECK(diagnostics_of(virtual_clock, registry) ==
        "t.flow:2:12: warning: source a reads port 9000 under the virtual clock: waiting for input takes no "
        "simulated time, so every line arrives at the simulated instant it is read\n"
        "    source a = listen(9000)\n"
        "               ^^^^^^\n");
}

TEST_CASE("docs/custom_operators.md quotes the compiled example of a planned operator", "[ops][plan]") {
  auto source = flow::test::read_text(FLOW_SOURCE_DIR "/tests/ops/planned_operator_example.cpp");
  auto page = flow::test::read_text(FLOW_SOURCE_DIR "/docs/custom_operators.md");
  const std::string begin = "// BEGIN operators.md plan example\n";
  auto from = source.find(begin);
  auto to = source.find("// END operators.md plan example");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  auto example = source.substr(from + begin.size(), to - from - begin.size());
  CHECK(page.find("```cpp\n" + example + "```\n") != std::string::npos);
}
