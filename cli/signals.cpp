#include "cli/signals.hpp"

#include <csignal>

namespace flow::cli {
namespace {

// A lock-free atomic is one of the few things a signal handler may touch.
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_interrupt(int) {
  if (interrupted.exchange(true)) {
    // Second Ctrl-C: the user does not want to wait for the drain.
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
  }
}

}  // namespace

const std::atomic<bool>& interrupt_flag() { return interrupted; }

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
}

}  // namespace flow::cli
