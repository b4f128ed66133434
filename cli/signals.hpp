#pragma once
// Stopping `flow run` from outside: SIGINT (Ctrl-C), SIGTERM (systemd, Docker,
// Kubernetes) and SIGHUP (a closed terminal) all ask the run to stop its
// sources and drain; it then prints the summary and exits 128 + the signal.
// A second one of any of them kills the process at once.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "cli/exit_status.hpp"
#include "flow/metrics.hpp"

namespace flow::cli {

/// Makes every output error come back to the code that wrote: SIGPIPE and
/// SIGXFSZ are ignored (EPIPE, EFBIG instead of a silent death). Call once,
/// first thing in main (guard_standard_descriptors, output_file.hpp, holds
/// the numbers of closed standard descriptors).
void prepare_output_errors();

/// The flag the first stopping signal sets; hand its address to RunOptions::interrupt.
const std::atomic<bool>& interrupt_flag();

/// The first stopping signal received (SIGINT, SIGTERM or SIGHUP), 0 when none.
int interrupt_signal();

/// The exit status of a run stopped by `interrupt_signal()`: 128 + the signal.
int interrupted_exit_status();

/// The name of `interrupt_signal()` ("SIGTERM"), for the metrics JSON; nullopt when none.
std::optional<std::string> interrupt_signal_name();

/// Waits until a stopping signal comes (returns at once if one came before);
/// its notice then says only that the page closes. For --ui-hold, after the run.
void wait_for_interrupt();

/// Waits until a stopping signal comes or `deadline` passes; true for the signal.
/// For commands that repeat at an interval until Ctrl-C (flow status --report).
bool interrupted_before(std::chrono::steady_clock::time_point deadline);

/// What the first signal stops, for its notice on standard error.
enum class Stopping {
  Run,    ///< "stopping the sources and draining" (flow run)
  Watch,  ///< "stopping the watch": a command that only reads and repeats (flow status)
};

/// Installs the handler for SIGINT, SIGTERM and SIGHUP. Safe to call more than once.
void install_interrupt_handler(Stopping what = Stopping::Run);

/// Installs the handler for a crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
/// SIGABRT), run on an alternate stack: one line on standard error naming
/// what the crashing thread ran (`flow: error: stage parse (operator reverse
/// from plugin ./libreverse.so) crashed: SIGSEGV`, flow::running_operator),
/// the metrics JSON kept for it (keep_metrics_for_crash), then death by the
/// same signal: the shell sees 128 + its number, and a core dump is written
/// where the system keeps them. It calls only async-signal-safe functions.
void install_crash_handler();

/// What a crash writes to `path` (--metrics-json): `snapshot` as a failed
/// run whose error is the crash line. Call from one thread (the run's
/// watcher), before the run and at each snapshot; it is serialised here, so
/// that the handler only writes.
void keep_metrics_for_crash(const std::string& path, const RunMetrics& snapshot);

}  // namespace flow::cli
