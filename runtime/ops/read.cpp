// read(path, max_line): the lines of a file or of standard input. It reads
// with read(2), not a stream: a stream's getline takes a read error for the
// end of the file, and the run would end "ok" with the rest dropped. Lines
// are views into the block they were read in (payload.hpp), never copied.
// Input that may stay quiet (a pipe, a FIFO, a terminal) is waited for with
// poll(2) a slice at a time, so that a source told to stop (SIGTERM,
// --duration) returns from its pull within one slice.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <system_error>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "flow/value.hpp"
#include "runtime/ingest/ingest.hpp"
#include "runtime/ops/builtins.hpp"
#include "runtime/ops/gunzip.hpp"
#include "runtime/ops/unfinished.hpp"

namespace flow::ops {
namespace {

/// Bytes asked of the kernel per read(2), and the size of a block of lines.
constexpr std::size_t kReadBlock = std::size_t{64} * 1024;
/// A block with less room than this left is not read into again.
constexpr std::size_t kMinRead = std::size_t{4} * 1024;
/// A line longer than this does not share a block with others: it gets one of
/// its own, made to hold max_line. Blocks of shorter lines are smaller.
constexpr std::size_t kLongLine = kReadBlock;
/// The longest a pull waits for quiet input before it gives the runtime a
/// chance to stop the source (docs/commands.md: within a second).
constexpr int kWaitSliceMs = 100;
/// A line longer than this fails the run, unless the call says otherwise.
constexpr std::uint64_t kDefaultMaxLine = std::uint64_t{1024} * 1024;

[[noreturn]] void fail_to_open(const std::string& path, int error) {
  throw std::runtime_error(
      fmt::format("cannot open '{}' for reading: {}", path, std::generic_category().message(error)));
}

/// Where the lines come from.
struct Input {
  int fd = STDIN_FILENO;
  bool owned = false;    ///< opened here, closed with the source
  bool regular = false;  ///< a regular file: never quiet, read(2) without poll(2)
  std::string name;      ///< for messages
};

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

Input standard_input(std::string name) {
  struct stat info {};
  return {STDIN_FILENO, false, ::fstat(STDIN_FILENO, &info) == 0 && S_ISREG(info.st_mode), std::move(name)};
}

Input open_input(const std::string& path) {
  if (path == "-") return standard_input("standard input");
  // O_NONBLOCK: open(2) of a FIFO no writer has opened would otherwise wait
  // for one, deaf to SIGTERM. Cleared at once: the waiting is poll's.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) fail_to_open(path, errno);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    fail_to_open(path, error);
  }
  // A directory opens; saying so now beats a read error at the first pull.
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    throw std::runtime_error(
        fmt::format("cannot read '{}': {}", path, std::generic_category().message(EISDIR)));
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  // Standard input by another name (/dev/stdin, /dev/fd/0): read it as "-"
  // does, from descriptor 0. Opened anew it would read a closed standard
  // input (which flow holds as a write-only /dev/null) as an empty file.
  struct stat stdin_info {};
  if (!S_ISREG(info.st_mode) && ::fstat(STDIN_FILENO, &stdin_info) == 0 && same_file(info, stdin_info)) {
    ::close(fd);
    return standard_input(fmt::format("standard input ('{}')", path));
  }
  return {fd, true, S_ISREG(info.st_mode), fmt::format("'{}'", path)};
}

class Read final : public SourceOperator, public HoldsUnfinished {
 public:
  Read(const std::string& path, std::uint64_t max_line) : input_(open_input(path)), max_line_(max_line) {}
  ~Read() override {
    if (block_ != nullptr) block_->release();
    if (input_.owned) ::close(input_.fd);
  }
  Read(const Read&) = delete;
  Read& operator=(const Read&) = delete;

  SourcePull pull(Chunk& out, std::size_t max, Clock::time_point now) override {
    // Every line handed out holds a reference to its block; taking them all
    // at once, on every way out (a line too long throws), is one atomic add.
    struct RetainOnExit {
      Read& read;
      ~RetainOnExit() { read.retain_handed_out(); }
    } retain{*this};
    SourcePull result;
    std::size_t appended = 0;
    bool grew_long_line = false;
    while (appended < max) {
      if (auto line = next_line()) {
        bool newline_follows =
            line->data() + line->size() < block_->data() + filled_ && line->data()[line->size()] == '\n';
        // The message first: if making it throws, no view exists whose reference was not taken.
        auto& message = out.emplace_back();
        message.payload = Payload::view_of(block_, line->data(), line->size(), newline_follows);
        ++handed_out_;
        ++appended;
        continue;
      }
      if (at_end_) break;
      // A long line grows one read per pull, so that the runtime counts it
      // (take_held_change) against --memory-limit before the next. Lines in
      // hand go out at once rather than wait for more input.
      bool long_line = unfinished() >= kLongLine;
      if ((long_line && grew_long_line) || !input_ready(appended > 0 ? 0 : kWaitSliceMs)) {
        if (appended == 0) result.next_at = now;  // pull again at once, unless the sources were stopped
        break;
      }
      grew_long_line = long_line;
      fill();
    }
    result.exhausted = at_end_ && start_ == filled_;
    return result;
  }

  std::int64_t take_held_change() override {
    // Lines shorter than a block are bounded by the block; a long one counts whole.
    std::size_t held = unfinished() >= kLongLine ? unfinished() : 0;
    auto change = static_cast<std::int64_t>(held) - static_cast<std::int64_t>(reported_);
    reported_ = held;
    return change;
  }

 private:
  std::size_t unfinished() const { return filled_ - start_; }

  /// Whether a read(2) now would not wait, waiting up to `timeout_ms` for input.
  bool input_ready(int timeout_ms) const {
    if (input_.regular || (gunzip_ && gunzip_->has_pending())) return true;
    pollfd ready{input_.fd, POLLIN, 0};
    int n = ::poll(&ready, 1, timeout_ms);
    // An error other than a signal: read(2) says what it is.
    return n > 0 || (n < 0 && errno != EINTR);
  }

  /// The next whole line in the block, without its line end; at the end of
  /// the input, what is left after the last newline is a line too.
  std::optional<std::string_view> next_line() {
    if (block_ == nullptr) return std::nullopt;
    std::string_view rest(block_->data() + start_, filled_ - start_);
    auto newline = rest.find('\n', scanned_);
    if (newline == std::string_view::npos) {
      scanned_ = rest.size();
      if (!at_end_) {
        // One byte past max_line may yet be the '\r' of a Windows line end.
        if (rest.size() > max_line_ + 1) too_long();
        return std::nullopt;
      }
      if (rest.empty()) return std::nullopt;
      newline = rest.size();
    }
    auto line = rest.substr(0, newline);
    // Windows line ends would otherwise leave a '\r' at the end of every payload.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max_line_) too_long();
    start_ += std::min(newline + 1, rest.size());
    scanned_ = 0;
    ++line_number_;
    return line;
  }

  // Holding a line of any length would let one bad input take all memory.
  [[noreturn]] void too_long() const {
    throw std::runtime_error(fmt::format("line {} of {} is longer than max_line {}", line_number_ + 1,
                                         input_.name, to_string(Value{Size{max_line_}})));
  }

  void retain_handed_out() {
    if (handed_out_ > 0) block_->retain(static_cast<std::uint32_t>(std::exchange(handed_out_, 0)));
  }

  /// Appends what one read(2) gives, at most a block's worth; sets at_end_ at
  /// the end of the input.
  void fill() {
    bool spent = block_ == nullptr || block_->capacity() - filled_ < kMinRead;
    // A long line's block is left once that line is cut: read on into, it
    // would stay alive whole for the views of the short lines after it.
    bool long_line_done =
        block_ != nullptr && block_->capacity() >= 2 * kLongLine && unfinished() < kLongLine;
    if (spent || long_line_done) next_block();
    std::size_t room = std::min(kReadBlock, block_->capacity() - filled_);
    if (gunzip_) {
      filled_ += gunzip_->inflate_into(block_->data() + filled_, room, at_end_);
      return;
    }
    ssize_t n = 0;
    do {
      n = ::read(input_.fd, block_->data() + filled_, room);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
      throw std::runtime_error(
          fmt::format("cannot read {}: {}", input_.name, std::generic_category().message(errno)));
    if (n == 0) at_end_ = true;
    filled_ += static_cast<std::size_t>(n);
    if (format_ == InputFormat::Undecided) sniff();
  }

  /// Decides the format from the input's first bytes. Until it is decided
  /// they hold no newline and the input has not ended, so no line was cut
  /// from them: they are the first block's whole content.
  void sniff() {
    format_ = sniff_format(std::string_view(block_->data(), filled_), at_end_, input_.name);
    if (format_ != InputFormat::Gzip) return;
    gunzip_ =
        std::make_unique<Gunzip>(input_.fd, input_.name, std::string_view(block_->data(), filled_), at_end_);
    filled_ = 0;
    scanned_ = 0;
    at_end_ = false;
  }

  /// A new block, starting with the part of a line the old one ended with.
  void next_block() {
    std::size_t partial = block_ == nullptr ? 0 : unfinished();
    auto* fresh = make_block(partial);
    if (block_ != nullptr) {
      std::memcpy(fresh->data(), block_->data() + start_, partial);
      retain_handed_out();
      block_->release();
    }
    block_ = fresh;
    start_ = 0;
    filled_ = partial;
  }

  /// A short line shares a block with a read's worth of others. A long one
  /// is copied once into a block that holds max_line and one read: growing
  /// by doubling held the old copy and the new at once, up to twice max_line
  /// (docs/operators.md promises max_line plus 64 KiB). Its pages are only
  /// resident as they are read into.
  SharedBytes* make_block(std::size_t partial) const {
    if (partial < kLongLine) return SharedBytes::make(partial + kReadBlock);
    try {
      return SharedBytes::make(std::max<std::uint64_t>(partial, max_line_ + 1) + kReadBlock);
    } catch (const std::bad_alloc&) {
      // More than the system lends at once (a max_line of hundreds of GiB):
      // grow as the line does.
      return SharedBytes::make(std::max(partial + kReadBlock, 2 * partial));
    }
  }

  Input input_;
  std::uint64_t max_line_;
  SharedBytes* block_ = nullptr;  ///< the block being read into and cut; one reference is ours
  std::size_t filled_ = 0;        ///< bytes of block_ read
  std::size_t start_ = 0;         ///< where the next line begins in block_
  std::size_t scanned_ = 0;       ///< bytes after start_ known to hold no newline
  std::uint32_t handed_out_ = 0;  ///< lines cut from block_ whose reference is not yet taken
  std::uint64_t line_number_ = 0;
  std::size_t reported_ = 0;  ///< the unfinished bytes take_held_change last reported
  bool at_end_ = false;
  InputFormat format_ = InputFormat::Undecided;
  std::unique_ptr<Gunzip> gunzip_;  ///< set when the input is gzip: fill() inflates through it
};

}  // namespace

std::unique_ptr<SourceOperator> make_read(const OperatorCall& call) {
  if (optional_arg<bool>(call, "follow").value_or(false)) return ingest::make_follow(call);
  auto max_line = optional_arg<Size>(call, "max_line").value_or(Size{kDefaultMaxLine}).bytes;
  return std::make_unique<Read>(required_arg<std::string>(call, "path"), max_line);
}

}  // namespace flow::ops
