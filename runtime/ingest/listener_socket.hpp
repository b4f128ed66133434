#pragma once
// The socket a listener listens on, and a descriptor closed with its owner.
#include <unistd.h>

#include <string>
#include <utility>

#include "runtime/ingest/address.hpp"

namespace flow::ingest {

/// A file descriptor, closed when its owner goes.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { close(); }
  int get() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_ = -1;
};

/// Throws std::runtime_error "WHAT: strerror(error)".
[[noreturn]] void fail(const std::string& what, int error);

/// A non-blocking listening TCP socket on `address` (a name is resolved; the
/// first of its addresses that binds is taken). `address.host` and `.port`
/// become the numeric ones bound, so port 0 says which port it got. Throws
/// "cannot listen on tcp://...: REASON".
Fd bind_listener(Address& address);

}  // namespace flow::ingest
