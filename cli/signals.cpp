#include "cli/signals.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

namespace flow::cli {
namespace {

constexpr int stopping_signals[] = {SIGINT, SIGTERM, SIGHUP};

// Lock-free atomics are among the few things a signal handler may touch.
std::atomic<bool> interrupted{false};
std::atomic<int> first_signal{0};
std::atomic<bool> holding{false};  // the run is over; only --ui-hold's page is waiting
std::atomic<bool> watching{false};  // flow status: there are no sources to stop
static_assert(std::atomic<bool>::is_always_lock_free);
static_assert(std::atomic<int>::is_always_lock_free);

// Whoever stopped the run learns that it heard and that a second signal
// stops it at once. write(2) of a constant is async-signal-safe; stdio is not.
const char* notice(int signal) {
  if (holding.load()) return "flow: closing the page\n";
  if (watching.load()) {
    switch (signal) {
      case SIGINT:
        return "flow: SIGINT: stopping the watch; a second Ctrl-C stops at once\n";
      case SIGTERM:
        return "flow: SIGTERM: stopping the watch; a second signal stops at once\n";
      default:
        return "flow: SIGHUP: stopping the watch; a second signal stops at once\n";
    }
  }
  switch (signal) {
    case SIGINT:
      return "flow: SIGINT: stopping the sources and draining; a second Ctrl-C stops at once\n";
    case SIGTERM:
      return "flow: SIGTERM: stopping the sources and draining; a second signal stops at once\n";
    default:
      return "flow: SIGHUP: stopping the sources and draining; a second signal stops at once\n";
  }
}

extern "C" void on_stopping_signal(int signal) {
  int none = 0;
  if (first_signal.compare_exchange_strong(none, signal)) {
    interrupted.store(true);
    // write() may set errno, and the code this signal interrupted may be
    // between a failed call and reading its errno (an output file's error).
    int saved_errno = errno;
    const char* text = notice(signal);
    [[maybe_unused]] auto written =
        write(STDERR_FILENO, text, std::strlen(text));  // closed stderr: no notice
    errno = saved_errno;
    return;
  }
  // A second signal: whoever sent it does not want to wait for the drain.
  // Dying by the signal itself (not exit) lets the parent see what killed us;
  // it stays blocked until this handler returns, then the default action runs.
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  sigaction(signal, &fallback, nullptr);
  raise(signal);
}

}  // namespace

const std::atomic<bool>& interrupt_flag() {
  return interrupted;
}

int interrupt_signal() {
  return first_signal.load();
}

int interrupted_exit_status() {
  int signal = interrupt_signal();
  return signal == 0 ? exit_interrupted : exit_signal_base + signal;
}

std::optional<std::string> interrupt_signal_name() {
  switch (interrupt_signal()) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return std::nullopt;
  }
}

void wait_for_interrupt() {
  holding.store(true);
  interrupted_before(std::chrono::steady_clock::time_point::max());
}

bool interrupted_before(std::chrono::steady_clock::time_point deadline) {
  // The handler may run on any thread (the server's among them), so a
  // sigsuspend here could sleep through it: the flag is polled instead, a
  // tenth of a second being quick enough for a person's Ctrl-C.
  constexpr std::chrono::nanoseconds poll = std::chrono::milliseconds(100);
  while (!interrupted.load()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min(poll, deadline - now));
  }
  return true;
}

void prepare_output_errors() {
  // Killed by SIGPIPE, a run could not write its metrics JSON nor say why it
  // stopped; ignored, the write returns EPIPE and the sink ends the run (141).
  std::signal(SIGPIPE, SIG_IGN);
  // Killed by SIGXFSZ (a file past `ulimit -f`), the run would leave a cut
  // file and no message; ignored, the write fails with EFBIG and the sink
  // fails the run naming the file.
  std::signal(SIGXFSZ, SIG_IGN);
}

void install_interrupt_handler(Stopping what) {
  watching.store(what == Stopping::Watch);
  struct sigaction action {};
  action.sa_handler = on_stopping_signal;
  // One handler at a time: a second signal arriving inside the first's handler waits its turn.
  sigemptyset(&action.sa_mask);
  for (int signal : stopping_signals) sigaddset(&action.sa_mask, signal);
  action.sa_flags = SA_RESTART;
  for (int signal : stopping_signals) {
    struct sigaction current {};
    sigaction(signal, nullptr, &current);
    // Ignored from the start (nohup, a non-interactive shell's background job):
    // whoever started us asked for that, so it stays ignored.
    if (current.sa_handler == SIG_IGN) continue;
    sigaction(signal, &action, nullptr);
  }
}

}  // namespace flow::cli
