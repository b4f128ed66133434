#pragma once
// Where `flow run --metrics-port / --metrics-listen` serves: an address and a
// port from the command line, and the URL that reaches it.
#include <optional>
#include <string>
#include <string_view>

namespace flow::cli {

struct ListenAddress {
  std::string host;  ///< an IPv4 or IPv6 address (no brackets) or a host name
  int port = 0;      ///< 0: a free port the system picks
};

/// A port number, 0 to 65535; nullopt with `error` set otherwise.
std::optional<int> parse_port(std::string_view text, std::string& error);

/// `ADDR:PORT`: `127.0.0.1:9464`, `0.0.0.0:9464`, `[::1]:9464`,
/// `localhost:9464`; nullopt with `error` set otherwise.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error);

/// `http://127.0.0.1:9464/metrics` for `path` "/metrics" (an IPv6 host in brackets).
std::string url_of(const ListenAddress& address, std::string_view path);

}  // namespace flow::cli
