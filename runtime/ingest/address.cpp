#include "runtime/ingest/address.hpp"

#include <fmt/format.h>

#include <charconv>

namespace flow::ingest {
namespace {

/// "host:port" or "[v6]:port" → host and port text; false when malformed.
bool split_host_port(const std::string& authority, std::string& host, std::string& port) {
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos || authority.compare(close + 1, 1, ":") != 0) return false;
    host = authority.substr(1, close - 1);
    port = authority.substr(close + 2);
    return !host.empty();
  }
  auto colon = authority.rfind(':');
  if (colon == std::string::npos || authority.find(':') != colon) return false;
  host = authority.substr(0, colon);
  port = authority.substr(colon + 1);
  return true;
}

}  // namespace

std::optional<Address> parse_address(const std::string& text, std::string& error) {
  auto scheme_end = text.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0) {
    error = fmt::format("expected an address like \"tcp://127.0.0.1:5140\", got \"{}\"", text);
    return std::nullopt;
  }
  Address address;
  address.scheme = text.substr(0, scheme_end);
  auto rest = text.substr(scheme_end + 3);
  auto slash = rest.find('/');
  if (slash != std::string::npos) {
    address.path = rest.substr(slash);
    rest.resize(slash);
  }
  std::string port;
  if (!split_host_port(rest, address.host, port)) {
    error = fmt::format("expected host:port after {}:// (\"{}://127.0.0.1:5140\"), got \"{}\"",
                        address.scheme, address.scheme, rest);
    return std::nullopt;
  }
  unsigned value = 0;
  auto [end, code] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || code != std::errc() || end != port.data() + port.size() || value > 65535) {
    error = fmt::format("expected a port from 0 to 65535 in \"{}\", got \"{}\"", text, port);
    return std::nullopt;
  }
  address.port = static_cast<std::uint16_t>(value);
  if (address.host.empty()) address.host = "127.0.0.1";
  return address;
}

std::string to_string(const Address& address) {
  bool v6 = address.host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}{}", address.scheme, v6 ? "[" : "", address.host, v6 ? "]" : "",
                     address.port, address.path);
}

}  // namespace flow::ingest
