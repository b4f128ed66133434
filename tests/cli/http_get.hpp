#pragma once
// A minimal HTTP client for tests: one GET over a loopback socket, read to
// the end (it asks the server to close), with a deadline, so a test scrapes
// /metrics the way Prometheus does without a client library.
#include <chrono>
#include <optional>
#include <string>

namespace flow::test {

struct HttpReply {
  int status = 0;       ///< 200, 404...
  std::string headers;  ///< the status line and the header lines, as sent
  std::string body;
};

/// GET `path` from 127.0.0.1:`port`; nullopt when nothing answers (refused,
/// cut off, or no whole reply before `timeout`).
std::optional<HttpReply> http_get(int port, const std::string& path,
                                  std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

/// Whether something accepts connections on 127.0.0.1:`port`.
bool accepts_connections(int port);

/// A port on 127.0.0.1 the system picked, listened on (and so in use) until
/// this is destroyed.
class HeldPort {
 public:
  HeldPort();
  ~HeldPort();
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace flow::test
