#pragma once
// Internal to runtime/ingest: read(path, follow=true), the lines of files
// that keep growing, like tail -F (docs/ingest.md, "Following files").
// follow.cpp runs it as a source (pull, stop, the watcher and checkpoints),
// follow_scan.cpp finds the files (the pattern's matches, renames, rotated
// and compressed copies), follow_read.cpp reads each file's lines.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "flow/operator.hpp"
#include "runtime/ingest/follow_file.hpp"
#include "runtime/ingest/follow_ledger.hpp"
#include "runtime/ingest/follow_watch.hpp"

namespace flow::ingest {

/// The checkpoints are written at most this often (and once more at the end).
constexpr auto kCheckpointInterval = std::chrono::milliseconds(250);
/// A file renamed away stays open this long after its last growth: a writer
/// that has not reopened its log yet still appends to it (Fluent Bit's
/// Rotate_Wait, 5 s).
constexpr auto kRotateWait = std::chrono::seconds(5);
/// The length of a head that identifies a file's content (follow_file.cpp's kHead).
constexpr std::uint64_t kFullHead = 256;

/// A watcher thread (follow_watch.cpp) wakes the runtime when the files'
/// directories change; each pull then looks at the files again and reads
/// what was appended. With a state directory every pull's lines of one file
/// carry one receipt for their byte range, and the checkpoints
/// (follow_ledger.cpp) advance as they are done with.
class Follow final : public SourceOperator {
 public:
  Follow(std::string pattern, std::uint64_t max_line, const std::string& state);
  ~Follow() override;
  Follow(const Follow&) = delete;
  Follow& operator=(const Follow&) = delete;

  void attach(SourceContext& context) override;
  SourcePull pull(Chunk& out, std::size_t max, Clock::time_point now) override;
  bool stop() override;
  std::vector<std::pair<std::string, std::uint64_t>> counts() const override;

 private:
  /// Starts the watcher, and reads first what a rotation moved while flow was down.
  void watch();

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

  void write_checkpoints();

  // follow_scan.cpp
  Tracked* tracked(FileKey key);
  /// Opens `path` and goes on where its checkpoint says, if it has one.
  void open(const std::string& path, bool gone);
  /// A stalled gzip file grew: inflated again up to where it was left, under the same epoch.
  void reopen(const std::string& path, std::map<FileKey, Stall>::iterator stall);
  /// A gzip file that is a compressed copy of a file already read (logrotate
  /// compresses app.log.1 into app.log.2.gz, and a glob matches both): the
  /// same first bytes. It goes on where that file was; returns the offset.
  std::uint64_t skip_known(FollowedFile& file);
  /// At the start: files of the checkpoints that a rotation moved away from
  /// the pattern while flow was down, found by inode in their directory.
  void resume_rotated();
  /// Looks at the files again: new matches, renames, files gone.
  void rescan();

  // follow_read.cpp
  /// Appends `entry`'s whole lines to `out`; true when the file is done with
  /// and can be closed (gone and read to its end, or a gzip file read whole).
  bool read_lines(Tracked& entry, Chunk& out, std::size_t max, bool stopping);
  /// Whether a rotated file read to its end can be closed: it was deleted, or
  /// did not grow for kRotateWait. Until then the watcher's tick wakes the source.
  bool done_waiting(Tracked& entry);

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

}  // namespace flow::ingest
