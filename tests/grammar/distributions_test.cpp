// Random durations (issue 10, item 1): `exponential(10ms)`, `uniform(1ms, 5ms)`,
// `normal(10ms, 2ms)`, `lognormal(p50=10ms, p99=80ms)`, and their errors.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace flow;
using flow::test::errors_of;
using flow::test::value_error;
using flow::test::value_of;
using Shape = Distribution::Shape;
using std::chrono::milliseconds;

namespace {

Value distribution(Shape shape, milliseconds first, milliseconds second = milliseconds(0)) {
  return Value{Distribution{shape, Duration{first}, Duration{second}}};
}

}  // namespace

TEST_CASE("each distribution reads positionally or by name, in any order", "[grammar]") {
  CHECK(value_of("exponential(10ms)") == distribution(Shape::Exponential, milliseconds(10)));
  CHECK(value_of("exponential(mean=10ms)") == distribution(Shape::Exponential, milliseconds(10)));
  CHECK(value_of("uniform(1ms, 5ms)") == distribution(Shape::Uniform, milliseconds(1), milliseconds(5)));
  CHECK(value_of("uniform(high=5ms, low=1ms)") ==
        distribution(Shape::Uniform, milliseconds(1), milliseconds(5)));
  CHECK(value_of("normal(10ms,2ms)") == distribution(Shape::Normal, milliseconds(10), milliseconds(2)));
  CHECK(value_of("lognormal(p50=10ms, p99=80ms)") ==
        distribution(Shape::LogNormal, milliseconds(10), milliseconds(80)));
  CHECK(to_string(value_of("lognormal( p99 = 80ms , p50=10ms )")) == "lognormal(p50=10ms, p99=80ms)");
  // A bare name is still a name: only `NAME(` starts a distribution.
  CHECK(value_of("exponential") == Value{Identifier{"exponential"}});
}

TEST_CASE("a distribution in an operator call is that argument's value", "[grammar]") {
  auto result =
      flow::test::parse_text("stage w = delay(exponential(10ms)) | spin(duration=uniform(1ms, 2ms))\n");
  REQUIRE(result.diagnostics.empty());
  const auto& node = std::get<syntax::NodeDecl>(result.file.statements.at(0));
  CHECK(node.chain.at(0).args.at(0).value.value == distribution(Shape::Exponential, milliseconds(10)));
  CHECK(node.chain.at(1).args.at(0).name->text == "duration");
  CHECK(node.chain.at(1).args.at(0).value.value ==
        distribution(Shape::Uniform, milliseconds(1), milliseconds(2)));
}

TEST_CASE("a bad distribution is reported under the parameter at fault", "[grammar]") {
  CHECK(errors_of("stage w = delay(exponential(-1ms))\n") ==
        "test.flow:1:29: error: a duration cannot be negative\n"
        "    stage w = delay(exponential(-1ms))\n"
        "                                ^^^^\n");
  CHECK(errors_of("stage w = delay(exponential(0ms))\n") ==
        "test.flow:1:29: error: 'mean' must be more than 0, got 0s\n"
        "    stage w = delay(exponential(0ms))\n"
        "                                ^^^\n");
  CHECK(errors_of("stage w = delay(lognormal(p50=10ms, p99=5ms))\n") ==
        "test.flow:1:41: error: 'p99' must be more than 'p50' (10ms), got 5ms\n"
        "    stage w = delay(lognormal(p50=10ms, p99=5ms))\n"
        "                                            ^^^\n");
  // Another name is a function call to the grammar; the checker names it (tests/check/random_test.cpp).
  CHECK(errors_of("stage w = delay(poisson(10ms))\n").empty());
  CHECK(errors_of("stage w = delay(uniform(5ms, 1ms))\n") ==
        "test.flow:1:30: error: 'high' must not be less than 'low' (5ms), got 1ms\n"
        "    stage w = delay(uniform(5ms, 1ms))\n"
        "                                 ^^^\n");
}

TEST_CASE("a distribution's parameters are durations, named as the shape says, each once", "[grammar]") {
  CHECK(value_error("exponential(10)") ==
        "expected a duration such as '5ms', got an integer: exponential(...) draws random durations, for "
        "delay, "
        "spin, generate's every and batch's within; a count such as generate's burst takes one integer");
  CHECK(value_error("exponential(16B)") == "expected a duration, got a size");
  CHECK(value_error("normal(10ms)") == "normal needs 'sd'");
  CHECK(value_error("normal(10ms, 1ms, 2ms)") == "normal takes 2 durations ('mean' and 'sd'), got more");
  CHECK(value_error("lognormal(p50=10ms, p90=20ms)") ==
        "lognormal has no parameter 'p90'; it takes 'p50' and 'p99'");
  CHECK(value_error("uniform(low=1ms, low=2ms)") == "'low' is given twice");
  CHECK(value_error("normal(0s, 1ms)") == "'mean' must be more than 0, got 0s");
  CHECK(value_error("exponential(10ms") ==
        "expected ',' or ')' after the duration; a distribution reads 'exponential(10ms)'");
  CHECK(value_error("exponential(9000h)").find("longer than the longest duration") != std::string::npos);
}

TEST_CASE("the caret finds a positional parameter that follows a named one", "[grammar]") {
  CHECK(errors_of("stage w = delay(lognormal(p50=10ms, 5ms))\n") ==
        "test.flow:1:37: error: 'p99' must be more than 'p50' (10ms), got 5ms\n"
        "    stage w = delay(lognormal(p50=10ms, 5ms))\n"
        "                                        ^^^\n");
}
