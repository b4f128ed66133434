// listen(address): a source fed by the network. The address's scheme picks
// the listener: tcp:// takes newline-delimited lines (tcp_listen.cpp),
// http:// takes POSTed bodies (http_listen.cpp).
#include <fmt/format.h>

#include <stdexcept>

#include "flow/arguments.hpp"
#include "runtime/ingest/ingest.hpp"

namespace flow::ingest {
namespace {

std::string scheme_of(const std::string& address) {
  auto colon = address.find("://");
  return colon == std::string::npos ? std::string() : address.substr(0, colon);
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
  (void)call;
  return {};
}

std::string validate_listen(const OperatorCall& call, std::string& argument) {
  auto address = required_arg<std::string>(call, "address");
  auto scheme = scheme_of(address);
  if (scheme == "tcp" || scheme == "http") return "";
  argument = "address";
  return fmt::format("expected an address starting tcp:// or http://, got \"{}\"", address);
}

}  // namespace flow::ingest
