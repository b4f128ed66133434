#include "http_get.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>
#include <stdexcept>

namespace flow::test {
namespace {

// A socket closed when the scope ends.
struct Socket {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ~Socket() {
    if (fd >= 0) close(fd);
  }
};

bool connect_loopback(int fd, int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

std::optional<HttpReply> parse_reply(const std::string& reply) {
  auto end_of_headers = reply.find("\r\n\r\n");
  if (end_of_headers == std::string::npos) return std::nullopt;
  HttpReply parsed;
  if (std::sscanf(reply.c_str(), "HTTP/1.%*d %d", &parsed.status) != 1) return std::nullopt;
  parsed.headers = reply.substr(0, end_of_headers);
  parsed.body = reply.substr(end_of_headers + 4);
  return parsed;
}

}  // namespace

std::optional<HttpReply> http_get(int port, const std::string& path, std::chrono::milliseconds timeout) {
  Socket socket;
  if (socket.fd < 0 || !connect_loopback(socket.fd, port)) return std::nullopt;
  auto request =
      fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", path, port);
  if (send(socket.fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    return std::nullopt;
  }
  std::string reply;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd ready{socket.fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&ready, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char buffer[4096];
    auto got = recv(socket.fd, buffer, sizeof buffer, 0);
    if (got < 0) return std::nullopt;
    if (got == 0) break;  // the server closed: the whole reply is in
    reply.append(buffer, static_cast<std::size_t>(got));
  }
  return parse_reply(reply);
}

bool accepts_connections(int port) {
  Socket socket;
  return socket.fd >= 0 && connect_loopback(socket.fd, port);
}

HeldPort::HeldPort() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 || listen(fd_, 1) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    if (fd_ >= 0) close(fd_);
    throw std::runtime_error("cannot listen on a loopback port");
  }
  port_ = ntohs(address.sin_port);
}

HeldPort::~HeldPort() {
  close(fd_);
}

}  // namespace flow::test
