// Sources fed from outside the pipeline (SourceContext): they wait to be woken
// instead of being polled, drain what they took when the run is stopped,
// refuse at the door under a drop policy with the refusal counted at their
// edge, and report counts of their own.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <deque>
#include <thread>

#include "support.hpp"

using namespace flow;
using namespace flow::test;
using std::chrono::milliseconds;

namespace {

/// A feeder thread hands `count` messages to the source, then nothing more;
/// stop() adds `tail` messages (what a listener had taken when it was
/// stopped), which must still be delivered.
struct Fed {
  std::mutex mutex;
  std::deque<std::string> pending;
  std::uint64_t empty_pulls = 0, wakes = 0;
  std::optional<std::size_t> room_seen;
  bool stopped = false;
};

class FedSource final : public SourceOperator {
 public:
  FedSource(std::shared_ptr<Fed> fed, int count, int tail, int refuse)
      : fed_(std::move(fed)), count_(count), tail_(tail), refuse_(refuse) {}
  ~FedSource() override {
    if (feeder_.joinable()) feeder_.join();
  }

  void attach(SourceContext& context) override {
    context_ = &context;
    feeder_ = std::thread([this] {
      for (int i = 0; i < count_; ++i) add(std::to_string(i));
    });
  }

  SourcePull pull(Chunk& out, std::size_t max, Clock::time_point) override {
    std::lock_guard lock(fed_->mutex);
    if (!fed_->room_seen) {
      fed_->room_seen = context_->room();
      context_->refused(static_cast<std::size_t>(refuse_));
    }
    while (!fed_->pending.empty() && out.size() < max) {
      out.emplace_back().payload = std::move(fed_->pending.front());
      fed_->pending.pop_front();
    }
    if (out.empty()) ++fed_->empty_pulls;
    return {fed_->stopped && fed_->pending.empty(), std::nullopt, true};
  }

  bool stop() override {
    if (feeder_.joinable()) feeder_.join();
    std::lock_guard lock(fed_->mutex);
    for (int i = 0; i < tail_; ++i) fed_->pending.push_back(std::to_string(count_ + i));
    fed_->stopped = true;
    context_->wake();
    return true;
  }

  std::vector<std::pair<std::string, std::uint64_t>> counts() const override {
    std::lock_guard lock(fed_->mutex);
    return {{"wakes", fed_->wakes}, {"refused", static_cast<std::uint64_t>(refuse_)}};
  }

 private:
  void add(std::string payload) {
    {
      std::lock_guard lock(fed_->mutex);
      fed_->pending.push_back(std::move(payload));
      ++fed_->wakes;
    }
    context_->wake();
  }

  std::shared_ptr<Fed> fed_;
  int count_, tail_, refuse_;
  SourceContext* context_ = nullptr;
  std::thread feeder_;
};

OperatorRegistry fed_registry(const std::shared_ptr<Fed>& fed, int count, int tail, int refuse) {
  auto registry = test_registry();
  OperatorSpec spec;
  spec.name = "fed";
  spec.role = Role::Source;
  spec.make_source = [=](const OperatorCall&) {
    return std::make_unique<FedSource>(fed, count, tail, refuse);
  };
  registry.add(spec);
  return registry;
}

RunMetrics run_fed(const std::shared_ptr<Fed>& fed, PipelineBuilder& b, int count, int tail, int refuse) {
  auto registry = fed_registry(fed, count, tail, refuse);
  RunOptions options;
  options.duration = milliseconds(300);
  return run_guarded(b.get(), registry, options);
}

}  // namespace

TEST_CASE("a source fed from outside is woken, not polled, and drains what it took when stopped",
          "[runtime][outside]") {
  auto fed = std::make_shared<Fed>();
  PipelineBuilder b;
  auto s = b.source("s", call("fed"));
  auto k = b.sink("k", {call("drain")});
  b.edge(s, k, 16);
  const int count = 50, tail = 7;
  RunMetrics metrics = run_fed(fed, b, count, tail, 0);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  // Every message handed over, and those taken while it was being stopped.
  CHECK(sink_metrics(metrics, "k").delivered == count + tail);
  // 300 ms with nothing to read: a 1 ms retry would have pulled ~300 times in vain.
  CHECK(fed->empty_pulls <= fed->wakes + 2);
  // Seen during a pull, after the runtime reserved its own room on the `block` edge.
  REQUIRE(fed->room_seen.has_value());
  CHECK(*fed->room_seen <= 16);
}

TEST_CASE("a refusal at the door counts as produced and dropped at the source's edge", "[runtime][outside]") {
  auto fed = std::make_shared<Fed>();
  PipelineBuilder b;
  auto s = b.source("s", call("fed"));
  auto k = b.sink("k", {call("drain")});
  b.edge(s, k, 4, Overflow::DropNewest);
  const int count = 3, refuse = 5;
  RunMetrics metrics = run_fed(fed, b, count, 0, refuse);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  const auto& edge = edge_metrics(metrics, "s", "k");
  CHECK(edge.dropped == refuse);
  CHECK(edge.in == count + refuse);
  CHECK(fed->room_seen == std::optional<std::size_t>(4));  // a drop edge reserves nothing: all of it is free
  CHECK(source_balance(metrics, "s").dropped == refuse);
  CHECK(source_balance(metrics, "s").delivered == count);
  const auto& counts = node_metrics(metrics, "s").counts;
  REQUIRE(counts.size() == 2);
  CHECK(counts[1] == std::pair<std::string, std::uint64_t>("refused", refuse));
}
