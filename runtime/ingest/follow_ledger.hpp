#pragma once
// The checkpoints of read(follow=true): per followed file (device and inode,
// with its path for people), the offset up to which every line is done with
// (delivered, dropped or filtered), not merely read. A pull's lines of one file
// share one receipt covering their byte range; the receipt's done() marks the
// range finished, and the checkpoint is the contiguous finished prefix. Written
// atomically (temporary file, fsync, rename). See docs/ingest.md.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "flow/message.hpp"

namespace flow::ingest {

/// A file as the kernel knows it: it keeps this through a rename.
struct FileKey {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  friend bool operator<(const FileKey& a, const FileKey& b) {
    return std::pair(a.dev, a.ino) < std::pair(b.dev, b.ino);
  }
  friend bool operator==(const FileKey& a, const FileKey& b) { return a.dev == b.dev && a.ino == b.ino; }
};

/// What a checkpoint file says of one file.
struct Checkpoint {
  std::string path;             ///< where it was last seen, for people and for finding it after a rotation
  std::uint64_t offset = 0;     ///< every byte before it is done with
  std::uint64_t head_hash = 0;  ///< of its first head_length bytes: tells a reused inode from the file
  std::uint64_t head_length = 0;
};

/// FNV-1a over `bytes`: the head of a file, to recognise it.
std::uint64_t head_hash_of(std::string_view bytes);

class Ledger : public std::enable_shared_from_this<Ledger> {
 public:
  /// `file`: the checkpoint file, read now if it exists (throws if it cannot be read).
  explicit Ledger(std::string file);
  /// Writes what is done with a last time: the last receipt has let go.
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  /// The checkpoints read at the start, by file.
  const std::map<FileKey, Checkpoint>& loaded() const { return loaded_; }

  /// Starts (or restarts, after a truncation) the record of `key` at `offset`;
  /// returns the epoch that its receipts carry (a receipt of an older epoch is ignored).
  std::uint64_t track(FileKey key, const Checkpoint& start);
  /// The file was seen at `path`.
  void moved(FileKey key, const std::string& path);
  /// The file's first bytes grew (it was shorter than a head when opened).
  void head(FileKey key, std::uint64_t hash, std::uint64_t length);
  /// The file will not be read any more: once its ranges are done it leaves the checkpoints.
  void closed(FileKey key);
  /// A receipt for the bytes [begin, end) of `key`: its done() marks them finished.
  ReceiptRef receipt(FileKey key, std::uint64_t epoch, std::uint64_t begin, std::uint64_t end);
  /// The run's failure flag (SourceContext::run_failed): ranges let go after it are not finished.
  void watch_failure(std::shared_ptr<const std::atomic<bool>> failed);

  /// Writes the checkpoint file if anything changed since the last write.
  void write_if_changed();

 private:
  struct Entry {
    Checkpoint checkpoint;
    std::uint64_t epoch = 0;
    std::map<std::uint64_t, std::uint64_t> finished;  ///< begin → end of ranges done beyond the offset
    std::uint64_t pending = 0;                        ///< receipts not yet done
    bool closed = false;
    bool stuck = false;  ///< a range was let go by a failed run: the offset stays before it
  };
  class Range;
  /// `abandoned`: let go by a failed run, not delivered.
  void finish(FileKey key, std::uint64_t epoch, std::uint64_t begin, std::uint64_t end, bool abandoned);
  bool run_failed() const;
  void write_locked();

  std::string file_;
  std::map<FileKey, Checkpoint> loaded_;
  mutable std::mutex mutex_;
  std::shared_ptr<const std::atomic<bool>> failed_;
  std::map<FileKey, Entry> entries_;
  bool changed_ = false;
};

}  // namespace flow::ingest
