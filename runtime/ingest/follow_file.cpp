#include "runtime/ingest/follow_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "flow/value.hpp"

namespace flow::ingest {
namespace {

constexpr std::size_t kReadBlock = std::size_t{64} * 1024;
/// Bytes of a file's start that identify it beside its inode.
constexpr std::size_t kHead = 256;

[[noreturn]] void fail_to_read(const std::string& path, int error) {
  throw std::runtime_error(fmt::format("cannot read '{}': {}", path, std::generic_category().message(error)));
}

}  // namespace

std::unique_ptr<FollowedFile> FollowedFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return nullptr;  // renamed or removed since the directory was read
    fail_to_read(path, errno);
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return nullptr;
  }
  std::unique_ptr<FollowedFile> file(new FollowedFile(fd, path, FileKey{info.st_dev, info.st_ino}));
  file->grow_head(0);
  const auto& head = file->head_;
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
      static_cast<unsigned char>(head[1]) == 0x8b) {
    file->gunzip_ = std::make_unique<ops::Gunzip>(fd, fmt::format("'{}'", path), std::string_view(), false);
    file->head_.clear();  // that of the inflated text, known as it is read
  }
  return file;
}

bool FollowedFile::head_full() const {
  return head_.size() == kHead;
}

void FollowedFile::read_head() {
  while (gzip() && !head_full() && fill()) {
  }
}

// A plain file's head is read where it lies; a gzip file's is taken from
// what is inflated, which always starts at its start.
void FollowedFile::grow_head(std::uint64_t old_end) {
  if (head_full()) return;
  if (!gzip()) {
    head_.resize(kHead);
    ssize_t n = ::pread(fd_, head_.data(), kHead, 0);
    head_.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return;
  }
  if (old_end != head_.size() || old_end >= read_end_) return;
  auto take = std::min<std::uint64_t>(kHead - old_end, read_end_ - old_end);
  head_.append(buffer_.data() + (buffer_.size() - (read_end_ - old_end)), take);
}

FollowedFile::FollowedFile(int fd, std::string path, FileKey key)
    : fd_(fd), path_(std::move(path)), key_(key) {}

FollowedFile::~FollowedFile() {
  ::close(fd_);
}

bool FollowedFile::head_matches(std::uint64_t hash, std::uint64_t length) const {
  if (gzip() || length == 0) return true;
  if (length > head_.size()) return false;
  return head_hash_of(std::string_view(head_).substr(0, length)) == hash;
}

bool FollowedFile::resume_at(std::uint64_t offset) {
  if (!gzip()) {
    struct stat info {};
    if (::fstat(fd_, &info) != 0 || static_cast<std::uint64_t>(info.st_size) < offset) return false;
    if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) fail_to_read(path_, errno);
    line_end_ = read_end_ = offset;
    return true;
  }
  // Inflated bytes cannot be sought: inflate them and let them go.
  while (line_end_ < offset) {
    if (start_ == buffer_.size() && !fill()) return false;
    auto drop = std::min<std::uint64_t>(offset - line_end_, buffer_.size() - start_);
    start_ += drop;
    line_end_ += drop;
    scanned_ = 0;
  }
  return true;
}

std::optional<std::string_view> FollowedFile::next_line(std::uint64_t max_line) {
  std::string_view rest(buffer_.data() + start_, buffer_.size() - start_);
  auto newline = rest.find('\n', scanned_);
  if (newline == std::string_view::npos) {
    scanned_ = rest.size();
    // One byte past max_line may yet be the '\r' of a Windows line end.
    if (rest.size() > max_line + 1) {
      throw std::runtime_error(fmt::format("a line of '{}' at offset {} is longer than max_line {}", path_,
                                           line_end_, to_string(Value{Size{max_line}})));
    }
    return std::nullopt;
  }
  auto line = rest.substr(0, newline);
  start_ += newline + 1;
  line_end_ += newline + 1;
  scanned_ = 0;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > max_line) {
    throw std::runtime_error(fmt::format("a line of '{}' before offset {} is longer than max_line {}", path_,
                                         line_end_, to_string(Value{Size{max_line}})));
  }
  return line;
}

bool FollowedFile::fill() {
  if (finished_) return false;
  // What was cut goes; the partial line moves to the front.
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  auto old = buffer_.size();
  buffer_.resize(old + kReadBlock);
  std::size_t got = 0;
  if (gunzip_) {
    bool at_end = false;
    got = gunzip_->inflate_into(buffer_.data() + old, kReadBlock, at_end);
    finished_ = at_end;
  } else {
    ssize_t n = 0;
    do {
      n = ::read(fd_, buffer_.data() + old, kReadBlock);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      buffer_.resize(old);
      fail_to_read(path_, errno);
    }
    got = static_cast<std::size_t>(n);
  }
  buffer_.resize(old + got);
  auto old_end = read_end_;
  read_end_ += got;
  if (got > 0) grow_head(old_end);
  return got > 0 || (gunzip_ && !finished_);
}

bool FollowedFile::deleted() const {
  struct stat info {};
  return ::fstat(fd_, &info) == 0 && info.st_nlink == 0;
}

std::uint64_t FollowedFile::size() const {
  struct stat info {};
  return ::fstat(fd_, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
}

bool FollowedFile::truncated() const {
  if (gzip()) return false;
  struct stat info {};
  return ::fstat(fd_, &info) == 0 && static_cast<std::uint64_t>(info.st_size) < read_end_;
}

void FollowedFile::restart() {
  if (::lseek(fd_, 0, SEEK_SET) < 0) fail_to_read(path_, errno);
  buffer_.clear();
  start_ = scanned_ = 0;
  line_end_ = read_end_ = 0;
  head_.clear();
  grow_head(0);
}

std::string FollowedFile::take_partial() {
  std::string partial = buffer_.substr(start_);
  line_end_ += partial.size();
  buffer_.clear();
  start_ = scanned_ = 0;
  if (!partial.empty() && partial.back() == '\r') partial.pop_back();
  return partial;
}

}  // namespace flow::ingest
