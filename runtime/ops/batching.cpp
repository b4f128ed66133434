// batch (collect messages into one batch message) and unbatch (split it again).
#include <algorithm>
#include <mutex>

#include "flow/value.hpp"
#include "runtime/ops/builtins.hpp"
#include "runtime/ops/random_duration.hpp"

namespace flow::ops {
namespace {

/// One batch being filled, shared by every worker of the node. Messages held
/// here are in neither the input nor the output: the runtime gets them back
/// through `flush` when `flush_deadline` passes or the input ends.
class Batch final : public Operator {
 public:
  Batch(std::size_t max, const Value* within, std::uint64_t seed) : max_(max) {
    if (within != nullptr) within_.emplace(*within, seed);
  }

  void apply(Chunk& messages, OperatorContext&) override {
    if (messages.empty()) return;
    // Held until the batch fills: a view would keep its whole read block.
    for (auto& message : messages) detach_payloads(message);
    auto arrived = Clock::now();
    Chunk full;
    {
      std::lock_guard lock(mutex_);
      for (auto& message : messages) {
        // Each batch's wait is drawn when it starts (a distribution: a new one each time).
        if (held_.empty()) deadline_ = within_ ? std::optional(arrived + within_->next()) : std::nullopt;
        held_.push_back(std::move(message));
        if (held_.size() >= max_) full.push_back(take_batch());
      }
    }
    messages = std::move(full);
  }

  bool holds_messages() const override { return true; }

  std::optional<Clock::time_point> flush_deadline() const override {
    std::lock_guard lock(mutex_);
    if (held_.empty()) return std::nullopt;
    return deadline_;
  }

  void flush(Chunk& out) override {
    std::lock_guard lock(mutex_);
    if (!held_.empty()) out.push_back(take_batch());
  }

 private:
  // Caller holds mutex_.
  Message take_batch() {
    Message batch;
    batch.source = held_.front().source;
    batch.created = held_.front().created;
    batch.members = std::move(held_);
    // No reserve(max_): a batch of a million would allocate its room up front, full or not.
    held_.clear();
    return batch;
  }

  std::size_t max_;
  std::optional<DurationSource> within_;
  mutable std::mutex mutex_;
  Chunk held_;
  std::optional<Clock::time_point> deadline_;  ///< when the batch being filled must go, if `within` is set
};

class Unbatch final : public Operator {
 public:
  bool expands() const override { return true; }
  void apply(Chunk& messages, OperatorContext&) override {
    bool any_batch = false;
    for (const auto& message : messages) any_batch = any_batch || message.is_batch();
    if (!any_batch) return;  // the common case costs one scan, no copy
    Chunk split;
    for (auto& message : messages) {
      if (!message.is_batch()) {
        split.push_back(std::move(message));
        continue;
      }
      for (auto& member : message.members) split.push_back(std::move(member));
    }
    messages = std::move(split);
  }
};

}  // namespace

std::unique_ptr<Operator> make_batch(const OperatorCall& call) {
  auto within = call.args.find("within");
  auto max = std::max<std::int64_t>(1, required_arg<std::int64_t>(call, "max"));
  return std::make_unique<Batch>(static_cast<std::size_t>(max), within == call.args.end() ? nullptr : &within->second,
                                 call.seed);
}

std::unique_ptr<Operator> make_unbatch(const OperatorCall&) { return std::make_unique<Unbatch>(); }

}  // namespace flow::ops
