#include "runtime/ingest/follow_paths.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <tuple>

#include "flow/arguments.hpp"
#include "runtime/ingest/ingest.hpp"

namespace flow::ingest {

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

/// The regular files the pattern matches now, the least recently written first
/// (a glob over rotated files then reads them in the order they were written).
std::vector<Match> matches_of(const std::string& pattern) {
  glob_t found{};
  std::vector<Match> matches;
  // Only the source's own pulls glob, one at a time.
  if (::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &found) == 0) {  // NOLINT(concurrency-mt-unsafe)
    for (std::size_t i = 0; i < found.gl_pathc; ++i) {
      struct stat info {};
      if (::stat(found.gl_pathv[i], &info) != 0 || !S_ISREG(info.st_mode)) continue;
      matches.push_back({found.gl_pathv[i], FileKey{info.st_dev, info.st_ino},
                         static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec,
                         static_cast<std::uint64_t>(info.st_size)});
    }
  }
  ::globfree(&found);
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return std::tie(a.modified, a.path) < std::tie(b.modified, b.path);
  });
  return matches;
}

/// Where the file `key` is now in `directory`: a checkpoint's file renamed while flow was down.
std::string find_by_inode(const std::string& directory, FileKey key) {
  std::string found;
  DIR* dir = ::opendir(directory.c_str());
  if (dir == nullptr) return found;
  // readdir(3) is safe on a stream no other thread reads.
  while (auto* entry = ::readdir(dir)) {  // NOLINT(concurrency-mt-unsafe)
    if (entry->d_ino != key.ino) continue;
    auto path = directory + "/" + entry->d_name;
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && info.st_dev == key.dev && S_ISREG(info.st_mode)) found = path;
    break;
  }
  ::closedir(dir);
  return found;
}

std::string validate_follow(const OperatorCall& call, std::string& argument) {
  auto path = required_arg<std::string>(call, "path");
  argument = "path";
  if (path == "-") return "follow=true follows a file; standard input (\"-\") cannot be followed";
  if (directory_of(path).find_first_of("*?[") != std::string::npos) {
    return fmt::format("follow=true takes wildcards in the file name only, not in its directory: '{}'", path);
  }
  struct stat info {};
  // A pattern, or a file not there yet (tail -F waits for it): judged when it appears.
  if (path.find_first_of("*?[") != std::string::npos || ::stat(path.c_str(), &info) != 0) {
    argument.clear();
    return "";
  }
  if (S_ISDIR(info.st_mode)) {
    return fmt::format(
        "follow=true follows files; '{}' is a directory (a glob such as \"{}/*.log\" follows "
        "files in it)",
        path, path);
  }
  if (!S_ISREG(info.st_mode)) {
    return fmt::format(
        "follow=true follows regular files; '{}' is not one (a device, FIFO or socket "
        "cannot be rotated or read again)",
        path);
  }
  argument.clear();
  return "";
}

}  // namespace flow::ingest
