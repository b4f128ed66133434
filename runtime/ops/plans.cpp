// What each built-in operator tells the planner (flow/planning.hpp). These
// read arguments without throwing: the planner also sees calls built by hand,
// where an argument may be missing, and a plan it cannot read is no plan.
#include <algorithm>
#include <chrono>
#include <variant>

#include "runtime/ops/builtins.hpp"

namespace flow::ops {
namespace {

const Value* named(const OperatorCall& call, const char* name) {
  auto found = call.args.find(name);
  return found == call.args.end() ? nullptr : &found->second;
}

// By name; by kind as a fallback, so that a call built by hand (tests, a
// user's tool) under another argument name still counts.
template <typename T>
const T* typed(const OperatorCall& call, const char* name) {
  if (const auto* value = named(call, name)) return std::get_if<T>(value);
  for (const auto& [key, value] : call.args)
    if (const auto* found = std::get_if<T>(&value)) return found;
  return nullptr;
}

/// A duration in seconds; a distribution's mean (the planner works with means).
std::optional<double> mean_seconds(const Value* value) {
  if (value == nullptr) return std::nullopt;
  if (const auto* d = std::get_if<Duration>(value)) return std::chrono::duration<double>(d->value).count();
  if (const auto* random = std::get_if<Distribution>(value)) return random->mean_seconds();
  return std::nullopt;
}

std::optional<double> number(const Value* value) {
  if (value == nullptr) return std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(value)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(value)) return *d;
  return std::nullopt;
}

OperatorPlan with_cost(Operator::Cost cost) {
  OperatorPlan plan;
  plan.cost = cost;
  return plan;
}

/// delay and spin: a worker's time per message is the duration's mean.
OperatorPlan timed(const OperatorCall& call, Operator::Cost cost) {
  auto plan = with_cost(cost);
  plan.seconds_per_message = mean_seconds(named(call, "duration"));
  return plan;
}

}  // namespace

OperatorPlan plan_cheap(const OperatorCall&) {
  return with_cost(Operator::Cost::Cheap);
}

OperatorPlan plan_generate(const OperatorCall& call) {
  auto plan = with_cost(Operator::Cost::Cheap);
  if (const auto* rate = named(call, "rate"); rate && std::holds_alternative<Rate>(*rate))
    plan.rate_limit_per_s = std::get<Rate>(*rate).per_second;
  // Both limits hold: bursts of `burst` every `every` cap the pace too.
  auto burst = number(named(call, "burst"));
  double pause = mean_seconds(named(call, "every")).value_or(0);
  if (burst && pause > 0) {
    double paced = *burst / pause;
    plan.rate_limit_per_s = plan.rate_limit_per_s ? std::min(*plan.rate_limit_per_s, paced) : paced;
  }
  if (const auto* size = named(call, "size"); size && std::holds_alternative<Size>(*size)) {
    plan.payload = PayloadChange::Sets;
    plan.payload_bytes = std::get<Size>(*size).bytes;
  }
  if (auto count = number(named(call, "count")); count && *count >= 0)
    plan.count = static_cast<std::uint64_t>(*count);
  if (named(call, "count") == nullptr) plan.endless = "generate without count";
  return plan;
}

OperatorPlan plan_read(const OperatorCall& call) {
  auto plan = with_cost(Operator::Cost::Cheap);
  plan.payload = PayloadChange::Unknown;  // a line is as long as the file makes it
  const auto* path = named(call, "path");
  const auto* text = path ? std::get_if<std::string>(path) : nullptr;
  if (text && *text == "-") plan.outside_input = "standard input";
  const auto* follow = named(call, "follow");
  if (follow && std::get_if<bool>(follow) && *std::get_if<bool>(follow)) plan.endless = "read with follow=true";
  return plan;
}

OperatorPlan plan_delay(const OperatorCall& call) {
  return timed(call, Operator::Cost::Wait);
}

// Cpu as on the real clock; under the virtual clock spin waits (Cost::Wait,
// one message at a time), which the bound's 8 per worker covers.
OperatorPlan plan_spin(const OperatorCall& call) {
  return timed(call, Operator::Cost::Cpu);
}

OperatorPlan plan_throttle(const OperatorCall& call) {
  auto plan = with_cost(Operator::Cost::Wait);
  if (const auto* rate = typed<Rate>(call, "rate")) plan.rate_limit_per_s = rate->per_second;
  return plan;
}

OperatorPlan plan_batch(const OperatorCall& call) {
  auto plan = with_cost(Operator::Cost::Cheap);
  const auto* max = named(call, "max");
  const auto* integer = max ? std::get_if<std::int64_t>(max) : nullptr;
  auto size = static_cast<std::uint64_t>(std::max<std::int64_t>(1, integer ? *integer : 1));
  plan.groups = size;
  plan.holds_back = HoldBack{size, named(call, "within") != nullptr, "max", "within"};
  return plan;
}

OperatorPlan plan_unbatch(const OperatorCall&) {
  auto plan = with_cost(Operator::Cost::Cheap);
  plan.ungroups = true;
  plan.expands = true;
  return plan;
}

OperatorPlan plan_replace(const OperatorCall&) {
  auto plan = with_cost(Operator::Cost::Cheap);
  plan.payload = PayloadChange::Unknown;  // a match may be replaced by more or fewer bytes
  return plan;
}

OperatorPlan plan_prefix(const OperatorCall& call) {
  auto plan = with_cost(Operator::Cost::Cheap);
  if (const auto* text = typed<std::string>(call, "text")) {
    plan.payload = PayloadChange::Adds;
    plan.payload_bytes = text->size();
  }
  return plan;
}

OperatorPlan plan_sample(const OperatorCall& call) {
  auto plan = with_cost(Operator::Cost::Cheap);
  if (auto probability = number(named(call, "probability"))) plan.passes = std::clamp(*probability, 0.0, 1.0);
  return plan;
}

OperatorPlan plan_write(const OperatorCall& call) {
  auto plan = with_cost(Operator::Cost::Cheap);
  const auto* path = named(call, "path");
  if (const auto* text = path ? std::get_if<std::string>(path) : nullptr) plan.writes_file = *text;
  return plan;
}

}  // namespace flow::ops
