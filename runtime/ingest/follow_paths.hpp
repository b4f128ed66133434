#pragma once
// The paths of read(follow=true): what a pattern matches now, and where a
// file of the checkpoints went while flow was down.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/ingest/follow_ledger.hpp"

namespace flow::ingest {

/// The directory a path or pattern is in: what the watcher watches.
std::string directory_of(const std::string& path);

/// A regular file a pattern matches.
struct Match {
  std::string path;
  FileKey key;
  std::int64_t modified = 0;
  std::uint64_t size = 0;
};

/// The regular files `pattern` matches now, the least recently written first
/// (a glob over rotated files then reads them in the order they were written).
std::vector<Match> matches_of(const std::string& pattern);

/// Where the file `key` is now in `directory` ("" if nowhere): a
/// checkpoint's file renamed while flow was down.
std::string find_by_inode(const std::string& directory, FileKey key);

}  // namespace flow::ingest
