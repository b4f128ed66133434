// What each built-in tells the planner (runtime/ops/plans.cpp): declared for
// every one, in agreement with what its operator tells the runtime, and
// carrying the numbers of its arguments.
#include <chrono>
#include <map>

#include "ops_test_support.hpp"
#include "temp_files.hpp"

using namespace std::chrono_literals;
using Catch::Detail::Approx;

namespace {

flow::OperatorPlan plan_of(const std::string& name, std::map<std::string, flow::Value> args = {}) {
  auto plan = flow::builtin_operators().plan(flow::test::resolved_call(name, std::move(args)));
  REQUIRE(plan);
  return *plan;
}

flow::Value duration(std::chrono::nanoseconds value) {
  return flow::Duration{value};
}

}  // namespace

TEST_CASE("every built-in operator declares a plan", "[ops][plan]") {
  const auto& registry = flow::builtin_operators();
  for (const auto& name : registry.names()) {
    INFO(name);
    CHECK(registry.find(name)->plan);
  }
}

TEST_CASE("a built-in's plan says what its operator tells the runtime", "[ops][plan]") {
  flow::test::TempPath out;
  flow::test::TempPath db;
  const std::map<std::string, std::map<std::string, flow::Value>> calls{
      {"delay", {{"duration", duration(1ms)}}},
      {"spin", {{"duration", duration(1us)}}},
      {"batch", {{"max", std::int64_t{4}}}},
      {"unbatch", {}},
      {"throttle", {{"rate", flow::Rate{100}}}},
      {"grep", {{"pattern", std::string("x")}}},
      {"replace", {{"pattern", std::string("x")}, {"with", std::string("y")}}},
      {"upper", {}},
      {"lower", {}},
      {"prefix", {{"text", std::string("> ")}}},
      {"sample", {{"probability", 0.5}}},
      {"where", {{"condition", flow::Expression{"n > 1", ""}}}},
      {"set", {{"n", flow::Expression{"1", ""}}}},
      {"route",
       {{"outputs.1", flow::Expression{"n > 1", "big"}}, {"outputs.2", flow::Expression{"true", "rest"}}}},
      {"discard", {}},
      {"stdout", {}},
      {"write", {{"path", out.str()}}},
      {"sqlite", {{"path", db.str()}, {"table", std::string("t")}}},
      {"http", {{"url", std::string("http://127.0.0.1:9/x")}}},
      {"exec", {{"program", std::string("cat")}}},
      {"parse", {{"format", std::string("nginx_combined")}}},
      {"parse_json", {}},
      {"parse_regex", {{"pattern", std::string("(?P<a>x)")}}},
      {"drop", {{"field", std::string("a")}}},
      {"route",
       {{"outputs.1", flow::Expression{"n > 1", "big"}}, {"outputs.2", flow::Expression{"true", "rest"}}}},
      {"format", {{"as", std::string("json")}}},
      {"count", {{"by", std::string("status")}}},
      {"aggregate", {{"by", std::string("path")}, {"sum", std::string("bytes")}}}};
  const auto& registry = flow::builtin_operators();
  std::size_t checked = 0;
  for (const auto& name : registry.names()) {
    if (registry.find(name)->role == flow::Role::Source) continue;
    INFO(name);
    REQUIRE(calls.count(name));
    auto call = flow::test::resolved_call(name, calls.at(name));
    auto op = registry.find(name)->make(call);
    auto plan = plan_of(name, calls.at(name));
    CHECK(plan.cost == op->cost());
    CHECK(plan.expands == op->expands());
    CHECK(plan.holds_back.has_value() == op->holds_messages());
    ++checked;
  }
  CHECK(checked == calls.size());
}

TEST_CASE("a built-in's plan carries the figures of its arguments", "[ops][plan]") {
  CHECK(plan_of("delay", {{"duration", duration(20ms)}}).seconds_per_message == Approx(0.020));
  flow::Distribution mean_10ms{flow::Distribution::Shape::Exponential, flow::Duration{10ms}, {}};
  CHECK(plan_of("spin", {{"duration", mean_10ms}}).seconds_per_message == Approx(0.010));
  CHECK(plan_of("throttle", {{"rate", flow::Rate{250}}}).rate_limit_per_s == Approx(250));
  // Both of generate's limits hold: 200 every 500ms is 400/s, under rate=1000/s.
  auto paced = plan_of("generate", {{"count", std::int64_t{600}},
                                    {"rate", flow::Rate{1000}},
                                    {"burst", std::int64_t{200}},
                                    {"every", duration(500ms)}});
  CHECK(paced.rate_limit_per_s == Approx(400));
  CHECK(paced.count == std::optional<std::uint64_t>(600));
  CHECK(paced.payload == flow::PayloadChange::Sets);
  CHECK(paced.payload_bytes == 16);  // the default size
  CHECK(paced.endless.empty());
  CHECK(plan_of("generate").endless == "generate without count");
  CHECK(plan_of("sample", {{"probability", 0.25}}).passes == Approx(0.25));
  CHECK(plan_of("prefix", {{"text", std::string("log: ")}}).payload_bytes == 5);
  CHECK(plan_of("replace", {{"pattern", std::string("a")}, {"with", std::string("b")}}).payload ==
        flow::PayloadChange::Unknown);
  CHECK(plan_of("unbatch").ungroups);
  CHECK(plan_of("write", {{"path", std::string("out.txt")}}).writes_file == "out.txt");
}

TEST_CASE("batch's plan holds back max - 1 and says whether within lets them go", "[ops][plan]") {
  auto full_only = plan_of("batch", {{"max", std::int64_t{100}}});
  CHECK(full_only.groups == std::optional<std::uint64_t>(100));
  REQUIRE(full_only.holds_back);
  CHECK(full_only.holds_back->release_at == 100);
  CHECK_FALSE(full_only.holds_back->deadline);
  auto timed = plan_of("batch", {{"max", std::int64_t{100}}, {"within", duration(50ms)}});
  REQUIRE(timed.holds_back);
  CHECK(timed.holds_back->deadline);
}

TEST_CASE("read's plan says it reads from outside only for standard input", "[ops][plan]") {
  CHECK(plan_of("read", {{"path", std::string("-")}}).outside_input == "standard input");
  auto file = plan_of("read", {{"path", std::string("in.txt")}});
  CHECK(file.outside_input.empty());
  CHECK(file.payload == flow::PayloadChange::Unknown);
  CHECK(file.endless.empty());  // a file ends
}
