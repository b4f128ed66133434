// listen(address): a source fed by the network. The address's scheme picks
// the listener: tcp:// takes newline-delimited lines (tcp_listen.cpp),
// http:// takes POSTed bodies (http_listen.cpp).
#include <fmt/format.h>

#include <stdexcept>

#include "flow/arguments.hpp"
#include "runtime/ingest/address.hpp"
#include "runtime/ingest/ingest.hpp"

namespace flow::ingest {
namespace {

std::string scheme_of(const std::string& address) {
  auto colon = address.find("://");
  return colon == std::string::npos ? std::string() : address.substr(0, colon);
}

// What `flow check` can tell of an http:// listener's arguments before a run.
std::string validate_http_listen(const OperatorCall& call, std::string& argument) {
  if (call.args.count("max_line") != 0) {
    argument = "max_line";
    return "max_line applies to tcp:// listeners only; an http:// listener is bounded by max_body";
  }
  if (auto ack = optional_arg<Identifier>(call, "ack");
      ack && ack->name != "accepted" && ack->name != "delivered") {
    argument = "ack";
    return fmt::format("expected ack=accepted or ack=delivered, got {}", ack->name);
  }
  if (auto max = optional_arg<std::int64_t>(call, "max_connections"); max && *max < 1) {
    argument = "max_connections";
    return fmt::format("max_connections must be at least 1, got {}", *max);
  }
  return "";
}

}  // namespace

std::unique_ptr<SourceOperator> make_listen(const OperatorCall& call) {
  auto address = required_arg<std::string>(call, "address");
  auto scheme = scheme_of(address);
  if (scheme == "tcp") return make_tcp_listen(call);
  if (scheme == "http") return make_http_listen(call);
  throw std::invalid_argument(fmt::format("listen: unknown scheme in '{}'", address));
}

OperatorPlan plan_listen(const OperatorCall& call) {
  OperatorPlan plan;
  // What only one reader can have: two listeners on one address are an error
  // (the second could not bind), and `flow tune` refuses it. Port 0 is a
  // fresh port for each, so the call's place tells them apart.
  std::string error;
  auto address = parse_address(required_arg<std::string>(call, "address"), error);
  plan.outside_input = address ? to_string(*address) : required_arg<std::string>(call, "address");
  if (address && address->port == 0) plan.outside_input += fmt::format(" (line {})", call.location.line);
  plan.endless = "listen ends only when stopped";
  return plan;
}

std::string validate_listen(const OperatorCall& call, std::string& argument) {
  std::string error;
  auto address = parse_address(required_arg<std::string>(call, "address"), error);
  if (address && address->scheme == "tcp") return validate_tcp_listen(call, argument);
  if (address && address->scheme == "http") return validate_http_listen(call, argument);
  argument = "address";
  if (!address) return error;
  return fmt::format("expected an address starting tcp:// or http://, got \"{}\"",
                     required_arg<std::string>(call, "address"));
}

}  // namespace flow::ingest
