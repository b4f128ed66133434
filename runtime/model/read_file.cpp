#include "flow/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

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

FileRead unread(std::string message) {
  return FileRead{std::nullopt, {Diagnostic{Severity::Error, SourceLocation{}, std::move(message), 0}}};
}

FileRead too_large(const std::string& path, std::uint64_t limit, std::string_view what) {
  return unread(fmt::format("'{}' is larger than the {} MiB {} may be", path, limit >> 20, what));
}

std::string reason(int error) {
  return std::generic_category().message(error);
}

// The whole of an open descriptor; `path` names it in messages.
FileRead read_all(int fd, const std::string& path, std::uint64_t limit, std::string_view what) {
  struct stat info {};
  bool regular = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  if (regular && static_cast<std::uint64_t>(info.st_size) > limit) return too_large(path, limit, what);
  std::string text;
  if (regular) text.reserve(static_cast<std::size_t>(info.st_size));
  std::array<char, 1 << 16> block{};
  for (;;) {
    auto got = ::read(fd, block.data(), block.size());
    if (got == 0) return FileRead{std::move(text), {}};
    if (got < 0) {
      if (errno == EINTR) continue;
      return unread(fmt::format("cannot read '{}': {}", path, reason(errno)));
    }
    // A file that grows while read, or a device, is caught here.
    if (text.size() + static_cast<std::size_t>(got) > limit) return too_large(path, limit, what);
    text.append(block.data(), static_cast<std::size_t>(got));
  }
}

}  // namespace

FileRead read_file(const std::string& path, std::uint64_t limit, std::string_view what) {
  Descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) return unread(fmt::format("cannot open '{}': {}", path, reason(errno)));
  return read_all(file.get(), path, limit, what);
}

FileRead read_descriptor(int fd, const std::string& name, std::uint64_t limit, std::string_view what) {
  return read_all(fd, name, limit, what);
}

}  // namespace flow
