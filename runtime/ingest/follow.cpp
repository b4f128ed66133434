// read(path, follow=true): the lines of files that keep growing, like tail -F.
// A watcher thread (follow_watch.cpp) wakes the runtime when the files'
// directories change; each pull then looks at the files again (the glob's
// matches, renames, truncations) and reads what was appended. With a state
// directory every pull's lines of one file carry one receipt for their byte
// range, and the checkpoints (follow_ledger.cpp) advance as they are done
// with. Choices and guarantees: docs/ingest.md, "Following files". The
// patterns and paths: follow_paths.cpp; the check of a call: validate_follow there.
// The class: follow_source.hpp; finding the files: follow_scan.cpp; reading
// them: follow_read.cpp.
#include <stdexcept>

#include "flow/arguments.hpp"
#include "runtime/ingest/follow_paths.hpp"
#include "runtime/ingest/follow_source.hpp"
#include "runtime/ingest/ingest.hpp"

namespace flow::ingest {
namespace {

constexpr std::uint64_t kDefaultMaxLine = std::uint64_t{1024} * 1024;

}  // namespace

Follow::Follow(std::string pattern, std::uint64_t max_line, const std::string& state)
    : pattern_(std::move(pattern)), max_line_(max_line) {
  if (state.empty()) return;
  ledger_ = std::make_shared<Ledger>(state);
  for (const auto& [key, point] : ledger_->loaded()) {
    if (point.head_length == kFullHead) read_heads_[point.head_hash] = point.offset;
  }
}

Follow::~Follow() {
  if (watcher_) watcher_->stop();
}

void Follow::attach(SourceContext& context) {
  context_ = &context;
  if (ledger_) ledger_->watch_failure(context.run_failed());
  // attach may not throw: what goes wrong here fails the first pull, naming the node.
  try {
    watch();
  } catch (const std::exception& error) {
    std::lock_guard lock(error_mutex_);
    error_ = error.what();
  }
}

SourcePull Follow::pull(Chunk& out, std::size_t max, Clock::time_point now) {
  (void)now;
  {
    std::lock_guard lock(error_mutex_);
    if (!error_.empty()) throw std::runtime_error(error_);
  }
  bool stopping = stopping_.load(std::memory_order_acquire);
  if (!stopping && dirty_.exchange(false, std::memory_order_acq_rel)) rescan();
  // Files that left their path first: they hold what was written before the new ones.
  for (int pass = 0; pass < 2 && out.size() < max; ++pass) {
    for (std::size_t i = 0; i < files_.size() && out.size() < max;) {
      if (files_[i].gone != (pass == 0)) {
        ++i;
        continue;
      }
      if (read_lines(files_[i], out, max, stopping))
        files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(i));
      else
        ++i;
    }
  }
  SourcePull result;
  result.exhausted = stopping && out.size() < max;
  result.wait = out.empty() && !result.exhausted;
  return result;
}

bool Follow::stop() {
  stopping_.store(true, std::memory_order_release);
  if (watcher_) watcher_->stop();
  if (context_ != nullptr) context_->wake();
  return true;
}

std::vector<std::pair<std::string, std::uint64_t>> Follow::counts() const {
  return {{"files_opened", files_opened_.load()},
          {"rotations", rotations_.load()},
          {"truncations", truncations_.load()}};
}

void Follow::watch() {
  watcher_ = std::make_unique<Watcher>(
      std::vector<std::string>{directory_of(pattern_)},
      [this] {
        dirty_.store(true, std::memory_order_release);
        context_->wake();
      },
      [this] {
        write_checkpoints();
        // A rotated file whose wait is over is closed at the next pull.
        if (lingering_.load(std::memory_order_acquire) > 0) context_->wake();
      },
      kCheckpointInterval);
  resume_rotated();
  watcher_->start();
}

void Follow::write_checkpoints() {
  if (!ledger_) return;
  try {
    ledger_->write_if_changed();
  } catch (const std::exception& error) {
    std::lock_guard lock(error_mutex_);
    error_ = error.what();
    if (context_ != nullptr) context_->wake();
  }
}

std::unique_ptr<SourceOperator> make_follow(const OperatorCall& call) {
  auto max_line = optional_arg<Size>(call, "max_line").value_or(Size{kDefaultMaxLine}).bytes;
  return std::make_unique<Follow>(required_arg<std::string>(call, "path"), max_line,
                                  optional_arg<std::string>(call, "state").value_or(""));
}

}  // namespace flow::ingest
