#pragma once
// One followed file, open by descriptor: read as it grows, cut into lines,
// read again from its start when it shrank (copytruncate). A gzip file (a
// rotated log compressed) is inflated as it is read. Offsets count the
// file's bytes, or the inflated bytes of a gzip file.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/ingest/follow_ledger.hpp"
#include "runtime/ops/gunzip.hpp"

namespace flow::ingest {

class FollowedFile {
 public:
  /// Opens `path`; null when it is gone or not a regular file (a race with a rotation).
  static std::unique_ptr<FollowedFile> open(const std::string& path);
  ~FollowedFile();
  FollowedFile(const FollowedFile&) = delete;
  FollowedFile& operator=(const FollowedFile&) = delete;

  FileKey key() const { return key_; }
  const std::string& path() const { return path_; }
  void set_path(std::string path) { path_ = std::move(path); }
  bool gzip() const { return gunzip_ != nullptr; }
  /// Whether it has no name left (deleted): nobody can append to it by path.
  bool deleted() const;
  /// Its size on disk now.
  std::uint64_t size() const;
  /// Its first bytes (up to kHead, of the inflated text for gzip), to tell
  /// it from another file that got its inode, and a compressed copy of a
  /// file from a new one.
  std::uint64_t head_hash() const { return head_hash_of(head_); }
  std::uint64_t head_length() const { return head_.size(); }
  /// Whether the head is as long as a head gets (a short one says little).
  bool head_full() const;
  /// A gzip file: inflates until its head is known (the bytes stay to be read).
  void read_head();
  /// Whether its first `length` bytes hash to `hash` (a checkpoint's file).
  bool head_matches(std::uint64_t hash, std::uint64_t length) const;

  /// Goes on from `offset` (a checkpoint): false when the file is shorter.
  bool resume_at(std::uint64_t offset);
  /// The next whole line, without its line end (a view valid until the next
  /// call). Throws when a line grows past `max_line`.
  std::optional<std::string_view> next_line(std::uint64_t max_line);
  /// The offset after the last line cut (where the next begins).
  std::uint64_t line_end() const { return line_end_; }
  /// Reads what one read(2) gives; false at the file's end for now.
  bool fill();
  /// At the end: whether it shrank below what was read (copytruncate).
  bool truncated() const;
  /// Reads again from the start, dropping a partial line.
  void restart();
  /// What is left after the last newline, as a line of its own (a file that ends without one); empty if none.
  std::string take_partial();
  /// A gzip file read to its end: it will not grow (a rotated file is not written again).
  bool finished() const { return finished_; }

 private:
  FollowedFile(int fd, std::string path, FileKey key);
  void grow_head(std::uint64_t old_end);

  int fd_;
  std::string path_;
  FileKey key_;
  std::string head_;
  std::unique_ptr<ops::Gunzip> gunzip_;
  std::string buffer_;       ///< bytes read and not yet cut, from offset line_end_
  std::size_t start_ = 0;    ///< where the uncut part of buffer_ begins
  std::size_t scanned_ = 0;  ///< bytes after start_ known to hold no newline
  std::uint64_t line_end_ = 0;
  std::uint64_t read_end_ = 0;  ///< offset after the last byte read
  bool finished_ = false;       ///< a gzip file read to its end
};

}  // namespace flow::ingest
