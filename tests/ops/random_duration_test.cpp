// DurationSource (issue 10, items 1 and 2): a constant stays constant; a
// distribution draws from the operator's own seeded stream, the same seed the
// same durations, and over many draws its mean and quantiles are the shape's.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/ops/random_duration.hpp"

using namespace flow;
using flow::ops::DurationSource;
using Shape = Distribution::Shape;
using std::chrono::milliseconds;

namespace {

Value distribution(Shape shape, milliseconds first, milliseconds second = milliseconds(0)) {
  return Value{Distribution{shape, Duration{first}, Duration{second}}};
}

/// `n` draws, in seconds, sorted.
std::vector<double> draws(const Value& written, std::uint64_t seed, std::size_t n = 200000) {
  DurationSource source(written, seed);
  std::vector<double> out(n);
  for (auto& s : out) s = std::chrono::duration<double>(source.next()).count();
  std::sort(out.begin(), out.end());
  return out;
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double s : v) sum += s;
  return sum / static_cast<double>(v.size());
}

double quantile(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
}

}  // namespace

TEST_CASE("a constant duration is drawn as itself", "[ops][random]") {
  DurationSource source(Value{Duration{milliseconds(7)}}, 42);
  for (int i = 0; i < 5; ++i) CHECK(source.next() == milliseconds(7));
}

TEST_CASE("the same seed draws the same durations, another seed others", "[ops][random]") {
  auto written = distribution(Shape::Exponential, milliseconds(10));
  DurationSource a(written, 7), b(written, 7), c(written, 8);
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    auto x = a.next();
    CHECK(x == b.next());
    differ += x != c.next() ? 1 : 0;
  }
  CHECK(differ > 90);
}

TEST_CASE("exponential(10ms): mean 10 ms, median 10 ms x ln 2, p99 10 ms x ln 100", "[ops][random]") {
  auto v = draws(distribution(Shape::Exponential, milliseconds(10)), 1);
  CHECK(mean_of(v) == Approx(0.010).epsilon(0.01));
  CHECK(quantile(v, 0.5) == Approx(0.010 * std::log(2.0)).epsilon(0.02));
  CHECK(quantile(v, 0.99) == Approx(0.010 * std::log(100.0)).epsilon(0.03));
}

TEST_CASE("uniform(2ms, 6ms): every draw within, mean 4 ms", "[ops][random]") {
  auto v = draws(distribution(Shape::Uniform, milliseconds(2), milliseconds(6)), 2);
  CHECK(v.front() >= 0.002);
  CHECK(v.back() < 0.006);
  CHECK(mean_of(v) == Approx(0.004).epsilon(0.01));
  CHECK(quantile(v, 0.25) == Approx(0.003).epsilon(0.02));
}

TEST_CASE("normal(10ms, 2ms): mean 10 ms, sd 2 ms; truncated at 0 it never goes below", "[ops][random]") {
  auto v = draws(distribution(Shape::Normal, milliseconds(10), milliseconds(2)), 3);
  CHECK(mean_of(v) == Approx(0.010).epsilon(0.01));
  CHECK(quantile(v, 0.8413) == Approx(0.012).epsilon(0.02));  // one sd above the mean
  auto wide = distribution(Shape::Normal, milliseconds(1), milliseconds(10));
  auto w = draws(wide, 4);
  CHECK(w.front() >= 0);
  // The truncated normal's mean, as flow plan computes it (about 8.4 ms here).
  CHECK(mean_of(w) == Approx(std::get<Distribution>(wide).mean_seconds()).epsilon(0.02));
}

TEST_CASE("lognormal(p50=10ms, p99=80ms) has that median and that 99th percentile", "[ops][random]") {
  auto written = distribution(Shape::LogNormal, milliseconds(10), milliseconds(80));
  auto v = draws(written, 5);
  CHECK(quantile(v, 0.5) == Approx(0.010).epsilon(0.02));
  CHECK(quantile(v, 0.99) == Approx(0.080).epsilon(0.05));
  CHECK(mean_of(v) == Approx(std::get<Distribution>(written).mean_seconds()).epsilon(0.03));
}
