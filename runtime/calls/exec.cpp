// exec("cmd", "arg", ...): a program as a stage or a sink (docs/calls.md).
#include <fmt/format.h>

#include "flow/arguments.hpp"
#include "runtime/calls/calls.hpp"
#include "runtime/calls/exec_ops.hpp"

namespace flow::calls {
namespace {

using Millis = std::chrono::milliseconds;

constexpr Millis kDefaultTimeout{10'000};

bool per_message(const OperatorCall& call) {
  return optional_arg<Identifier>(call, "per").value_or(Identifier{"line"}).name == "message";
}

std::vector<std::string> argv_of(const OperatorCall& call) {
  auto program = required_arg<std::string>(call, "program");
  // shell=true: the one string is a command line for /bin/sh, as system(3) takes it.
  if (optional_arg<bool>(call, "shell").value_or(false)) return {"/bin/sh", "-c", program};
  std::vector<std::string> argv{program};
  for (const auto& value : variadic_values(call, "args")) {
    if (const auto* text = std::get_if<std::string>(&value)) argv.push_back(*text);
  }
  return argv;
}

ExecConfig config_of(const OperatorCall& call) {
  ExecConfig config;
  config.setup.argv = argv_of(call);
  config.setup.env = child_environment();
  config.label = call.node.empty() ? call.name : call.node;
  auto timeout = optional_arg<Duration>(call, "timeout");
  config.timeout = timeout ? std::chrono::ceil<Millis>(timeout->value) : kDefaultTimeout;
  config.restart = optional_arg<bool>(call, "restart").value_or(false);
  config.per_message = per_message(call);
  return config;
}

std::string validate_exec(const OperatorCall& call, std::string& argument) {
  if (required_arg<std::string>(call, "program").empty()) {
    argument = "program";
    return "the program must not be empty";
  }
  auto per = optional_arg<Identifier>(call, "per").value_or(Identifier{"line"}).name;
  if (per != "line" && per != "message") {
    argument = "per";
    return fmt::format(
        "unknown per '{}'; expected line (one long-lived child per worker) or message "
        "(one process per message)",
        per);
  }
  if (optional_arg<bool>(call, "shell").value_or(false) && call.args.count(variadic_key("args", 1)) != 0) {
    argument = variadic_key("args", 1);
    return "with shell=true the command is the one string /bin/sh runs: write its arguments into it";
  }
  if (auto timeout = optional_arg<Duration>(call, "timeout"); timeout && timeout->value.count() <= 0) {
    argument = "timeout";
    return "timeout must be longer than 0s";
  }
  if (per == "message" && call.args.count("restart") != 0) {
    argument = "restart";
    return "restart is for a long-lived child (per=line); per=message starts a process for every message";
  }
  return "";
}

OperatorPlan plan_exec(const OperatorCall& call) {
  OperatorPlan plan;
  plan.cost = per_message(call) ? Operator::Cost::Wait : Operator::Cost::Cheap;
  plan.payload = PayloadChange::Unknown;
  plan.outside_call = fmt::format("the program {}", argv_of(call).front());
  return plan;
}

ArgumentSpec argument(std::string name, ValueKind kind) {
  return ArgumentSpec{std::move(name), kind, false, std::nullopt, false};
}

}  // namespace

void register_exec(OperatorRegistry& registry) {
  OperatorSpec spec;
  spec.name = "exec";
  spec.role = Role::Stage;
  ArgumentSpec program{"program", ValueKind::String, true, std::nullopt, true};
  ArgumentSpec args{"args", ValueKind::String, false, std::nullopt, true};
  args.variadic = true;
  spec.args = {program,
               args,
               argument("shell", ValueKind::Boolean),
               argument("per", ValueKind::Identifier),
               argument("restart", ValueKind::Boolean),
               argument("timeout", ValueKind::Duration)};
  spec.summary =
      "run a program: each line to its standard input, its answer line the new payload (a stage), or its "
      "input "
      "(a sink); `per=message`: one process per message";
  spec.make = [](const OperatorCall& call) { return make_exec_stage(config_of(call)); };
  spec.make_sink = [](const OperatorCall& call) { return make_exec_sink(config_of(call)); };
  spec.validate = [](const OperatorCall& call, std::string& culprit) -> std::string {
    try {
      return validate_exec(call, culprit);
    } catch (const std::invalid_argument&) {
      return "";  // the checker reports missing and mistyped arguments itself
    }
  };
  spec.plan = plan_exec;
  registry.add(std::move(spec));
}

}  // namespace flow::calls
