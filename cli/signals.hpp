#pragma once
// Ctrl-C for `flow run`: the first SIGINT asks the run to stop its sources and
// drain (it then prints the summary and exits 130); a second one kills at once.
#include <atomic>

namespace flow::cli {

/// Exit status of an interrupted run (128 + SIGINT, as shells report it).
inline constexpr int exit_interrupted = 130;

/// The flag SIGINT sets; hand its address to RunOptions::interrupt.
const std::atomic<bool>& interrupt_flag();

/// Installs the SIGINT handler. Safe to call more than once.
void install_interrupt_handler();

}  // namespace flow::cli
