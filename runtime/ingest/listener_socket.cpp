#include "runtime/ingest/listener_socket.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace flow::ingest {

void fail(const std::string& what, int error) {
  throw std::runtime_error(fmt::format("{}: {}", what, std::generic_category().message(error)));
}

Fd bind_listener(Address& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  auto where = to_string(address);
  if (int code = ::getaddrinfo(address.host.c_str(), std::to_string(address.port).c_str(), &hints, &found);
      code != 0) {
    throw std::runtime_error(fmt::format("cannot listen on {}: {}", where, ::gai_strerror(code)));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
  int error = EADDRNOTAVAIL;
  for (auto* at = found; at != nullptr; at = at->ai_next) {
    Fd fd(::socket(at->ai_family, at->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, at->ai_protocol));
    int on = 1;
    if (fd.get() < 0 || ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        ::bind(fd.get(), at->ai_addr, at->ai_addrlen) != 0 || ::listen(fd.get(), SOMAXCONN) != 0) {
      error = errno;
      continue;
    }
    sockaddr_storage bound{};
    socklen_t size = sizeof bound;
    std::array<char, NI_MAXHOST> host{};
    std::array<char, NI_MAXSERV> port{};
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &size) == 0 &&
        ::getnameinfo(reinterpret_cast<sockaddr*>(&bound), size, host.data(), host.size(), port.data(),
                      port.size(), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
      address.host = host.data();
      address.port = static_cast<std::uint16_t>(std::stoi(port.data()));
    }
    return fd;
  }
  fail(fmt::format("cannot listen on {}", where), error);
}

}  // namespace flow::ingest
