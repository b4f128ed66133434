// http(url, method=POST, ...): a call to an HTTP service per message, as a
// stage (its output is the answer's body) or at the end of a sink (a 2xx
// answer delivers the message). The operator itself: http_operator.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>

#include "flow/arguments.hpp"
#include "runtime/calls/calls.hpp"
#include "runtime/calls/http_operator.hpp"

namespace flow::calls {
namespace {

constexpr std::array methods{"POST", "PUT", "PATCH", "GET", "DELETE"};
constexpr std::int64_t most_retries = 100;

std::chrono::nanoseconds duration_arg(const OperatorCall& call, const std::string& name) {
  return required_arg<Duration>(call, name).value;
}

HttpOptions options_of(const OperatorCall& call, bool sink) {
  HttpOptions options;
  options.url = required_arg<std::string>(call, "url");
  options.method = required_arg<Identifier>(call, "method").name;
  options.content_type = required_arg<std::string>(call, "content_type");
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(duration_arg(call, "timeout"));
  options.retries = static_cast<unsigned>(required_arg<std::int64_t>(call, "retries"));
  options.backoff.base = duration_arg(call, "backoff");
  options.backoff.cap = duration_arg(call, "max_backoff");
  options.sink = sink;
  return options;
}

std::string validate_url(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return fmt::format("url must start with http:// or https://, got \"{}\"", url);
  if (url.find_first_of(" \t\r\n") != std::string::npos) return "url must not contain spaces or line breaks";
  return "";
}

std::string validate_http(const OperatorCall& call, std::string& argument) {
  auto error = validate_url(required_arg<std::string>(call, "url"));
  if (!error.empty()) {
    argument = "url";
    return error;
  }
  auto method = required_arg<Identifier>(call, "method").name;
  if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
    argument = "method";
    return fmt::format("unknown method '{}'; expected POST, PUT, PATCH, GET or DELETE", method);
  }
  if (duration_arg(call, "timeout") < std::chrono::milliseconds(1)) {
    argument = "timeout";
    return "timeout must be at least 1ms";
  }
  if (auto retries = required_arg<std::int64_t>(call, "retries"); retries < 0 || retries > most_retries) {
    argument = "retries";
    return fmt::format("retries must be between 0 and {}, got {}", most_retries, retries);
  }
  if (duration_arg(call, "backoff").count() < 0) {
    argument = "backoff";
    return "backoff must not be negative";
  }
  if (duration_arg(call, "max_backoff") < duration_arg(call, "backoff")) {
    argument = "max_backoff";
    return "max_backoff must be at least backoff";
  }
  return "";
}

// The time per message is the service's, which the file does not say; what
// the planner can know is that each worker holds one message at a time and
// that the call waits in real time (the virtual clock cannot wait for it).
OperatorPlan plan_http(const OperatorCall& call) {
  OperatorPlan plan;
  plan.cost = Operator::Cost::Wait;
  plan.payload = PayloadChange::Unknown;
  auto url = call.args.find("url");
  const auto* text = url == call.args.end() ? nullptr : std::get_if<std::string>(&url->second);
  plan.outside_call = text != nullptr ? *text : "an HTTP service";
  return plan;
}

ArgumentSpec argument(std::string name, ValueKind kind, std::optional<Value> fallback) {
  return ArgumentSpec{std::move(name), kind, !fallback.has_value(), std::move(fallback), false};
}

}  // namespace

void register_http(OperatorRegistry& registry) {
  OperatorSpec spec;
  spec.name = "http";
  spec.role = Role::Stage;
  auto url = argument("url", ValueKind::String, std::nullopt);
  url.positional = true;
  spec.args = {url,
               argument("method", ValueKind::Identifier, Identifier{"POST"}),
               argument("timeout", ValueKind::Duration, Duration{std::chrono::seconds(10)}),
               argument("retries", ValueKind::Integer, std::int64_t{3}),
               argument("content_type", ValueKind::String, std::string("text/plain")),
               argument("backoff", ValueKind::Duration, Duration{std::chrono::milliseconds(100)}),
               argument("max_backoff", ValueKind::Duration, Duration{std::chrono::seconds(10)})};
  spec.summary =
      "call an HTTP service per message (a batch: one request, its members one a line), retrying network "
      "errors, 429 and 5xx with backoff; a stage outputs the answer's body, a sink delivers on 2xx";
  spec.make = [](const OperatorCall& call) { return std::make_unique<HttpCall>(options_of(call, false)); };
  spec.make_sink = [](const OperatorCall& call) {
    return std::make_unique<HttpCall>(options_of(call, true));
  };
  spec.validate = [](const OperatorCall& call, std::string& argument) -> std::string {
    try {
      return validate_http(call, argument);
    } catch (const std::invalid_argument&) {
      return "";  // a missing or mistyped argument: the checker reports it itself
    }
  };
  spec.plan = plan_http;
  registry.add(std::move(spec));
}

}  // namespace flow::calls
