#include "ops_test_support.hpp"

#include <algorithm>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using flow::Chunk;
using flow::Clock;
using flow::test::chunk_of;
using flow::test::make_operator;

namespace {

const Clock::time_point t0 = Clock::time_point{} + 1h;

}  // namespace

TEST_CASE("delay makes each message wait its duration without touching it", "[ops]") {
  auto delay = make_operator("delay", {{"duration", flow::Duration{10ms}}});
  CHECK(delay->cost() == flow::Operator::Cost::Wait);
  Chunk messages = chunk_of({"a", "b", "c"});
  CHECK(delay->ready_at(messages, t0) == t0 + 30ms);
  CHECK(delay->ready_at(chunk_of({"a"}), t0 + 5ms) == t0 + 15ms);
  flow::test::RecordingContext context;
  delay->apply(messages, context);
  CHECK(flow::test::payloads(messages) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("spin holds the thread for its duration per message", "[ops]") {
  auto spin = make_operator("spin", {{"duration", flow::Duration{2ms}}});
  CHECK(spin->cost() == flow::Operator::Cost::Cpu);
  CHECK_FALSE(spin->ready_at(chunk_of({"a"}), t0).has_value());
  Chunk messages = chunk_of({"a", "b"});
  flow::test::RecordingContext context;
  auto started = Clock::now();
  spin->apply(messages, context);
  CHECK(Clock::now() - started >= 4ms);
  CHECK(messages.size() == 2);
}

namespace {
/// A simulated clock that stands where it was made: the thread's clock in a ClockScope.
struct StandingTime final : flow::SimulatedTime {
  using SimulatedTime::SimulatedTime;
};
}  // namespace

TEST_CASE("under a simulated clock spin waits on the timer for its duration per message", "[ops]") {
  StandingTime time(t0);
  flow::ClockScope scope(&time);
  auto spin = make_operator("spin", {{"duration", flow::Duration{2ms}}});
  CHECK(spin->cost() == flow::Operator::Cost::Wait);
  CHECK(spin->ready_at(chunk_of({"a", "b"}), t0) == t0 + 4ms);
  Chunk messages = chunk_of({"a"});
  flow::test::RecordingContext context;
  spin->apply(messages, context);  // returns at once: the clock does not move
  CHECK(Clock::now() == t0);
  CHECK(messages.size() == 1);
}

TEST_CASE("throttle spaces messages one interval apart", "[ops]") {
  auto throttle = make_operator("throttle", {{"rate", flow::Rate{100}}});
  CHECK(throttle->cost() == flow::Operator::Cost::Wait);
  CHECK_FALSE(throttle->ready_at(chunk_of({"a"}), t0).has_value());  // the first goes at once
  CHECK(throttle->ready_at(chunk_of({"b"}), t0) == t0 + 10ms);
  // A chunk goes when its last message's slot comes: slots 2, 3 and 4.
  CHECK(throttle->ready_at(chunk_of({"c", "d", "e"}), t0 + 1ms) == t0 + 40ms);
  CHECK(throttle->ready_at(chunk_of({"f"}), t0 + 45ms) == t0 + 50ms);
}

TEST_CASE("an idle throttle saves up no credit for a burst", "[ops]") {
  auto throttle = make_operator("throttle", {{"rate", flow::Rate{100}}});
  CHECK_FALSE(throttle->ready_at(chunk_of({"a"}), t0).has_value());
  CHECK_FALSE(throttle->ready_at(chunk_of({"b"}), t0 + 1s).has_value());
  CHECK(throttle->ready_at(chunk_of({"c"}), t0 + 1s) == t0 + 1s + 10ms);
}

TEST_CASE("throttle gives every worker its own slot", "[ops]") {
  auto throttle = make_operator("throttle", {{"rate", flow::Rate{1000}}});
  constexpr int threads = 4;
  constexpr int per_thread = 250;
  std::vector<std::vector<Clock::time_point>> seen(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) seen[t].push_back(throttle->ready_at(chunk_of({"x"}), t0).value_or(t0));
    });
  }
  for (auto& worker : workers) worker.join();
  std::set<Clock::time_point> slots;
  for (const auto& times : seen) slots.insert(times.begin(), times.end());
  CHECK(slots.size() == threads * per_thread);
  CHECK(*slots.begin() == t0);
  CHECK(*slots.rbegin() == t0 + 999ms);
}
