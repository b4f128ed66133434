#pragma once
// A listener's address, "scheme://host:port/path", parsed once for the
// checker (validate_listen) and again for the listener itself. The host may
// be left out ("tcp://:5140"): it is then loopback, so nothing listens on
// the network by accident (docs/ingest.md, safe by default).
#include <cstdint>
#include <optional>
#include <string>

namespace flow::ingest {

struct Address {
  std::string scheme;  ///< "tcp", "http"
  std::string host;    ///< a name or a numeric address, without IPv6's brackets; "127.0.0.1" when left out
  std::uint16_t port = 0;  ///< 0: the system picks a free one
  std::string path;        ///< "/ingest", or "" when none is given
};

/// The address in `text`, or nullopt with `error` saying what was expected.
std::optional<Address> parse_address(const std::string& text, std::string& error);

/// "tcp://127.0.0.1:5140": how flow prints an address (IPv6 hosts in brackets).
std::string to_string(const Address& address);

}  // namespace flow::ingest
