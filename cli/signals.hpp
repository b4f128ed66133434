#pragma once
// Ctrl-C for `flow run`: the first SIGINT asks the run to stop its sources and
// drain (it then prints the summary and exits 130); a second one kills at once.
#include <atomic>

namespace flow::cli {

/// Exit status of an interrupted run (128 + SIGINT, as shells report it).
inline constexpr int exit_interrupted = 130;

/// Exit status of a run whose reader went away (`flow run x.flow | head`):
/// 128 + SIGPIPE, what a shell shows for a GNU tool stopped the same way.
inline constexpr int exit_broken_pipe = 141;

/// Makes every output error come back to the code that wrote: SIGPIPE and
/// SIGXFSZ are ignored (EPIPE, EFBIG instead of a silent death), and a
/// standard descriptor the process started without gets a stand-in on which
/// writes fail (EBADF), so no file opened later takes its number. Call once,
/// first thing in main.
void prepare_output_errors();

/// The flag SIGINT sets; hand its address to RunOptions::interrupt.
const std::atomic<bool>& interrupt_flag();

/// Installs the SIGINT handler. Safe to call more than once.
void install_interrupt_handler();

}  // namespace flow::cli
