// Operators that are not flow's own (issue 30, item 8): a program's (these,
// registered here) or a plugin's. They may give out messages they made
// themselves or keep some from one call to the next without a word; the
// runtime counts both from the chunk, and under a memory limit a node with
// such an operator takes no more input than the limit leaves room for.
#include <catch2/catch.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "flow/arguments.hpp"
#include "support.hpp"

using namespace flow;
using namespace flow::test;

namespace {

/// How many messages each call of `fan` was given.
struct Calls {
  std::mutex mutex;
  std::vector<std::size_t> sizes;
};

/// fan(copies, size): each message becomes `copies` new ones of `size` bytes, reported nowhere.
class Fan final : public Operator {
 public:
  Fan(std::int64_t copies, std::uint64_t size, std::shared_ptr<Calls> calls)
      : copies_(copies), size_(size), calls_(std::move(calls)) {}
  void apply(Chunk& messages, OperatorContext&) override {
    {
      std::lock_guard lock(calls_->mutex);
      calls_->sizes.push_back(messages.size());
    }
    Chunk made;
    for (const auto& message : messages) {
      for (std::int64_t i = 0; i < copies_; ++i) {
        Message copy;
        copy.source = message.source;
        copy.created = message.created;
        copy.payload = std::string(size_, 'x');
        made.push_back(std::move(copy));
      }
    }
    messages = std::move(made);
  }

 private:
  std::int64_t copies_;
  std::uint64_t size_;
  std::shared_ptr<Calls> calls_;
};

/// pairs(): keeps every other message back and gives it out with the next
/// one, reporting nothing; what it holds at the end it never gives out.
class Pairs final : public Operator {
 public:
  void apply(Chunk& messages, OperatorContext&) override {
    std::lock_guard lock(mutex_);
    Chunk out;
    for (auto& message : messages) {
      if (!held_) {
        held_ = std::move(message);
        continue;
      }
      out.push_back(std::move(*held_));
      held_.reset();
      out.push_back(std::move(message));
    }
    messages = std::move(out);
  }

 private:
  std::mutex mutex_;
  std::optional<Message> held_;
};

OperatorRegistry registry_with(const std::shared_ptr<Calls>& calls) {
  auto registry = test_registry();
  OperatorSpec fan;
  fan.name = "fan";
  fan.make = [calls](const OperatorCall& call) {
    return std::make_unique<Fan>(required_arg<std::int64_t>(call, "copies"),
                                 required_arg<Size>(call, "size").bytes, calls);
  };
  registry.add(std::move(fan));
  OperatorSpec pairs;
  pairs.name = "pairs";
  pairs.make = [](const OperatorCall&) { return std::make_unique<Pairs>(); };
  registry.add(std::move(pairs));
  return registry;
}

// A sanitizer's operator new comes first, and the library's guard (running.cpp) then counts nothing.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kGuarded = false;
#else
constexpr bool kGuarded = true;
#endif

OperatorCall generate(std::int64_t count, std::uint64_t size) {
  return call("generate", {{"count", count}, {"size", Size{size}}});
}

// What check_invariants checks, but flow plan's bound: the planner cannot
// know what an operator that declares no plan makes or keeps.
void check_balance(const RunMetrics& metrics) {
  for (const auto& edge : metrics.edges) CHECK(edge.in == edge.out + edge.dropped);
  const auto& b = source_balance(metrics, "s");
  CHECK(b.produced == b.delivered + b.dropped + b.filtered + b.errors);
}

OperatorCall fan(std::int64_t copies, std::uint64_t size) {
  return call("fan", {{"copies", copies}, {"size", Size{size}}});
}

}  // namespace

TEST_CASE("messages an operator makes of its own are counted as produced", "[runtime]") {
  auto calls = std::make_shared<Calls>();
  auto registry = registry_with(calls);
  PipelineBuilder b;
  auto s = b.source("s", generate(100, 8));
  auto x = b.stage("x", {fan(3, 8)});
  auto k = b.sink("k", {call("drain")});
  b.edge(s, x);
  b.edge(x, k);
  RunMetrics metrics = run_guarded(b.get(), registry);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_balance(metrics);
  // Each message became three: two more than the source made.
  CHECK(source_balance(metrics, "s").produced == 300);
  CHECK(sink_metrics(metrics, "k").delivered == 300);
  CHECK(node_metrics(metrics, "x").out == 300);
  CHECK(metrics.peak_payload_bytes >= 8);
}

TEST_CASE(
    "a message an operator keeps from one call to the next is counted once, and filtered if never given out",
    "[runtime]") {
  auto registry = registry_with(std::make_shared<Calls>());
  PipelineBuilder b;
  auto s = b.source("s", generate(101, 8));
  auto x = b.stage("x", {call("pairs")});
  auto k = b.sink("k", {call("drain")});
  b.edge(s, x);
  b.edge(x, k);
  RunMetrics metrics = run_guarded(b.get(), registry);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_balance(metrics);
  // 50 pairs go out; the 101st is still held when the input ends, and goes with the operator.
  const auto& balance = source_balance(metrics, "s");
  CHECK(balance.produced == 101);
  CHECK(sink_metrics(metrics, "k").delivered == 100);
  CHECK(balance.filtered == 1);
  CHECK(node_metrics(metrics, "x").filtered == 1);
}

TEST_CASE(
    "under a memory limit a node whose operator makes messages takes no more than the limit leaves room for",
    "[runtime]") {
  // Each message becomes 10 of 1 MB. Taken all at once, the 10 would make
  // 100 MB in one call; with 55 MB the node takes one message while it does
  // not know what a message becomes, then no more than the room left over
  // 10 MB: what it made so far is on the edge of 10 (and in the sink's hand),
  // at most 20 MB, so it takes at least 3 and never more than 5.
  auto calls = std::make_shared<Calls>();
  auto registry = registry_with(calls);
  PipelineBuilder b;
  auto s = b.source("s", generate(10, 1));
  auto x = b.stage("x", {fan(10, 1'000'000)});
  auto k = b.sink("k", {call("drain")});
  b.edge(s, x, 10);
  b.edge(x, k, 10);
  RunOptions options;
  options.memory_limit = 55'000'000;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  INFO(metrics.error.value_or(""));
  REQUIRE(metrics.status == RunStatus::Ok);
  check_balance(metrics);
  CHECK(sink_metrics(metrics, "k").delivered == 100);
  CHECK(metrics.peak_payload_bytes <= 55'000'000);
  std::lock_guard lock(calls->mutex);
  REQUIRE_FALSE(calls->sizes.empty());
  CHECK(calls->sizes.front() == 1);
  std::size_t taken = 0;
  for (auto size : calls->sizes) {
    CHECK(size <= 5);
    taken += size;
  }
  CHECK(taken == 10);
}

TEST_CASE("under a memory limit an operator's call is stopped when what it allocates would pass the limit",
          "[runtime]") {
  // One message becoming 100 of 1 MB cannot fit in 50 MB: the call is refused
  // part way, naming the node and the operator, before it spends the rest.
  auto registry = registry_with(std::make_shared<Calls>());
  PipelineBuilder b;
  auto s = b.source("s", generate(1, 1));
  auto x = b.stage("x", {fan(100, 1'000'000)});
  auto k = b.sink("k", {call("drain")});
  b.edge(s, x);
  b.edge(x, k);
  RunOptions options;
  options.memory_limit = 50'000'000;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Failed);
  CHECK_THAT(metrics.error.value_or(""), Catch::StartsWith("memory limit passed: stage x (operator fan)"));
  if (kGuarded) CHECK(metrics.peak_payload_bytes <= 50'000'000);
}
