#include "flow/registry.hpp"

#include <fmt/format.h>

#include <re2/re2.h>

#include "runtime/calls/calls.hpp"
#include "runtime/fields/register.hpp"
#include "runtime/ingest/ingest.hpp"
#include "runtime/model/value_limits.hpp"
#include "runtime/ops/builtins.hpp"

namespace flow {

const char* to_string(Role role) {
  switch (role) {
    case Role::Source:
      return "source";
    case Role::Stage:
      return "stage";
    case Role::Sink:
      return "sink";
  }
  return "?";
}

void OperatorRegistry::add(OperatorSpec spec) {
  auto name = spec.name;
  specs_.insert_or_assign(std::move(name), std::move(spec));
}

const OperatorSpec* OperatorRegistry::find(const std::string& name) const {
  auto found = specs_.find(name);
  return found == specs_.end() ? nullptr : &found->second;
}

std::optional<OperatorPlan> OperatorRegistry::plan(const OperatorCall& call) const {
  const auto* spec = find(call.name);
  if (spec == nullptr || !spec->plan) return std::nullopt;
  // As with a validator: a call the plan cannot read (an argument of the
  // wrong kind, in a call built by hand) is one the planner knows nothing of.
  try {
    return spec->plan(call);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

std::vector<std::string> OperatorRegistry::names() const {
  std::vector<std::string> names;
  names.reserve(specs_.size());
  for (const auto& entry : specs_) names.push_back(entry.first);
  return names;
}

std::optional<double> optional_decimal(const OperatorCall& call, const std::string& name) {
  auto found = call.args.find(name);
  if (found == call.args.end()) return std::nullopt;
  if (const auto* decimal = std::get_if<double>(&found->second)) return *decimal;
  if (const auto* integer = std::get_if<std::int64_t>(&found->second)) return static_cast<double>(*integer);
  throw std::invalid_argument(fmt::format("{}: argument '{}' has the wrong kind", call.name, name));
}

namespace ops {

std::string regex_error(const std::string& pattern) {
  RE2 regex(pattern, RE2::Quiet);
  return regex.ok() ? "" : fmt::format("invalid regular expression: {}", regex.error());
}

std::string rewrite_error(const std::string& pattern, const std::string& rewrite) {
  RE2 regex(pattern, RE2::Quiet);
  std::string error;
  if (!regex.ok() || regex.CheckRewriteString(rewrite, &error)) return "";
  return fmt::format("invalid replacement: {}", error);
}

}  // namespace ops

namespace {

using Validate = std::function<std::string(const OperatorCall&, std::string&)>;
using Plan = std::function<OperatorPlan(const OperatorCall&)>;

// The checker reports missing and mistyped arguments itself; a validator only
// judges values that are there, so a call it cannot read is not its concern.
Validate guarded(Validate validate) {
  if (!validate) return validate;
  return [validate = std::move(validate)](const OperatorCall& call, std::string& argument) -> std::string {
    try {
      return validate(call, argument);
    } catch (const std::invalid_argument&) {
      return "";
    }
  };
}

ArgumentSpec required(std::string name, ValueKind kind, bool positional = true) {
  return ArgumentSpec{std::move(name), kind, true, std::nullopt, positional};
}

/// A duration that may be random: `delay(exponential(10ms))`.
ArgumentSpec random_duration(std::string name) {
  auto spec = required(std::move(name), ValueKind::Duration);
  spec.random = true;
  return spec;
}

ArgumentSpec optional(std::string name, ValueKind kind, std::optional<Value> fallback = std::nullopt,
                      bool positional = false) {
  return ArgumentSpec{std::move(name), kind, false, std::move(fallback), positional};
}

/// An optional duration that may be random: `every=exponential(1s)`.
ArgumentSpec optional_random(std::string name, bool positional = false) {
  auto spec = optional(std::move(name), ValueKind::Duration, std::nullopt, positional);
  spec.random = true;
  return spec;
}

/// A constant duration argument, when the call has one: a distribution's
/// parameters were checked where it was written.
std::optional<Duration> constant_duration(const OperatorCall& call, const std::string& name) {
  auto found = call.args.find(name);
  if (found == call.args.end()) return std::nullopt;
  if (const auto* duration = std::get_if<Duration>(&found->second)) return *duration;
  return std::nullopt;
}

// Every built-in says what it costs the planner: the plan is not optional here.
OperatorSpec stage(std::string name, std::vector<ArgumentSpec> args, std::string summary,
                   std::function<std::unique_ptr<Operator>(const OperatorCall&)> make, Plan plan,
                   Validate validate = {}) {
  OperatorSpec spec;
  spec.name = std::move(name);
  spec.role = Role::Stage;
  spec.args = std::move(args);
  spec.summary = std::move(summary);
  spec.make = std::move(make);
  spec.plan = std::move(plan);
  spec.validate = guarded(std::move(validate));
  return spec;
}

OperatorSpec sink(std::string name, std::vector<ArgumentSpec> args, std::string summary,
                  std::function<std::unique_ptr<Operator>(const OperatorCall&)> make, Plan plan,
                  Validate validate = {}) {
  auto spec = stage(std::move(name), std::move(args), std::move(summary), std::move(make), std::move(plan),
                    std::move(validate));
  spec.role = Role::Sink;
  return spec;
}

OperatorSpec source(std::string name, std::vector<ArgumentSpec> args, std::string summary,
                    std::function<std::unique_ptr<SourceOperator>(const OperatorCall&)> make, Plan plan,
                    Validate validate) {
  OperatorSpec spec;
  spec.name = std::move(name);
  spec.role = Role::Source;
  spec.args = std::move(args);
  spec.summary = std::move(summary);
  spec.make_source = std::move(make);
  spec.plan = std::move(plan);
  spec.validate = guarded(std::move(validate));
  return spec;
}

// `arrivals=even` (the default) spaces messages 1/rate apart; `poisson` draws
// exponential gaps, which need a rate and say nothing of bursts.
std::string validate_arrivals(const OperatorCall& call, bool has_burst) {
  auto arrivals = ops::optional_arg<Identifier>(call, "arrivals").value_or(Identifier{"even"}).name;
  if (arrivals != "even" && arrivals != "poisson") {
    return fmt::format("unknown arrivals '{}'; expected even or poisson", arrivals);
  }
  if (arrivals == "poisson" && !ops::optional_arg<Rate>(call, "rate")) return "arrivals=poisson needs a rate";
  if (arrivals == "poisson" && has_burst)
    return "arrivals=poisson paces by rate alone; it does not take burst";
  return "";
}

std::string validate_generate(const OperatorCall& call, std::string& argument) {
  if (auto count = ops::optional_arg<std::int64_t>(call, "count"); count && *count < 0) {
    argument = "count";
    return fmt::format("count must be at least 0, got {}", *count);
  }
  if (auto size = ops::optional_arg<Size>(call, "size"); size && size->bytes > limits::largest_payload) {
    argument = "size";
    return fmt::format("size must be at most {}, the largest message flow makes, got {}",
                       to_string(Value{Size{limits::largest_payload}}), to_string(Value{*size}));
  }
  if (auto rate = ops::optional_arg<Rate>(call, "rate"); rate && !(rate->per_second > 0)) {
    argument = "rate";
    return "rate must be more than 0 per second";
  }
  auto burst = ops::optional_arg<std::int64_t>(call, "burst");
  auto every = constant_duration(call, "every");
  if (auto error = validate_arrivals(call, burst.has_value()); !error.empty()) {
    argument = "arrivals";
    return error;
  }
  if (burst.has_value() != (call.args.count("every") != 0)) {
    argument = burst ? "burst" : "every";
    return burst ? "burst needs every (the pause between bursts)"
                 : "every needs burst (the messages per burst)";
  }
  if (burst && *burst < 1) {
    argument = "burst";
    return fmt::format("burst must be at least 1, got {}", *burst);
  }
  if (every && every->value.count() <= 0) {
    argument = "every";
    return "every must be longer than 0s";
  }
  return "";
}

std::string validate_path(const OperatorCall& call, std::string& argument) {
  if (!ops::required_arg<std::string>(call, "path").empty()) return "";
  argument = "path";
  return "path must not be empty";
}

std::string validate_read(const OperatorCall& call, std::string& argument) {
  if (auto max_line = ops::optional_arg<Size>(call, "max_line"); max_line && max_line->bytes == 0) {
    argument = "max_line";
    return "max_line must be more than 0B";
  }
  if (ops::optional_arg<bool>(call, "follow").value_or(false)) {
    if (auto error = ingest::validate_follow(call, argument); !error.empty()) return error;
  }
  return validate_path(call, argument);
}

Validate positive_duration(const std::string& name) {
  return [name](const OperatorCall& call, std::string& argument) -> std::string {
    auto constant = constant_duration(call, name);
    if (!constant || constant->value.count() >= 0) return "";
    argument = name;
    return fmt::format("{} must not be negative", name);
  };
}

std::string validate_batch(const OperatorCall& call, std::string& argument) {
  if (auto max = ops::required_arg<std::int64_t>(call, "max"); max < 1) {
    argument = "max";
    return fmt::format("max must be at least 1, got {}", max);
  }
  if (auto max = ops::required_arg<std::int64_t>(call, "max"); max > limits::largest_batch) {
    argument = "max";
    return fmt::format("max must be at most {}, got {}", limits::largest_batch, max);
  }
  if (auto within = constant_duration(call, "within"); within && within->value.count() <= 0) {
    argument = "within";
    return "within must be longer than 0s";
  }
  return "";
}

std::string validate_throttle(const OperatorCall& call, std::string& argument) {
  if (ops::required_arg<Rate>(call, "rate").per_second > 0) return "";
  argument = "rate";
  return "rate must be more than 0 per second";
}

std::string validate_pattern(const OperatorCall& call, std::string& argument) {
  auto error = ops::regex_error(ops::required_arg<std::string>(call, "pattern"));
  if (!error.empty()) argument = "pattern";
  return error;
}

std::string validate_replace(const OperatorCall& call, std::string& argument) {
  if (auto error = validate_pattern(call, argument); !error.empty()) return error;
  auto error = ops::rewrite_error(ops::required_arg<std::string>(call, "pattern"),
                                  ops::required_arg<std::string>(call, "with"));
  if (!error.empty()) argument = "with";
  return error;
}

std::string validate_sample(const OperatorCall& call, std::string& argument) {
  auto probability = ops::optional_decimal(call, "probability").value_or(-1);
  if (probability >= 0 && probability <= 1) return "";
  argument = "probability";
  return fmt::format("probability must be between 0 and 1, got {}", probability);
}

void register_sources(OperatorRegistry& registry) {
  registry.add(source("generate",
                      {optional("count", ValueKind::Integer), optional("size", ValueKind::Size, Size{16}),
                       optional("rate", ValueKind::Rate), optional("burst", ValueKind::Integer),
                       optional_random("every"), optional("arrivals", ValueKind::Identifier)},
                      "synthetic messages of `size` bytes; endless without `count`; paced by `rate` and "
                      "`burst`/`every`",
                      ops::make_generate, ops::plan_generate, validate_generate));
  registry.add(
      source("read",
             {required("path", ValueKind::String), optional("max_line", ValueKind::Size, Size{1 << 20}),
              optional("follow", ValueKind::Boolean, false)},
             "the lines of a file, one message each; \"-\" reads standard input; a line over `max_line` "
             "fails the run; `follow=true` follows a growing, rotated file like tail -F",
             ops::make_read, ops::plan_read, validate_read));
  registry.add(
      source("listen",
             {required("address", ValueKind::String), optional("max_connections", ValueKind::Integer),
              optional("idle_timeout", ValueKind::Duration), optional("max_line", ValueKind::Size),
              optional("timeout", ValueKind::Duration), optional("max_body", ValueKind::Size),
              optional("ack", ValueKind::Identifier)},
             "messages from the network: lines over TCP (\"tcp://127.0.0.1:5140\") or POSTed "
             "bodies over HTTP (\"http://127.0.0.1:8080/ingest\")",
             ingest::make_listen, ingest::plan_listen, ingest::validate_listen));
}

void register_stages(OperatorRegistry& registry) {
  registry.add(stage("delay", {random_duration("duration")},
                     "wait `duration` per message without holding a thread (simulates I/O)", ops::make_delay,
                     ops::plan_delay, positive_duration("duration")));
  registry.add(stage("spin", {random_duration("duration")},
                     "burn `duration` of CPU per message (simulates CPU work)", ops::make_spin,
                     ops::plan_spin, positive_duration("duration")));
  registry.add(
      stage("batch", {required("max", ValueKind::Integer), optional_random("within", true)},
            "collect up to `max` messages, or those that arrive within `within` of the first, into one batch",
            ops::make_batch, ops::plan_batch, validate_batch));
  registry.add(
      stage("unbatch", {}, "split each batch back into its messages", ops::make_unbatch, ops::plan_unbatch));
  registry.add(stage("throttle", {required("rate", ValueKind::Rate)}, "pass at most `rate` messages",
                     ops::make_throttle, ops::plan_throttle, validate_throttle));
}

void register_text(OperatorRegistry& registry) {
  registry.add(
      stage("grep", {required("pattern", ValueKind::String), optional("invert", ValueKind::Boolean, false)},
            "keep the messages whose payload matches the regex `pattern` (`invert=true`: that do not)",
            ops::make_grep, ops::plan_cheap, validate_pattern));
  registry.add(stage("replace", {required("pattern", ValueKind::String), required("with", ValueKind::String)},
                     "replace every match of `pattern` by `with` (\\1 names a group)", ops::make_replace,
                     ops::plan_replace, validate_replace));
  registry.add(stage("upper", {}, "ASCII letters to upper case", ops::make_upper, ops::plan_cheap));
  registry.add(stage("lower", {}, "ASCII letters to lower case", ops::make_lower, ops::plan_cheap));
  registry.add(stage("prefix", {required("text", ValueKind::String)}, "put `text` before each payload",
                     ops::make_prefix, ops::plan_prefix));
  registry.add(stage(
      "sample",
      {required("probability", ValueKind::Decimal), optional("seed", ValueKind::Integer, std::int64_t{1})},
      "keep each message with `probability` (repeatable for a given `seed`)", ops::make_sample,
      ops::plan_sample, validate_sample));
}

void register_sinks(OperatorRegistry& registry) {
  registry.add(sink("discard", {}, "count and drop each message", ops::make_discard, ops::plan_cheap));
  registry.add(sink("stdout", {}, "print each payload on its own line", ops::make_stdout, ops::plan_cheap));
  registry.add(sink("write", {required("path", ValueKind::String)},
                    "write each payload as a line to the file `path`", ops::make_write, ops::plan_write,
                    validate_path));
}

}  // namespace

void register_builtin_operators(OperatorRegistry& registry) {
  register_sources(registry);
  register_stages(registry);
  register_text(registry);
  register_sinks(registry);
  calls::register_calls(registry);
  register_expressions(registry);
  register_route(registry);
  fields::register_parsers(registry);
  fields::register_formats(registry);
  fields::register_counting(registry);
}

const OperatorRegistry& builtin_operators() {
  static const OperatorRegistry registry = [] {
    OperatorRegistry built;
    register_builtin_operators(built);
    return built;
  }();
  return registry;
}

}  // namespace flow
