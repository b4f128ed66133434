// What aggregate() reads as a number (the expressions' rule) and what its
// sketch and figures do with values that are no numbers (runtime/fields/stats.cpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "runtime/fields/stats.hpp"

using flow::FieldView;
using flow::fields::FieldStats;
using flow::fields::numeric;
using flow::fields::Sketch;

namespace {

double as_double(const std::optional<FieldView>& value) {
  REQUIRE(value.has_value());
  if (const auto* integer = std::get_if<std::int64_t>(&*value)) return static_cast<double>(*integer);
  return std::get<double>(*value);
}

}  // namespace

TEST_CASE("aggregate reads text as a number by the expressions' rule", "[fields]") {
  using namespace std::string_view_literals;
  CHECK(std::get<std::int64_t>(*numeric(FieldView("200"sv))) == 200);
  CHECK(std::get<std::int64_t>(*numeric(FieldView("+5"sv))) == 5);
  CHECK(std::get<std::int64_t>(*numeric(FieldView(" 7\t"sv))) == 7);
  CHECK(std::get<double>(*numeric(FieldView("0.25"sv))) == 0.25);
  for (auto text : {"nan"sv, "NaN"sv, "inf"sv, "-Infinity"sv, "n/a"sv, ""sv, "  "sv, "5ms"sv}) {
    INFO(text);
    CHECK_FALSE(numeric(FieldView(text)).has_value());
  }
  CHECK_FALSE(numeric(FieldView(std::numeric_limits<double>::quiet_NaN())).has_value());
  CHECK_FALSE(numeric(FieldView(-std::numeric_limits<double>::infinity())).has_value());
  CHECK(as_double(numeric(FieldView(std::int64_t{-3}))) == -3);
}

TEST_CASE("values that are no numbers leave a field's figures as the numbers make them", "[fields]") {
  using namespace std::string_view_literals;
  FieldStats stats(true);
  for (auto text : {"10"sv, "nan"sv, "inf"sv, "+30"sv, " 20 "sv}) stats.add(FieldView(text));
  stats.add(FieldView(std::numeric_limits<double>::infinity()));
  CHECK(stats.count() == 3);
  CHECK(std::get<std::int64_t>(stats.sum()) == 60);
  CHECK(std::get<std::int64_t>(stats.min()) == 10);
  CHECK(std::get<std::int64_t>(stats.max()) == 30);
  CHECK(std::abs(stats.percentile(50) - 20) <= 0.2);  // within the sketch's 1%
}

TEST_CASE("the sketch leaves out nan and inf", "[fields]") {
  Sketch sketch;
  sketch.add(std::numeric_limits<double>::quiet_NaN());
  sketch.add(std::numeric_limits<double>::infinity());
  sketch.add(-std::numeric_limits<double>::infinity());
  sketch.add(100);
  CHECK(sketch.size() == 1);
  CHECK(std::abs(sketch.percentile(99) - 100) <= 1);
}
