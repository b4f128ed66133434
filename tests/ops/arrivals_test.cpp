// generate(rate=R, arrivals=poisson) (issue 10, item 1): exponential gaps of
// mean 1/R from the operator's seeded stream, each message stamped with its
// own arrival time, and open loop: a late pull finds every arrival since.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "ops_test_support.hpp"

using namespace flow;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<SourceOperator> poisson(double per_second, std::uint64_t seed, std::int64_t count) {
  auto call = flow::test::resolved_call(
      "generate", {{"count", count}, {"rate", Rate{per_second}}, {"arrivals", Identifier{"poisson"}}});
  call.seed = seed;
  return builtin_operators().find("generate")->make_source(call);
}

/// Every arrival time, pulling every `step` from t0 until the source is exhausted.
std::vector<Clock::time_point> arrivals(SourceOperator& source, Clock::duration step) {
  std::vector<Clock::time_point> times;
  auto now = Clock::time_point{} + 1s;
  for (;;) {
    Chunk chunk;
    auto pulled = source.pull(chunk, 1000, now);
    for (const auto& message : chunk) times.push_back(message.created);
    if (pulled.exhausted) return times;
    now += step;
  }
}

}  // namespace

TEST_CASE("poisson arrivals have exponential gaps of mean 1/rate", "[ops][random]") {
  auto source = poisson(1000, 1, 200000);
  auto times = arrivals(*source, 1ms);
  REQUIRE(times.size() == 200000);
  std::vector<double> gaps;
  for (std::size_t i = 1; i < times.size(); ++i) gaps.push_back(std::chrono::duration<double>(times[i] - times[i - 1]).count());
  double mean = 0, square = 0;
  std::size_t under_mean = 0;
  for (double g : gaps) {
    mean += g;
    square += g * g;
    under_mean += g < 0.001 ? 1 : 0;
  }
  mean /= static_cast<double>(gaps.size());
  double sd = std::sqrt(square / static_cast<double>(gaps.size()) - mean * mean);
  CHECK(mean == Approx(0.001).epsilon(0.01));
  CHECK(sd == Approx(0.001).epsilon(0.02));  // an exponential's sd is its mean; even spacing's is 0
  // P(gap < mean) = 1 - 1/e.
  CHECK(static_cast<double>(under_mean) / static_cast<double>(gaps.size()) == Approx(1 - std::exp(-1.0)).epsilon(0.01));
}

TEST_CASE("poisson arrivals keep their times however late the pull: open loop", "[ops][random]") {
  auto early = arrivals(*poisson(1000, 9, 5000), 100us);
  auto late = arrivals(*poisson(1000, 9, 5000), 50ms);  // a pull every 50 ms finds ~50 arrivals waiting
  CHECK(early == late);
  auto other = arrivals(*poisson(1000, 10, 5000), 100us);
  CHECK(other != early);
}

TEST_CASE("a pull before the next arrival says when it is due", "[ops][random]") {
  auto source = poisson(10, 3, 5);
  Chunk chunk;
  auto start = Clock::time_point{} + 1s;
  auto pulled = source->pull(chunk, 10, start);
  CHECK(chunk.empty());
  REQUIRE(pulled.next_at);
  CHECK(*pulled.next_at > start);
  auto at_due = source->pull(chunk, 10, *pulled.next_at);
  CHECK(chunk.size() == 1);
  CHECK(chunk[0].created == *pulled.next_at);
  CHECK_FALSE(at_due.exhausted);
}

TEST_CASE("generate's every may be random: each pause between bursts is a new draw", "[ops][random]") {
  auto call = flow::test::resolved_call(
      "generate", {{"count", std::int64_t{2000}},
                   {"burst", std::int64_t{1}},
                   {"every", Value{Distribution{Distribution::Shape::Uniform, Duration{10ms}, Duration{30ms}}}}});
  call.seed = 5;
  auto source = builtin_operators().find("generate")->make_source(call);
  auto now = Clock::time_point{} + 1s;
  double total = 0, shortest = 1, longest = 0;
  for (int burst = 0; burst < 1000; ++burst) {
    Chunk chunk;
    REQUIRE(source->pull(chunk, 10, now).next_at == std::nullopt);
    REQUIRE(chunk.size() == 1);
    Chunk none;
    auto wait = source->pull(none, 10, now);
    REQUIRE(wait.next_at);
    double pause = std::chrono::duration<double>(*wait.next_at - now).count();
    total += pause;
    shortest = std::min(shortest, pause);
    longest = std::max(longest, pause);
    now = *wait.next_at;
  }
  CHECK(total / 1000 == Approx(0.020).epsilon(0.03));
  CHECK(shortest >= 0.010);
  CHECK(shortest < 0.011);
  CHECK(longest <= 0.030);
  CHECK(longest > 0.029);
}

TEST_CASE("batch's within may be random: each batch waits its own draw", "[ops][random]") {
  auto call = flow::test::resolved_call(
      "batch", {{"max", std::int64_t{100}},
                {"within", Value{Distribution{Distribution::Shape::Uniform, Duration{1h}, Duration{2h}}}}});
  call.seed = 6;
  auto batch = builtin_operators().find("batch")->make(call);
  std::set<Clock::duration::rep> waits;
  flow::test::RecordingContext context;
  for (int i = 0; i < 20; ++i) {
    auto before = Clock::now();
    Chunk one(1);
    batch->apply(one, context);
    auto deadline = batch->flush_deadline();
    REQUIRE(deadline);
    CHECK(*deadline - before >= 1h);
    CHECK(*deadline - Clock::now() <= 2h);
    waits.insert((*deadline - before).count() / 1000000);  // whole milliseconds
    Chunk flushed;
    batch->flush(flushed);
  }
  CHECK(waits.size() > 15);
}
