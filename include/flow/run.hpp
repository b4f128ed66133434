#pragma once
// Run a checked pipeline on a oneTBB flow graph and measure it. The only
// public entry point into the runtime; TBB stays behind it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "flow/metrics.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow {

struct RunOptions {
  int threads = 0;                                       ///< worker pool size; 0 = all cores
  std::optional<std::chrono::nanoseconds> duration;      ///< stop the sources after this long, then drain
  std::optional<std::uint64_t> memory_limit;             ///< bytes held in messages; passing it fails the run
  std::optional<std::chrono::nanoseconds> report_every;  ///< call on_report at this interval
  std::function<void(const RunMetrics&)> on_report;      ///< a live snapshot (status Running), from a monitor thread
  const std::atomic<bool>* interrupt = nullptr;          ///< set (e.g. by SIGINT): stop sources, drain, status Interrupted
  /// Called once, on the calling thread, when the run's status is known and
  /// before the messages it still holds are let go (a cut edge then gives
  /// back, rather than acknowledges, what a failed run did not finish).
  std::function<void(RunStatus)> on_over;
};

/// Runs to completion. Never throws for a failed run: the status and error say so.
RunMetrics run(const Pipeline& pipeline, const OperatorRegistry& registry, const RunOptions& options);

/// For a crash handler (SIGSEGV in an operator): what the calling thread runs
/// for a run now, as "stage parse (operator reverse from plugin
/// ./libreverse.so)", or "stage parse" between operators; nullptr when it
/// runs nothing of a run. Async-signal-safe: it reads one thread-local pointer.
const char* running_operator() noexcept;

/// Kills (SIGKILL) the process group of every child `exec` started and has
/// not yet reaped. For a handler that ends flow at once (a second Ctrl-C, a
/// crash): the children run in groups of their own, so the terminal's
/// signal never reaches them. Async-signal-safe.
void kill_child_groups() noexcept;

}  // namespace flow
