// read(path, follow=true): the lines of files that keep growing, like tail -F.
// A watcher thread (follow_watch.cpp) wakes the runtime when the files'
// directories change; each pull then looks at the files again (the glob's
// matches, renames, truncations) and reads what was appended. With a state
// directory every pull's lines of one file carry one receipt for their byte
// range, and the checkpoints (follow_ledger.cpp) advance as they are done
// with. Choices and guarantees: docs/ingest.md, "Following files". The
// patterns and paths: follow_paths.cpp; the check of a call: validate_follow there.
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "flow/arguments.hpp"
#include "runtime/ingest/follow_file.hpp"
#include "runtime/ingest/follow_ledger.hpp"
#include "runtime/ingest/follow_paths.hpp"
#include "runtime/ingest/follow_watch.hpp"
#include "runtime/ingest/ingest.hpp"

namespace flow::ingest {
namespace {

constexpr std::uint64_t kDefaultMaxLine = std::uint64_t{1024} * 1024;
/// The checkpoints are written at most this often (and once more at the end).
constexpr auto kCheckpointInterval = std::chrono::milliseconds(250);
/// A file renamed away stays open this long after its last growth: a writer
/// that has not reopened its log yet still appends to it (Fluent Bit's
/// Rotate_Wait, 5 s).
constexpr auto kRotateWait = std::chrono::seconds(5);
/// The length of a head that identifies a file's content (follow_file.cpp's kHead).
constexpr std::uint64_t kFullHead = 256;

class Follow final : public SourceOperator {
 public:
  Follow(std::string pattern, std::uint64_t max_line, const std::string& state)
      : pattern_(std::move(pattern)), max_line_(max_line) {
    if (state.empty()) return;
    ledger_ = std::make_shared<Ledger>(state);
    for (const auto& [key, point] : ledger_->loaded()) {
      if (point.head_length == kFullHead) read_heads_[point.head_hash] = point.offset;
    }
  }
  ~Follow() override {
    if (watcher_) watcher_->stop();
  }
  Follow(const Follow&) = delete;
  Follow& operator=(const Follow&) = delete;

  void attach(SourceContext& context) override {
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

  SourcePull pull(Chunk& out, std::size_t max, Clock::time_point now) override {
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

  bool stop() override {
    stopping_.store(true, std::memory_order_release);
    if (watcher_) watcher_->stop();
    if (context_ != nullptr) context_->wake();
    return true;
  }

  std::vector<std::pair<std::string, std::uint64_t>> counts() const override {
    return {{"files_opened", files_opened_.load()},
            {"rotations", rotations_.load()},
            {"truncations", truncations_.load()}};
  }

 private:
  /// Starts the watcher, and reads first what a rotation moved while flow was down.
  void watch() {
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

  /// A gzip file that could not be inflated to its end, and where it was left.
  struct Stall {
    std::uint64_t size = 0;
    std::uint64_t offset = 0;
    std::uint64_t epoch = 0;
  };

  struct Tracked {
    Tracked(std::unique_ptr<FollowedFile> opened, std::uint64_t start_epoch, bool is_gone)
        : file(std::move(opened)),
          epoch(start_epoch),
          gone(is_gone),
          grew(std::chrono::steady_clock::now()) {}
    std::unique_ptr<FollowedFile> file;
    std::uint64_t epoch = 0;
    bool gone = false;  ///< no longer at a path the pattern matches: read to its end, then closed
    std::chrono::steady_clock::time_point grew{};  ///< when a read last gave bytes
    bool lingering = false;                        ///< gone, read to its end, waiting out kRotateWait
    std::uint64_t head_reported = 0;               ///< the head's length the ledger knows
  };

  void write_checkpoints() {
    if (!ledger_) return;
    try {
      ledger_->write_if_changed();
    } catch (const std::exception& error) {
      std::lock_guard lock(error_mutex_);
      error_ = error.what();
      if (context_ != nullptr) context_->wake();
    }
  }

  Tracked* tracked(FileKey key) {
    for (auto& entry : files_) {
      if (entry.file->key() == key) return &entry;
    }
    return nullptr;
  }

  /// Opens `path` and goes on where its checkpoint says, if it has one.
  void open(const std::string& path, bool gone) {
    auto file = FollowedFile::open(path);
    if (!file) return;
    Checkpoint start{path, 0, file->head_hash(), file->head_length()};
    if (ledger_) {
      auto found = ledger_->loaded().find(file->key());
      if (found != ledger_->loaded().end() &&
          file->head_matches(found->second.head_hash, found->second.head_length)) {
        // A file shorter than its checkpoint was truncated while flow was down: from its start.
        if (file->resume_at(found->second.offset))
          start.offset = found->second.offset;
        else
          file = FollowedFile::open(path);
        if (!file) return;
      }
    }
    if (file->gzip() && start.offset == 0) {
      try {
        start.offset = skip_known(*file);
      } catch (const std::runtime_error&) {
        stalled_[file->key()] = Stall{file->size(), 0, 0};  // still being written: again when it grows
        return;
      }
    }
    Tracked entry(std::move(file), 0, gone);
    if (ledger_) {
      entry.epoch = ledger_->track(entry.file->key(), start);
      // In the checkpoints before any of its lines go out: a crash before the
      // next tick must not leave a file nobody knows to look for by inode.
      ledger_->write_if_changed();
    }
    ++files_opened_;
    files_.push_back(std::move(entry));
  }

  /// A stalled gzip file grew: inflated again up to where it was left, under the same epoch.
  void reopen(const std::string& path, std::map<FileKey, Stall>::iterator stall) {
    auto state = stall->second;
    stalled_.erase(stall);
    if (state.epoch == 0) return open(path, false);  // stalled before it began: as if new
    auto file = FollowedFile::open(path);
    if (!file) return;
    try {
      if (!file->resume_at(state.offset)) return;
    } catch (const std::runtime_error&) {
      stalled_[file->key()] = Stall{file->size(), state.offset, state.epoch};
      return;
    }
    files_.emplace_back(std::move(file), state.epoch, false);
  }

  /// A gzip file that is a compressed copy of a file already read (logrotate
  /// compresses app.log.1 into app.log.2.gz, and a glob matches both): the
  /// same first bytes. It goes on where that file was; returns the offset.
  std::uint64_t skip_known(FollowedFile& file) {
    file.read_head();
    if (!file.head_full()) return 0;
    auto offset = read_heads_.find(file.head_hash());
    std::uint64_t known = offset == read_heads_.end() ? 0 : offset->second;
    for (auto entry = files_.begin(); entry != files_.end(); ++entry) {
      const auto& other = *entry->file;
      if (other.gzip() || !other.head_full() || other.head_hash() != file.head_hash()) continue;
      // The copy takes over: it holds every byte the file had when it was
      // compressed, and the file is about to be deleted.
      known = other.line_end();
      if (ledger_) ledger_->closed(other.key());
      if (entry->lingering) --lingering_;
      files_.erase(entry);
      break;
    }
    // A copy shorter than that holds nothing new: it ends at once.
    if (known != 0) file.resume_at(known);
    return known;
  }

  /// At the start: files of the checkpoints that a rotation moved away from
  /// the pattern while flow was down, found by inode in their directory.
  void resume_rotated() {
    if (!ledger_) return;
    std::set<FileKey> matched;
    for (const auto& match : matches_of(pattern_)) matched.insert(match.key);
    for (const auto& [key, point] : ledger_->loaded()) {
      if (matched.count(key) != 0) continue;
      auto path = find_by_inode(directory_of(point.path), key);
      if (!path.empty()) {
        open(path, true);
        ++rotations_;
      }
    }
  }

  /// Looks at the files again: new matches, renames, files gone.
  void rescan() {
    auto matches = matches_of(pattern_);
    std::set<FileKey> matched;
    for (const auto& match : matches) {
      matched.insert(match.key);
      if (finished_.count(match.key) != 0) continue;
      if (auto stall = stalled_.find(match.key); stall != stalled_.end()) {
        if (stall->second.size != match.size) reopen(match.path, stall);
        continue;
      }
      auto* entry = tracked(match.key);
      if (entry == nullptr) {
        // An empty file is opened once it has bytes: they say whether it is
        // gzip (logrotate's compress makes the .gz empty, then fills it).
        if (match.size > 0) open(match.path, false);
        continue;
      }
      if (entry->file->path() == match.path) continue;
      // Renamed, still matching (app.log → app.log.1 under app.log*): it goes on.
      ++rotations_;
      entry->file->set_path(match.path);
      if (ledger_) ledger_->moved(match.key, match.path);
    }
    for (auto& entry : files_) {
      if (entry.gone || matched.count(entry.file->key()) != 0) continue;
      entry.gone = true;  // renamed away or deleted: what it holds is still read
      ++rotations_;
    }
    for (auto done = finished_.begin(); done != finished_.end();) {
      if (matched.count(*done) != 0) {
        ++done;
        continue;
      }
      if (ledger_) ledger_->closed(*done);
      done = finished_.erase(done);
    }
  }

  /// Appends `entry`'s whole lines to `out`; true when the file is done with
  /// and can be closed (gone and read to its end, or a gzip file read whole).
  bool read_lines(Tracked& entry, Chunk& out, std::size_t max, bool stopping) {
    auto& file = *entry.file;
    auto first = out.size();
    auto begin = file.line_end();
    bool ended = false, stalled = false;
    while (out.size() < max) {
      if (auto line = file.next_line(max_line_)) {
        out.emplace_back().payload = std::string(*line);
        continue;
      }
      if (stopping) break;  // what is not read yet is read next time, from the checkpoint
      bool more = false;
      try {
        more = file.fill();
      } catch (const std::runtime_error&) {
        if (!file.gzip()) throw;
        stalled = true;  // a gzip file still being written, or damaged: again when its size changes
        break;
      }
      if (more) {
        entry.grew = std::chrono::steady_clock::now();
        continue;
      }
      // Lines of the old content in hand go out first, under the old epoch's receipt.
      if (!entry.gone && out.size() == first && file.truncated()) {
        ++truncations_;
        file.restart();
        if (ledger_) entry.epoch = ledger_->track(file.key(), Checkpoint{file.path(), 0, 0, 0});
        entry.head_reported = 0;  // the new content's head is reported anew (inode reuse is told by it)
        begin = 0;
        continue;
      }
      ended = entry.gone ? done_waiting(entry) : file.finished();
      if (ended && entry.gone) {
        // A file that will not grow again: its last line needs no newline.
        auto partial = file.take_partial();
        if (!partial.empty()) out.emplace_back().payload = std::move(partial);
      }
      break;
    }
    if (ledger_ && file.head_length() != entry.head_reported) {
      entry.head_reported = file.head_length();
      ledger_->head(file.key(), file.head_hash(), file.head_length());
    }
    if (ledger_ && out.size() > first) {
      auto receipt = ledger_->receipt(file.key(), entry.epoch, begin, file.line_end());
      for (auto i = first; i < out.size(); ++i) out[i].receipt = receipt;
    }
    if (stalled) {
      stalled_[file.key()] = Stall{file.size(), file.line_end(), entry.epoch};
      return true;
    }
    if (!ended) return false;
    if (entry.gone) {
      if (ledger_) ledger_->closed(file.key());
      if (file.head_full() && !file.gzip()) read_heads_[file.head_hash()] = file.line_end();
    } else {
      finished_.insert(file.key());  // kept in the checkpoints, not opened again while it matches
    }
    return true;
  }

  /// Whether a rotated file read to its end can be closed: it was deleted, or
  /// did not grow for kRotateWait. Until then the watcher's tick wakes the source.
  bool done_waiting(Tracked& entry) {
    bool done = entry.file->deleted() || std::chrono::steady_clock::now() - entry.grew >= kRotateWait;
    if (!done && !entry.lingering) {
      entry.lingering = true;
      ++lingering_;
    }
    if (done && entry.lingering) --lingering_;
    return done;
  }

  std::string pattern_;
  std::uint64_t max_line_;
  std::shared_ptr<Ledger> ledger_;
  SourceContext* context_ = nullptr;
  std::unique_ptr<Watcher> watcher_;
  std::vector<Tracked> files_;
  std::set<FileKey> finished_;
  std::map<std::uint64_t, std::uint64_t>
      read_heads_;  ///< head hash → where a file closed (or checkpointed) was left
  std::map<FileKey, Stall> stalled_;
  std::atomic<bool> dirty_{true};
  std::atomic<bool> stopping_{false};
  std::atomic<int> lingering_{0};
  std::atomic<std::uint64_t> files_opened_{0}, rotations_{0}, truncations_{0};
  std::mutex error_mutex_;
  std::string error_;
};

}  // namespace

std::unique_ptr<SourceOperator> make_follow(const OperatorCall& call) {
  auto max_line = optional_arg<Size>(call, "max_line").value_or(Size{kDefaultMaxLine}).bytes;
  return std::make_unique<Follow>(required_arg<std::string>(call, "path"), max_line,
                                  optional_arg<std::string>(call, "state").value_or(""));
}

}  // namespace flow::ingest
