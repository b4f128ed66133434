#pragma once
// Every exit status of `flow`, in one place (docs/commands.md, "Exit status").
namespace flow::cli {

/// What a command returns to the shell. Unscoped, so a handler returns one as
/// the int main() passes on.
enum ExitStatus : int {
  exit_ok = 0,
  exit_failed = 1,         ///< the run failed
  exit_output_failed = 1,  ///< an output file could not be written
  exit_usage = 2,          ///< a usage, parse or check error, or a plugin refused
  exit_not_met = 3,        ///< flow tune: no setting meets every goal
  exit_real_missed = 4,    ///< flow tune: the recommendation misses a goal on the real clock
  exit_signal_base = 128,  ///< stopped by signal N: 128 + N, as shells report it
  exit_interrupted = 130,  ///< SIGINT (128 + 2)
  exit_broken_pipe = 141,  ///< a sink's reader went away (128 + SIGPIPE): `flow ... | head`, not an error
};

}  // namespace flow::cli
