#include "cli/listen_address.hpp"

#include <fmt/format.h>

#include <charconv>

namespace flow::cli {

std::optional<int> parse_port(std::string_view text, std::string& error) {
  int port = -1;
  auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || problem != std::errc() || end != text.data() + text.size() || port < 0 ||
      port > 65535) {
    error = fmt::format("'{}' is not a port: expected a number from 0 to 65535", text);
    return std::nullopt;
  }
  return port;
}

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    error = fmt::format("'{}' is not ADDR:PORT (e.g. 127.0.0.1:9464, [::1]:9464)", text);
    return std::nullopt;
  }
  std::string_view host = text.substr(0, colon);
  // An IPv6 address has colons of its own: it comes in brackets, as in a URL.
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      error = fmt::format("'{}': an IPv6 address goes in brackets, e.g. [::1]:9464", text);
      return std::nullopt;
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    error = fmt::format("'{}': an IPv6 address goes in brackets, e.g. [::1]:9464", text);
    return std::nullopt;
  }
  auto port = parse_port(text.substr(colon + 1), error);
  if (!port) return std::nullopt;
  return ListenAddress{std::string(host), *port};
}

std::string url_of(const ListenAddress& address, std::string_view path) {
  bool ipv6 = address.host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("http://[{}]:{}{}", address.host, address.port, path)
              : fmt::format("http://{}:{}{}", address.host, address.port, path);
}

}  // namespace flow::cli
