#include "cli/commands.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/load.hpp"
#include "cli/output_file.hpp"

#ifndef FLOW_VERSION
#define FLOW_VERSION "0.0.0"
#endif

namespace flow::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"run", "parse, check and run a pipeline to completion; print a summary", setup_run},
      {"check", "parse and check pipelines only; print every diagnostic", setup_check},
      {"dot", "print the topology as Graphviz DOT (or Mermaid), optionally coloured by a run", setup_dot},
      {"plan", "print the resolved topology, the memory bound and the predicted bottleneck", setup_plan},
      {"plot", "draw a --trace CSV as an SVG of queue depth over time", setup_plot},
      {"tune", "search for the least edge capacities that meet goals such as dropped=0 or p99<=200ms", setup_tune},
      {"status", "show the fill of every cut edge of a pipeline whose parts run on NATS", setup_status},
  };
  return table;
}

namespace {

std::string command_names() {
  std::string names;
  for (const auto& command : commands())
    names += fmt::format("{}{}", names.empty() ? "" : ", ", command.name);
  return names;
}

// The subcommand the command line named, if it got that far.
const CLI::App* chosen_command(const CLI::App& app) {
  auto chosen = app.get_subcommands();
  return chosen.empty() ? nullptr : chosen.front();
}

std::string help_hint(const CLI::App* command) {
  return command ? fmt::format("see 'flow {} --help'", command->get_name())
                 : std::string("see 'flow --help'");
}

// What was wrong with an argument CLI11 did not expect, in words.
std::string unexpected(const std::string& argument, const CLI::App* command) {
  if (!argument.empty() && argument.front() == '-') {
    return fmt::format("unknown option '{}'; {}", argument, help_hint(command));
  }
  if (!command) return fmt::format("unknown command '{}'; expected one of {}", argument, command_names());
  return fmt::format("unexpected argument '{}'; {}", argument, help_hint(command));
}

// CLI11's message for an error it has no better words for, after the command's name.
std::string as_is(const CLI::ParseError& error, const CLI::App* command) {
  if (!command) return error.what();
  return fmt::format("{}: {}", command->get_name(), error.what());
}

// An option given without its value: CLI11 says `--report: 1 required DURATION missing`.
std::string missing_value(const CLI::ParseError& error, const CLI::App* command) {
  std::string what = error.what();
  auto colon = what.find(": ");
  auto required = what.find(" required ");
  auto missing = what.rfind(" missing");
  if (colon == std::string::npos || required == std::string::npos || missing == std::string::npos ||
      required > missing) {
    return as_is(error, command);
  }
  auto type = what.substr(required + 10, missing - required - 10);
  return fmt::format("{} needs a value ({}); {}", what.substr(0, colon), type, help_hint(command));
}

/// One line for any error CLI11 raises, naming what was wrong.
std::string usage_message(const CLI::App& app, const CLI::ParseError& error) {
  const CLI::App* command = chosen_command(app);
  // An unknown command or option first: it explains the "required" errors that follow from it.
  auto extras = app.remaining(true);
  if (!extras.empty()) return unexpected(extras.front(), command);
  if (!command) return fmt::format("no command given; expected one of {}", command_names());
  if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) {
    for (const auto* option : command->get_options()) {
      if (!option->get_required() || option->count() != 0) continue;
      // A positional is named by its placeholder (FILE), as the usage line shows it.
      auto name = option->nonpositional() ? option->get_name() : option->get_type_name();
      return fmt::format("{}: missing {}; {}", command->get_name(), name, help_hint(command));
    }
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr) return missing_value(error, command);
  return as_is(error, command);
}

// Standard output is part of every command's result: output that did not get
// out is an error, not a success.
int checked_stdout(int status) {
  std::string error;
  int stdout_status = flush_stdout(error);
  if (status != 0 || stdout_status == 0) return status;
  if (!error.empty()) print_error(error);
  return stdout_status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"flow: run dataflow pipelines with bounded edges and real backpressure", "flow"};
  app.set_version_flag("--version", fmt::format("flow {}", FLOW_VERSION));
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, Handler>> handlers;
  for (const auto& command : commands()) {
    auto* sub = app.add_subcommand(command.name, command.description);
    handlers.emplace_back(sub, command.setup(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& done) {
    return checked_stdout(app.exit(done));  // --help, --version
  } catch (const CLI::ParseError& error) {
    print_error(usage_message(app, error));
    return exit_usage;
  }
  for (auto& [sub, handler] : handlers) {
    if (sub->parsed()) return checked_stdout(handler());
  }
  return exit_usage;
}

}  // namespace flow::cli
