// read(path, max_line): the lines of a file or of standard input. It reads
// with read(2), not a stream: a stream's getline takes a read error for the
// end of the file, and the run would end "ok" with the rest dropped. Lines
// are views into the block they were read in (payload.hpp), never copied.
#include <fcntl.h>
#include <fmt/format.h>
#include <system_error>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "flow/value.hpp"
#include "runtime/ops/builtins.hpp"

namespace flow::ops {
namespace {

/// Bytes asked of the kernel per read(2), and the size of a block of lines.
constexpr std::size_t kReadBlock = std::size_t{64} * 1024;
/// A block with less room than this left is not read into again.
constexpr std::size_t kMinRead = std::size_t{4} * 1024;
/// A line longer than this fails the run, unless the call says otherwise.
constexpr std::uint64_t kDefaultMaxLine = std::uint64_t{1024} * 1024;

std::string describe(const std::string& path) {
  return path == "-" ? std::string("standard input") : fmt::format("'{}'", path);
}

int open_for_reading(const std::string& path) {
  if (path == "-") return STDIN_FILENO;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error(fmt::format("cannot open '{}' for reading: {}", path, std::generic_category().message(errno)));
  // A directory opens; saying so now beats a read error at the first pull.
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    throw std::runtime_error(fmt::format("cannot read '{}': {}", path, std::generic_category().message(EISDIR)));
  }
  return fd;
}

class Read final : public SourceOperator {
 public:
  Read(const std::string& path, std::uint64_t max_line)
      : name_(describe(path)), fd_(open_for_reading(path)), owns_fd_(path != "-"), max_line_(max_line) {}
  ~Read() override {
    if (block_ != nullptr) block_->release();
    if (owns_fd_) ::close(fd_);
  }
  Read(const Read&) = delete;
  Read& operator=(const Read&) = delete;

  SourcePull pull(Chunk& out, std::size_t max, Clock::time_point) override {
    // Every line handed out holds a reference to its block; taking them all
    // at once, on every way out (a line too long throws), is one atomic add.
    struct RetainOnExit {
      Read& read;
      ~RetainOnExit() { read.retain_handed_out(); }
    } retain{*this};
    std::size_t appended = 0;
    while (appended < max) {
      if (auto line = next_line()) {
        bool newline_follows = line->data() + line->size() < block_->data() + filled_ && line->data()[line->size()] == '\n';
        // The message first: if making it throws, no view exists whose reference was not taken.
        auto& message = out.emplace_back();
        message.payload = Payload::view_of(block_, line->data(), line->size(), newline_follows);
        ++handed_out_;
        ++appended;
        continue;
      }
      if (at_end_) break;
      fill();
    }
    return {at_end_ && start_ == filled_, std::nullopt};
  }

 private:
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
    throw std::runtime_error(fmt::format("line {} of {} is longer than max_line {}", line_number_ + 1, name_,
                                         to_string(Value{Size{max_line_}})));
  }

  void retain_handed_out() {
    if (handed_out_ > 0) block_->retain(static_cast<std::uint32_t>(std::exchange(handed_out_, 0)));
  }

  /// Appends what one read(2) gives; sets at_end_ at the end of the input.
  void fill() {
    if (block_ == nullptr || block_->capacity() - filled_ < kMinRead) next_block();
    ssize_t n = 0;
    do {
      n = ::read(fd_, block_->data() + filled_, block_->capacity() - filled_);
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw std::runtime_error(fmt::format("cannot read {}: {}", name_, std::generic_category().message(errno)));
    if (n == 0) at_end_ = true;
    filled_ += static_cast<std::size_t>(n);
  }

  /// A new block, starting with the part of a line the old one ended with: a
  /// block holds at most a line and a read's worth.
  void next_block() {
    std::size_t partial = block_ == nullptr ? 0 : filled_ - start_;
    // Twice the partial line at least: a line longer than a block is copied a
    // few times in all, not once per 64 KiB read.
    auto* fresh = SharedBytes::make(std::max(partial + kReadBlock, 2 * partial));
    if (block_ != nullptr) {
      std::memcpy(fresh->data(), block_->data() + start_, partial);
      retain_handed_out();
      block_->release();
    }
    block_ = fresh;
    start_ = 0;
    filled_ = partial;
  }

  std::string name_;
  int fd_;
  bool owns_fd_;
  std::uint64_t max_line_;
  SharedBytes* block_ = nullptr;  ///< the block being read into and cut; one reference is ours
  std::size_t filled_ = 0;        ///< bytes of block_ read
  std::size_t start_ = 0;         ///< where the next line begins in block_
  std::size_t scanned_ = 0;       ///< bytes after start_ known to hold no newline
  std::uint32_t handed_out_ = 0;  ///< lines cut from block_ whose reference is not yet taken
  std::uint64_t line_number_ = 0;
  bool at_end_ = false;
};

}  // namespace

std::unique_ptr<SourceOperator> make_read(const OperatorCall& call) {
  auto max_line = optional_arg<Size>(call, "max_line").value_or(Size{kDefaultMaxLine}).bytes;
  return std::make_unique<Read>(required_arg<std::string>(call, "path"), max_line);
}

}  // namespace flow::ops
