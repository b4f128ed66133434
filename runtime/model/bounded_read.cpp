#include "runtime/model/bounded_read.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <system_error>
#include <array>
#include <cerrno>
#include <cstring>

namespace flow {
namespace {

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string too_large(const std::string& path, std::uint64_t limit, std::string_view what) {
  return fmt::format("'{}' is larger than the {} MiB {} may be", path, limit >> 20, what);
}

}  // namespace

std::optional<std::string> read_bounded(const std::string& path, std::uint64_t limit, std::string_view what,
                                        std::string& error) {
  Descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) {
    error = fmt::format("cannot open '{}'", path);
    return std::nullopt;
  }
  struct stat info {};
  bool regular = ::fstat(file.get(), &info) == 0 && S_ISREG(info.st_mode);
  if (regular && static_cast<std::uint64_t>(info.st_size) > limit) {
    error = too_large(path, limit, what);
    return std::nullopt;
  }
  std::string text;
  if (regular) text.reserve(static_cast<std::size_t>(info.st_size));
  std::array<char, 1 << 16> block{};
  for (;;) {
    auto got = ::read(file.get(), block.data(), block.size());
    if (got == 0) return text;
    if (got < 0) {
      if (errno == EINTR) continue;
      error = fmt::format("cannot read '{}': {}", path, std::generic_category().message(errno));
      return std::nullopt;
    }
    // A file that grows while read, or a device, is caught here.
    if (text.size() + static_cast<std::size_t>(got) > limit) {
      error = too_large(path, limit, what);
      return std::nullopt;
    }
    text.append(block.data(), static_cast<std::size_t>(got));
  }
}

}  // namespace flow
