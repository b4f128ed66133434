// The test operators of test_registry(): registered with OperatorRegistry::add
// exactly as a user's own C++ operator would be.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "support.hpp"

namespace flow::test {
namespace {

std::int64_t int_arg(const OperatorCall& call, const std::string& name, std::int64_t fallback) {
  auto found = call.args.find(name);
  if (found == call.args.end()) return fallback;
  return std::get<std::int64_t>(found->second);
}

/// Records into the recorder, once every holder of the message let go,
/// whether the message was lost (numbers(receipts=1)).
class RecordingReceipt final : public Receipt {
 public:
  RecordingReceipt(long number, std::shared_ptr<Recorder> recorder)
      : number_(number), recorder_(std::move(recorder)) {}

 protected:
  void done() override {
    {
      std::lock_guard lock(recorder_->mutex);
      (lost() ? recorder_->receipts_lost : recorder_->receipts_whole).insert(number_);
    }
    delete this;
  }

 private:
  long number_;
  std::shared_ptr<Recorder> recorder_;
};

class Numbers final : public SourceOperator {
 public:
  Numbers(const OperatorCall& call, std::shared_ptr<Recorder> recorder)
      : recorder_(int_arg(call, "receipts", 0) == 1 ? std::move(recorder) : nullptr),
        count_(int_arg(call, "count", 100)),
        size_(static_cast<std::size_t>(int_arg(call, "size", 0))),
        burst_(int_arg(call, "burst", 0)),
        pause_(std::chrono::milliseconds(int_arg(call, "pause_ms", 0))),
        backdate_(std::chrono::milliseconds(int_arg(call, "backdate_ms", 0))) {}

  SourcePull pull(Chunk& out, std::size_t max, Clock::time_point now) override {
    if (count_ >= 0 && next_ >= count_) return {true, std::nullopt};
    if (now < resume_) return {false, resume_};
    for (std::size_t i = 0; i < max && (count_ < 0 || next_ < count_); ++i) {
      auto number = next_++;
      std::string payload = std::to_string(number);
      if (payload.size() < size_) payload.resize(size_, '.');
      auto& message = out.emplace_back();
      message.payload = std::move(payload);
      if (recorder_) message.receipt = ReceiptRef(new RecordingReceipt(static_cast<long>(number), recorder_));
      // A source that knows when a message arrived stamps it (Poisson arrivals do).
      if (backdate_.count() > 0) message.created = now - backdate_;
      if (burst_ > 0 && next_ % burst_ == 0) {
        resume_ = now + pause_;
        break;
      }
    }
    return {count_ >= 0 && next_ >= count_, std::nullopt};
  }

  std::optional<std::uint64_t> expected_count() const override {
    if (count_ < 0) return std::nullopt;
    return static_cast<std::uint64_t>(count_);
  }

 private:
  std::shared_ptr<Recorder> recorder_;
  std::int64_t count_;
  std::size_t size_;
  std::int64_t burst_;
  std::chrono::milliseconds pause_;
  std::chrono::milliseconds backdate_;
  std::int64_t next_ = 0;
  Clock::time_point resume_{};
};

class Pass final : public Operator {
 public:
  void apply(Chunk&, OperatorContext&) override {}
};

class FilterMod final : public Operator {
 public:
  explicit FilterMod(std::int64_t k) : k_(k) {}
  void apply(Chunk& messages, OperatorContext& context) override {
    Chunk kept;
    for (auto& message : messages) {
      if (!message.is_batch() && number_of(message.payload) % k_ == 0) {
        context.filtered(message);
      } else {
        kept.push_back(std::move(message));
      }
    }
    messages = std::move(kept);
  }

 private:
  std::int64_t k_;
};

class ErrorMod final : public Operator {
 public:
  explicit ErrorMod(std::int64_t k) : k_(k) {}
  void apply(Chunk& messages, OperatorContext&) override {
    for (const auto& message : messages) {
      if (!message.is_batch() && number_of(message.payload) % k_ == 0) {
        throw std::runtime_error(fmt::format("bad message {}", message.payload.view()));
      }
    }
  }

 private:
  std::int64_t k_;
};

/// Takes the messages divisible by k out of the chunk and reports each one
/// failed (OperatorContext::failed), the way an HTTP call out of retries does.
class FailMod final : public Operator {
 public:
  explicit FailMod(std::int64_t k) : k_(k) {}
  void apply(Chunk& messages, OperatorContext& context) override {
    Chunk kept;
    for (auto& message : messages) {
      if (!message.is_batch() && number_of(message.payload) % k_ == 0) {
        std::string cause = fmt::format("refused {}", message.payload.view());
        context.failed(std::move(message), cause);
      } else {
        kept.push_back(std::move(message));
      }
    }
    messages = std::move(kept);
  }

 private:
  std::int64_t k_;
};

/// Like the built-in spin: under the virtual clock it waits its time on the timer.
class SpinUs final : public Operator {
 public:
  SpinUs(std::int64_t us, std::shared_ptr<Recorder> recorder)
      : us_(us), recorder_(std::move(recorder)), simulated_(Clock::simulated()) {}
  void apply(Chunk& messages, OperatorContext&) override {
    if (recorder_) {
      std::lock_guard lock(recorder_->mutex);
      recorder_->spin_units.push_back(messages.size());
    }
    if (simulated_) return;
    auto until = Clock::now() + std::chrono::microseconds(us_ * static_cast<std::int64_t>(messages.size()));
    while (Clock::now() < until) {
    }
  }
  std::optional<Clock::time_point> ready_at(const Chunk& messages, Clock::time_point now) override {
    if (!simulated_) return std::nullopt;
    return now + std::chrono::microseconds(us_ * static_cast<std::int64_t>(messages.size()));
  }
  Cost cost() const override { return simulated_ ? Cost::Wait : Cost::Cpu; }

 private:
  std::int64_t us_;
  std::shared_ptr<Recorder> recorder_;
  const bool simulated_;
};

/// Waits on the runtime's timer: `us` per message, or (number % 5) × `us` when `varying`.
class WaitUs final : public Operator {
 public:
  WaitUs(std::int64_t us, bool varying) : us_(us), varying_(varying) {}
  void apply(Chunk&, OperatorContext&) override {}
  std::optional<Clock::time_point> ready_at(const Chunk& messages, Clock::time_point now) override {
    std::int64_t total = 0;
    for (const auto& message : messages) total += varying_ ? (number_of(message.payload) % 5) * us_ : us_;
    return now + std::chrono::microseconds(total);
  }
  Cost cost() const override { return Cost::Wait; }

 private:
  std::int64_t us_;
  bool varying_;
};

class Record final : public Operator {
 public:
  explicit Record(std::shared_ptr<Recorder> recorder) : recorder_(std::move(recorder)) {}
  void apply(Chunk& messages, OperatorContext&) override {
    if (!recorder_) return;
    std::lock_guard lock(recorder_->mutex);
    for (const auto& message : messages) {
      recorder_->batch_sizes.push_back(message.is_batch() ? message.members.size() : 1);
      if (!message.is_batch()) recorder_->payloads.push_back(message.payload.str());
      for (const auto& member : message.members) recorder_->payloads.push_back(member.payload.str());
    }
  }

 private:
  std::shared_ptr<Recorder> recorder_;
};

/// A sink's end (sink=K): delivers everything and, given a recorder, notes
/// per source whether numbers arrive in the order they were made.
class Drain final : public Operator {
 public:
  Drain(std::int64_t sink, std::shared_ptr<Recorder> recorder)
      : sink_(sink), recorder_(std::move(recorder)) {}
  void apply(Chunk& messages, OperatorContext&) override {
    if (!recorder_ || sink_ < 0) return;
    std::lock_guard lock(recorder_->mutex);
    for (const auto& message : messages) note(message);
  }

 private:
  void note(const Message& message) {
    for (const auto& member : message.members) note(member);
    if (message.is_batch()) return;
    auto key = std::make_pair(sink_, message.source);
    auto number = number_of(message.payload);
    auto [last, first] = recorder_->last_number.try_emplace(key, number);
    if (first) return;
    if (number <= last->second) recorder_->out_of_order.insert(key);
    last->second = number;
  }

  std::int64_t sink_;
  std::shared_ptr<Recorder> recorder_;
};

/// A sink whose stream takes `k` messages in all, then fails: BrokenPipe when
/// `pipe` is 1, else StreamError. The chunk that crosses `k` is written in part.
class StreamFail final : public Operator {
 public:
  StreamFail(std::int64_t k, bool pipe) : left_(k), pipe_(pipe) {}
  void apply(Chunk& messages, OperatorContext&) override {
    std::lock_guard lock(mutex_);
    auto taken = static_cast<std::int64_t>(messages.size());
    if (taken <= left_) {
      left_ -= taken;
      return;
    }
    auto written = static_cast<std::size_t>(std::max<std::int64_t>(left_, 0));
    left_ = 0;
    if (pipe_) throw BrokenPipe("cannot write to the test stream: Broken pipe", written);
    throw StreamError("cannot write to the test stream: No space left on device", written);
  }

 private:
  std::mutex mutex_;
  std::int64_t left_;
  bool pipe_;
};

/// A sink that delivers everything, then fails when its input ends.
class FinishFail final : public Operator {
 public:
  void apply(Chunk&, OperatorContext&) override {}
  void finish() override { throw std::runtime_error("cannot close the test stream: Input/output error"); }
};

OperatorSpec stage_spec(const std::string& name,
                        std::function<std::unique_ptr<Operator>(const OperatorCall&)> make,
                        Role role = Role::Stage) {
  OperatorSpec spec;
  spec.name = name;
  spec.role = role;
  spec.make = std::move(make);
  return spec;
}

}  // namespace

long number_of(std::string_view payload) {
  long number = 0;
  std::from_chars(payload.data(), payload.data() + payload.size(), number);
  return number;
}

OperatorRegistry test_registry(std::shared_ptr<Recorder> recorder) {
  OperatorRegistry registry;
  register_builtin_operators(registry);
  OperatorSpec numbers;
  numbers.name = "numbers";
  numbers.role = Role::Source;
  numbers.make_source = [recorder](const OperatorCall& c) { return std::make_unique<Numbers>(c, recorder); };
  registry.add(numbers);
  registry.add(stage_spec("pass", [](const OperatorCall&) { return std::make_unique<Pass>(); }));
  registry.add(stage_spec(
      "filter_mod", [](const OperatorCall& c) { return std::make_unique<FilterMod>(int_arg(c, "k", 2)); }));
  registry.add(stage_spec(
      "fail_mod", [](const OperatorCall& c) { return std::make_unique<FailMod>(int_arg(c, "k", 2)); }));
  registry.add(stage_spec(
      "error_mod", [](const OperatorCall& c) { return std::make_unique<ErrorMod>(int_arg(c, "k", 2)); }));
  registry.add(stage_spec("spin_us", [recorder](const OperatorCall& c) {
    return std::make_unique<SpinUs>(int_arg(c, "us", 10), recorder);
  }));
  registry.add(stage_spec("wait_us", [](const OperatorCall& c) {
    return std::make_unique<WaitUs>(int_arg(c, "us", 10), false);
  }));
  registry.add(stage_spec("wait_mod", [](const OperatorCall& c) {
    return std::make_unique<WaitUs>(int_arg(c, "us", 10), true);
  }));
  registry.add(stage_spec(
      "record", [recorder](const OperatorCall&) { return std::make_unique<Record>(recorder); }, Role::Sink));
  registry.add(stage_spec(
      "drain",
      [recorder](const OperatorCall& c) { return std::make_unique<Drain>(int_arg(c, "sink", -1), recorder); },
      Role::Sink));
  registry.add(stage_spec(
      "stream_fail",
      [](const OperatorCall& c) {
        return std::make_unique<StreamFail>(int_arg(c, "k", 0), int_arg(c, "pipe", 0) == 1);
      },
      Role::Sink));
  registry.add(stage_spec(
      "finish_fail", [](const OperatorCall&) { return std::make_unique<FinishFail>(); }, Role::Sink));
  add_route_test_ops(registry, recorder);
  return registry;
}

}  // namespace flow::test
