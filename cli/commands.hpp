#pragma once
// The subcommands of `flow`, as a table (ninja style): each entry names a
// command, says what it does, and sets up its options on a CLI11 subcommand.
#include <functional>
#include <vector>

namespace CLI {
class App;
}

namespace flow::cli {

/// Runs a command once its options are parsed; returns the exit status.
using Handler = std::function<int()>;

struct Command {
  const char* name;
  const char* description;
  /// Declares the command's options on `app` and returns the handler that reads them.
  Handler (*setup)(CLI::App& app);
};

/// Every subcommand, in the order `flow --help` lists them.
const std::vector<Command>& commands();

/// The whole command line: parses argv, dispatches, maps errors to exit status 2.
int main(int argc, char** argv);

// One setup function per subcommand, each in its cmd_*.cpp.
Handler setup_run(CLI::App& app);
Handler setup_check(CLI::App& app);
Handler setup_dot(CLI::App& app);
Handler setup_plan(CLI::App& app);
Handler setup_plot(CLI::App& app);
Handler setup_tune(CLI::App& app);
Handler setup_status(CLI::App& app);

}  // namespace flow::cli
