#include "runtime/calls/exec_ops.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/calls/exec_lines.hpp"

namespace flow::calls {
namespace {

using Millis = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr int kDeadInARow = 5;  // children in a row that died answering nothing: give up
constexpr Millis kFirstBackoff{50};
constexpr Millis kStopGrace{1000};

std::string seconds_text(Millis timeout) {
  return fmt::format("{:g}s", static_cast<double>(timeout.count()) / 1000);
}

// Why a message cannot go through a line-mode child, or "".
std::string refusal(const Message& message) {
  if (message.is_batch())
    return fmt::format("exec takes one line per message, not a batch of {}: put unbatch() before it",
                       message.members.size());
  if (message.payload.view().find('\n') != std::string_view::npos)
    return "the payload holds a newline, which would make two lines for the child: use per=message";
  return "";
}

// The idle children of a node: an apply takes one, or starts one when none is
// idle, so there are never more than the node's workers.
class Pool {
 public:
  std::unique_ptr<LineChild> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.empty()) return nullptr;
    auto child = std::move(idle_.back());
    idle_.pop_back();
    return child;
  }
  void give(std::unique_ptr<LineChild> child) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(child));
  }
  std::vector<std::unique_ptr<LineChild>> take_all() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::move(idle_);
  }
  // End of a run that did not finish (a failure, an exception): all at once.
  ~Pool() {
    std::vector<ChildProcess*> processes;
    for (auto& child : idle_) processes.push_back(&child->process());
    stop_all(processes, kStopGrace);
  }
  Pool() = default;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<LineChild>> idle_;
};

/// The end of input for the children of a pool: each closes its input and
/// must exit with status 0 within the timeout.
void finish_pool(Pool& pool, Millis timeout) {
  auto children = pool.take_all();
  // Every child is told at once and waited for under one deadline, so a
  // drain takes one timeout, not one per worker.
  for (auto& child : children) child->close_input();
  auto deadline = SteadyClock::now() + timeout;
  std::string failures;
  for (auto& child : children) {
    auto left = std::max(Millis(0), std::chrono::ceil<Millis>(deadline - SteadyClock::now()));
    auto why = child->finish(left, timeout);
    if (!why.empty()) failures += (failures.empty() ? "" : "; ") + why;
  }
  if (!failures.empty()) throw std::runtime_error(fmt::format("at the end of input, {}", failures));
}

// What one apply has done with its chunk so far; a StreamError puts it back in order.
struct Progress {
  Chunk kept;    // answered, in input order
  Chunk failed;  // reported failed at the end (or counted as errors by a StreamError)
  std::vector<std::string> causes;
  Chunk pending;  // still to go through a child, from `next`
  std::size_t next = 0;

  [[noreturn]] void fail_stream(Chunk& messages, const std::string& why) {
    std::size_t written = kept.size();
    messages = std::move(kept);
    for (auto& message : failed) messages.push_back(std::move(message));
    for (std::size_t i = next; i < pending.size(); ++i) messages.push_back(std::move(pending[i]));
    throw StreamError(why, written);
  }
};

/// exec as a stage, line mode: a pool of children, each input line answered
/// by one output line that becomes the message's payload.
class ExecStage final : public Operator {
 public:
  explicit ExecStage(ExecConfig config) : config_(std::move(config)) {}

  void apply(Chunk& messages, OperatorContext& context) override {
    Progress progress;
    for (auto& message : messages) {
      auto why = refusal(message);
      if (why.empty()) {
        progress.pending.push_back(std::move(message));
      } else {
        progress.failed.push_back(std::move(message));
        progress.causes.push_back(std::move(why));
      }
    }
    std::int64_t resized = 0;
    StopAsked stopping = [&context] { return context.stopping(); };
    while (progress.next < progress.pending.size()) step(progress, messages, resized, stopping);
    messages = std::move(progress.kept);
    context.resized(resized);
    for (std::size_t i = 0; i < progress.failed.size(); ++i)
      context.failed(std::move(progress.failed[i]), progress.causes[i]);
  }

  void finish() override { finish_pool(pool_, config_.timeout); }
  Cost cost() const override { return Cost::Cheap; }
  bool blocks() const override { return true; }
  std::vector<std::pair<std::string, std::uint64_t>> counts() const override {
    return {{"restarts", restarts_.load(std::memory_order_relaxed)}};
  }

 private:
  // One child's go at what is pending: it answers all, or dies, or times out.
  void step(Progress& progress, Chunk& messages, std::int64_t& resized, const StopAsked& stopping) {
    std::unique_ptr<LineChild> child;
    try {
      child = acquire();
    } catch (const SpawnError& error) {
      progress.fail_stream(messages, error.what());
    }
    Lines lines;
    for (std::size_t i = progress.next; i < progress.pending.size(); ++i)
      lines.add(progress.pending[i].payload.view());
    std::vector<std::string> answers;
    answers.reserve(lines.size());
    auto result = child->exchange(lines, answers, config_.timeout, stopping);
    if (result.extra_output)
      progress.fail_stream(messages,
                           fmt::format("the program wrote more than one line for a line it was given "
                                       "(exec's contract: one answer line per input line)"));
    for (std::size_t i = 0; i < answers.size(); ++i) {
      auto& message = progress.pending[progress.next + i];
      resized +=
          static_cast<std::int64_t>(answers[i].size()) - static_cast<std::int64_t>(message.payload.size());
      message.payload = Payload(std::move(answers[i]));
      progress.kept.push_back(std::move(message));
    }
    std::size_t answered = answers.size();
    progress.next += answered;
    if (answered == lines.size()) {
      pool_.give(std::move(child));
      return;
    }
    if (result.stopped) progress.fail_stream(messages, "the run failed while the program worked");
    if (result.timed_out) progress.fail_stream(messages, timeout_text(*child, answered, lines.size()));
    died(progress, messages, *child, std::max(result.written, answered) - answered);
  }

  // The child went away holding `held` lines: they fail; the rest of the
  // chunk goes to a new child, or the run fails (restart=false).
  void died(Progress& progress, Chunk& messages, LineChild& child, std::size_t held) {
    auto why = child.gone(fmt::format(" holding {} line{}{}", held, held == 1 ? "" : "s",
                                      config_.restart ? "" : " (restart=false)"));
    if (!config_.restart) progress.fail_stream(messages, why);
    for (std::size_t i = 0; i < held; ++i) {
      progress.failed.push_back(std::move(progress.pending[progress.next + i]));
      progress.causes.push_back(why);
    }
    progress.next += held;
    int in_a_row = 0;
    if (child.answered() == 0) {
      in_a_row = dead_in_a_row_.fetch_add(1) + 1;
    } else {
      dead_in_a_row_.store(0);
    }
    if (in_a_row >= kDeadInARow) {
      progress.fail_stream(
          messages, fmt::format("gave up after {} children in a row died answering nothing; the last: {}",
                                in_a_row, why));
    }
    to_restart_.fetch_add(1);
    // A child that dies at once would be restarted in a tight loop: back off.
    if (in_a_row > 0) std::this_thread::sleep_for(kFirstBackoff * (1 << (in_a_row - 1)));
  }

  std::unique_ptr<LineChild> acquire() {
    if (auto child = pool_.take()) return child;
    auto child = std::make_unique<LineChild>(config_.setup, config_.label);
    // A replacement for one that died counts as a restart.
    for (auto due = to_restart_.load(); due > 0;) {
      if (to_restart_.compare_exchange_weak(due, due - 1)) {
        restarts_.fetch_add(1, std::memory_order_relaxed);
        break;
      }
    }
    return child;
  }

  std::string timeout_text(const LineChild& child, std::size_t answered, std::size_t lines) const {
    return fmt::format(
        "no answer from {} for {}: {} of {} answers came. A program that buffers its output in a pipe "
        "answers only when its buffer fills: run it unbuffered (sed -u, jq --unbuffered, awk with fflush(), "
        "grep --line-buffered, python3 -u; flow sets PYTHONUNBUFFERED=1), or raise timeout=",
        child.program(), seconds_text(config_.timeout), answered, lines);
  }

  ExecConfig config_;
  Pool pool_;
  std::atomic<std::uint64_t> restarts_{0};
  std::atomic<std::uint64_t> to_restart_{0};
  std::atomic<int> dead_in_a_row_{0};
};

/// exec as a sink, line mode: lines into its children's standard input, whose
/// output and error are flow's own. What went into a pipe is delivered.
class ExecSink final : public Operator {
 public:
  explicit ExecSink(ExecConfig config) : config_(std::move(config)) {
    config_.setup.capture_stdout = false;
    config_.setup.capture_stderr = false;
  }

  void apply(Chunk& messages, OperatorContext& context) override {
    std::unique_ptr<LineChild> child = pool_.take();
    try {
      if (!child) child = std::make_unique<LineChild>(config_.setup, config_.label);
    } catch (const SpawnError& error) {
      throw StreamError(error.what(), 0);
    }
    Lines lines;
    for (const auto& message : messages) add_message(lines, message);
    auto result = child->write_all(lines, config_.timeout, [&context] { return context.stopping(); });
    if (result.written == messages.size()) {
      pool_.give(std::move(child));
      return;
    }
    if (result.stopped) throw StreamError("the run failed while the program read its input", result.written);
    if (result.timed_out) {
      throw StreamError(fmt::format("{} took no input for {} ({} of {} messages written)", child->program(),
                                    seconds_text(config_.timeout), result.written, messages.size()),
                        result.written);
    }
    throw StreamError(child->gone(" and stopped reading its input"), result.written);
  }

  void finish() override { finish_pool(pool_, config_.timeout); }
  Cost cost() const override { return Cost::Cheap; }
  bool blocks() const override { return true; }

 private:
  // A batch goes as its members' lines; a message is one payload and one newline.
  static void add_message(Lines& lines, const Message& message) {
    if (!message.is_batch()) {
      lines.add(message.payload.view());
      return;
    }
    for (const auto& member : message.members) add_message(lines, member);
    // One end per message: `written` counts messages, as a StreamError does.
    auto end = lines.ends.back();
    lines.ends.resize(lines.ends.size() - message.members.size());
    lines.ends.push_back(end);
  }

  ExecConfig config_;
  Pool pool_;
};

/// exec(per=message): one process per message, the payload on its input, its
/// whole output (one trailing newline stripped) the new payload. A sink's
/// process writes to flow's standard output.
class ExecOnce final : public Operator {
 public:
  ExecOnce(ExecConfig config, bool sink) : config_(std::move(config)), sink_(sink) {
    config_.setup.capture_stdout = !sink;
  }

  void apply(Chunk& messages, OperatorContext& context) override {
    Chunk kept;
    std::int64_t resized = 0;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      auto& message = messages[i];
      if (message.is_batch()) {
        context.failed(std::move(message),
                       "exec(per=message) takes one message, not a batch: put unbatch() before it");
        continue;
      }
      OnceResult result;
      std::string input(message.payload.view());
      input.push_back('\n');  // a line, as `echo "$payload" | cmd` gives it
      try {
        result = run_once(config_.setup, input, config_.timeout, config_.label);
      } catch (const SpawnError& error) {
        // Nothing later would start either: the run fails, what went before goes on.
        std::size_t written = kept.size();
        for (std::size_t j = i; j < messages.size(); ++j) kept.push_back(std::move(messages[j]));
        messages = std::move(kept);
        context.resized(resized);
        throw StreamError(error.what(), written);
      }
      if (!result.error.empty()) {
        context.failed(std::move(message), result.error);
        continue;
      }
      if (!sink_) {
        if (!result.output.empty() && result.output.back() == '\n') result.output.pop_back();
        resized += static_cast<std::int64_t>(result.output.size()) -
                   static_cast<std::int64_t>(message.payload.size());
        message.payload = Payload(std::move(result.output));
      }
      kept.push_back(std::move(message));
    }
    messages = std::move(kept);
    context.resized(resized);
  }

  Cost cost() const override { return Cost::Wait; }
  bool blocks() const override { return true; }

 private:
  ExecConfig config_;
  bool sink_;
};

}  // namespace

std::unique_ptr<Operator> make_exec_stage(ExecConfig config) {
  if (config.per_message) return std::make_unique<ExecOnce>(std::move(config), false);
  return std::make_unique<ExecStage>(std::move(config));
}

std::unique_ptr<Operator> make_exec_sink(ExecConfig config) {
  if (config.per_message) return std::make_unique<ExecOnce>(std::move(config), true);
  return std::make_unique<ExecSink>(std::move(config));
}

}  // namespace flow::calls
