#include "cli/signals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
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

void prepare_output_errors() {
  // Killed by SIGPIPE, a run could not write its metrics JSON nor say why it
  // stopped; ignored, the write returns EPIPE and the sink ends the run (141).
  std::signal(SIGPIPE, SIG_IGN);
  // Killed by SIGXFSZ (a file past `ulimit -f`), the run would leave a cut
  // file and no message; ignored, the write fails with EFBIG and the sink
  // fails the run naming the file.
  std::signal(SIGXFSZ, SIG_IGN);
  // `flow run x.flow >&-`: the first file the run opens would get number 1 and
  // stdout() would write into it. /dev/null opened the wrong way round holds
  // the number and fails every write (EBADF), as gnulib's stdopen does.
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    int stand_in = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
    if (stand_in >= 0 && stand_in != fd) close(stand_in);  // a lower number was free: nothing to hold
  }
}

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
}

}  // namespace flow::cli
