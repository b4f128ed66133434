// Sinks: discard, stdout and write. A sink's operator leaves in the chunk what
// it delivered. stdout and write hand each chunk to the kernel before they
// return, so a message counts as delivered only once write(2) has taken its
// bytes: a stdio buffer would take them, count them, and lose them at a
// flush whose error nobody sees (a full disk left an empty file and "ok").
#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>
#include <system_error>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/ops/builtins.hpp"

namespace flow::ops {
namespace {

class Discard final : public Operator {
 public:
  void apply(Chunk&, OperatorContext&) override {}
};

/// A chunk as the pieces of one writev(2): each line and its newline, where a
/// run of lines lies one after another in a read block with their newlines
/// (a copy's lines do) one piece for the run, copied by nobody but the kernel.
class ChunkLines {
 public:
  explicit ChunkLines(const Chunk& messages) {
    ends_.reserve(messages.size());
    for (const auto& message : messages) {
      add_lines(message);
      ends_.push_back(total_);
    }
  }

  std::vector<iovec>& pieces() { return pieces_; }

  /// Messages written in full by the first `bytes` bytes: after a failed
  /// write, the messages whose lines the kernel took in full are known.
  std::size_t messages_within(std::size_t bytes) const {
    return static_cast<std::size_t>(std::upper_bound(ends_.begin(), ends_.end(), bytes) - ends_.begin());
  }

 private:
  void add_lines(const Message& message) {
    if (message.is_batch()) {
      for (const auto& member : message.members) add_lines(member);
      return;
    }
    auto line = message.payload.view();
    if (message.payload.newline_follows()) {
      add(line.data(), line.size() + 1);
      return;
    }
    add(line.data(), line.size());
    static const char newline = '\n';
    add(&newline, 1);
  }

  void add(const char* data, std::size_t size) {
    total_ += size;
    if (size == 0) return;
    if (!pieces_.empty()) {
      auto& last = pieces_.back();
      if (static_cast<const char*>(last.iov_base) + last.iov_len == data) {
        last.iov_len += size;
        return;
      }
    }
    pieces_.push_back({const_cast<char*>(data), size});  // writev reads only
  }

  std::vector<iovec> pieces_;
  std::vector<std::size_t> ends_;
  std::size_t total_ = 0;
};

struct WriteResult {
  std::size_t bytes = 0;  ///< taken by the kernel
  int error = 0;          ///< errno of the write that failed, 0 when all went
};

/// Writes all of `pieces` to `fd` across partial writes and signals, IOV_MAX
/// pieces a call; stops at the first error.
WriteResult write_all(int fd, std::vector<iovec>& pieces) {
  WriteResult result;
  std::size_t next = 0;
  while (next < pieces.size()) {
    auto count = static_cast<int>(std::min<std::size_t>(pieces.size() - next, IOV_MAX));
    ssize_t n = ::writev(fd, pieces.data() + next, count);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // A write that takes nothing of a non-empty buffer would loop forever.
      result.error = n < 0 ? errno : EIO;
      break;
    }
    result.bytes += static_cast<std::size_t>(n);
    // Step past what the kernel took: whole pieces, then part of one.
    auto taken = static_cast<std::size_t>(n);
    while (next < pieces.size() && taken >= pieces[next].iov_len) taken -= pieces[next++].iov_len;
    if (taken > 0) {
      pieces[next].iov_base = static_cast<char*>(pieces[next].iov_base) + taken;
      pieces[next].iov_len -= taken;
    }
  }
  return result;
}

/// Writes whole chunks to a file descriptor under a lock, one writev(2) each
/// (more only when the kernel takes part of one), so lines from different
/// workers (or different sinks on the same stream) never interleave.
class LineWriter : public Operator {
 public:
  /// `stdio`: the stdio stream that shares `fd` (progress reports use it), or nullptr.
  /// `shared`: a lock shared with other writers of the same stream; nullptr: its own.
  LineWriter(int fd, std::FILE* stdio, std::mutex* shared, std::string name)
      : fd_(fd), stdio_(stdio), mutex_(shared != nullptr ? *shared : own_mutex_), name_(std::move(name)) {}

  void apply(Chunk& messages, OperatorContext&) override {
    ChunkLines chunk(messages);
    WriteResult result;
    {
      std::lock_guard lock(mutex_);
      // After one error, a later (smaller) write might still go through and
      // leave a hole: the output stays a prefix of what was sent.
      if (error_) throw_error(*error_, 0);
      result = write_locked(chunk.pieces());
      if (result.error != 0) error_ = result.error;
    }
    if (result.error != 0) throw_error(result.error, chunk.messages_within(result.bytes));
  }

 protected:
  const std::string& name() const { return name_; }
  int fd_;

 private:
  WriteResult write_locked(std::vector<iovec>& pieces) {
    if (stdio_ == nullptr) return write_all(fd_, pieces);
    // Holding the stdio lock keeps a progress report printed through stdio
    // from landing inside a chunk; flushing first keeps the order of both.
    flockfile(stdio_);
    fflush_unlocked(stdio_);
    auto result = write_all(fd_, pieces);
    funlockfile(stdio_);
    return result;
  }

  [[noreturn]] void throw_error(int error, std::size_t written) const {
    auto what = fmt::format("cannot write to {}: {}", name_, std::generic_category().message(error));
    if (error == EPIPE) throw BrokenPipe(what, written);
    throw StreamError(what, written);
  }

  std::FILE* stdio_;
  std::mutex own_mutex_;
  std::mutex& mutex_;
  std::string name_;
  std::optional<int> error_;  ///< guarded by mutex_
};

/// One lock for every stdout() sink: they share one stream.
std::mutex& stdout_mutex() {
  static std::mutex mutex;
  return mutex;
}

class Stdout final : public LineWriter {
 public:
  Stdout() : LineWriter(STDOUT_FILENO, stdout, &stdout_mutex(), "standard output") {}
};

[[noreturn]] void cannot_open(const std::string& path, int error) {
  throw std::runtime_error(
      fmt::format("cannot open '{}' for writing: {}", path, std::generic_category().message(error)));
}

int open_for_writing(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) cannot_open(path, errno);
  return fd;
}

// A part's file: a restart of the part (kill -9, docker restart) must not
// wipe what the killed process wrote, so it appends, as rsyslog does. Two
// processes of the part appending to one file would mix their chunks with no
// one knowing: the second is refused. The lock is a POSIX record lock, which
// names its holder's pid and also works on NFS; the kernel lets go of it when
// the process ends, however it ends.
int open_for_appending(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) cannot_open(path, errno);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;  // l_start 0, l_len 0: the whole file, however long it grows
  if (::fcntl(fd, F_SETLK, &lock) == 0) return fd;
  int error = errno;
  struct flock holder {};
  holder.l_type = F_WRLCK;
  holder.l_whence = SEEK_SET;
  bool named = ::fcntl(fd, F_GETLK, &holder) == 0 && holder.l_type != F_UNLCK && holder.l_pid > 0;
  ::close(fd);
  if (error != EACCES && error != EAGAIN) {
    throw std::runtime_error(
        fmt::format("cannot lock '{}' for writing: {}", path, std::generic_category().message(error)));
  }
  throw std::runtime_error(fmt::format("'{}' is already written by another flow process{}", path,
                                       named ? fmt::format(" (pid {})", holder.l_pid) : std::string()));
}

class Write final : public LineWriter {
 public:
  Write(const std::string& path, int fd) : LineWriter(fd, nullptr, nullptr, fmt::format("'{}'", path)) {}
  ~Write() override {
    if (fd_ >= 0) ::close(fd_);  // a failed run: its error is already the run's
  }

  // close(2) can report what write(2) did not (NFS reports ENOSPC or EIO there).
  void finish() override {
    int fd = std::exchange(fd_, -1);
    if (fd >= 0 && ::close(fd) != 0) {
      throw std::runtime_error(
          fmt::format("cannot close {}: {}", name(), std::generic_category().message(errno)));
    }
  }
};

}  // namespace

std::unique_ptr<Operator> make_discard(const OperatorCall&) {
  return std::make_unique<Discard>();
}

std::unique_ptr<Operator> make_stdout(const OperatorCall&) {
  return std::make_unique<Stdout>();
}

std::unique_ptr<Operator> make_write(const OperatorCall& call) {
  auto path = required_arg<std::string>(call, "path");
  // A pipeline with a state directory goes on after a restart: it appends,
  // as a part does (runtime/check/follow_check.cpp sets `append`).
  if (optional_arg<bool>(call, "append").value_or(false)) return std::make_unique<Write>(path, open_for_appending(path));
  return std::make_unique<Write>(path, open_for_writing(path));
}

std::unique_ptr<Operator> make_part_write(const OperatorCall& call) {
  auto path = required_arg<std::string>(call, "path");
  return std::make_unique<Write>(path, open_for_appending(path));
}

}  // namespace flow::ops
