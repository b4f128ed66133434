#include "cli/signals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "flow/metrics_json.hpp"
#include "flow/run.hpp"

namespace flow::cli {
namespace {

constexpr int stopping_signals[] = {SIGINT, SIGTERM, SIGHUP};

// Lock-free atomics are among the few things a signal handler may touch.
std::atomic<bool> interrupted{false};
std::atomic<int> first_signal{0};
std::atomic<bool> holding{false};   // the run is over; only --ui-hold's page is waiting
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
  // exec's children are in groups of their own, out of the terminal's reach:
  // they go first, or they would outlive flow.
  flow::kill_child_groups();
  // Dying by the signal itself (not exit) lets the parent see what killed us;
  // it stays blocked until this handler returns, then the default action runs.
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  sigaction(signal, &fallback, nullptr);
  raise(signal);
}

constexpr int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

const char* crash_name(int signal) {
  switch (signal) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    default:
      return "SIGABRT";
  }
}

// The metrics JSON a crash writes: the text before and after the error's
// string. Two slots, so the watcher fills one while the handler may read the
// other; once a crash has begun the watcher fills none (see keep_metrics_for_crash).
struct CrashJson {
  std::string path, before, after;
};
CrashJson crash_json[2];
std::atomic<int> crash_json_ready{-1};  // the slot to write, -1 for none
std::atomic<bool> crashing{false};
constexpr const char* crash_mark = "flow-crash-error";

void write_all(int fd, const char* text, std::size_t size) {
  while (size > 0) {
    auto written = write(fd, text, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    text += written;
    size -= static_cast<std::size_t>(written);
  }
}

void write_text(int fd, const char* text) {
  write_all(fd, text, std::strlen(text));
}

// `text` inside a JSON string: quotes, backslashes and control characters escaped, nothing allocated.
void write_json_text(int fd, const char* text) {
  char buffer[256];
  std::size_t used = 0;
  for (; *text != '\0'; ++text) {
    char piece[6] = {*text};
    std::size_t size = 1;
    auto c = static_cast<unsigned char>(*text);
    if (c == '"' || c == '\\') {
      piece[0] = '\\';
      piece[1] = *text;
      size = 2;
    } else if (c < 0x20) {
      const char* hex = "0123456789abcdef";
      std::memcpy(piece, "\\u00", 4);
      piece[4] = hex[c >> 4];
      piece[5] = hex[c & 0xf];
      size = 6;
    }
    if (used + size > sizeof buffer) {
      write_all(fd, buffer, used);
      used = 0;
    }
    std::memcpy(buffer + used, piece, size);
    used += size;
  }
  write_all(fd, buffer, used);
}

// "stage parse (operator reverse from plugin ./libreverse.so) crashed: SIGSEGV", in pieces.
void write_crash(int fd, const char* running, const char* name, void (*put)(int, const char*)) {
  if (running != nullptr) {
    put(fd, running);
    put(fd, " crashed: ");
  } else {
    put(fd, "crashed: ");
  }
  put(fd, name);
}

void write_crash_json(const char* running, const char* name) {
  crashing.store(true);
  int slot = crash_json_ready.load();
  if (slot < 0) return;
  const CrashJson& json = crash_json[slot];
  int fd = open(json.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);  // NOLINT: a vararg call
  if (fd < 0) return;
  write_all(fd, json.before.data(), json.before.size());
  write_crash(fd, running, name, write_json_text);
  write_all(fd, json.after.data(), json.after.size());
  close(fd);
}

extern "C" void on_crash(int signal) {
  int saved_errno = errno;
  const char* name = crash_name(signal);
  const char* running = flow::running_operator();
  write_text(STDERR_FILENO, "flow: error: ");
  write_crash(STDERR_FILENO, running, name, write_text);
  write_text(STDERR_FILENO, "\n");
  write_crash_json(running, name);
  flow::kill_child_groups();  // exec's children would outlive a crashed flow
  errno = saved_errno;
  // SA_RESETHAND gave the signal its default action back. Raised here it waits
  // until the handler returns (it is blocked meanwhile), then kills the
  // process by the signal; a fault would also come again from the same instruction.
  raise(signal);
}

// The main thread's; the runtime gives each of its worker threads one (flow::exec::ensure_signal_stack).
alignas(16) char main_signal_stack[64 * 1024];

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

void install_crash_handler() {
  stack_t stack{};
  stack.ss_sp = main_signal_stack;
  stack.ss_size = sizeof main_signal_stack;
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = on_crash;
  sigemptyset(&action.sa_mask);
  // On the alternate stack, so that a stack overflow can be reported too;
  // once: a second crash while the first is reported just kills.
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  for (int signal : crash_signals) sigaction(signal, &action, nullptr);
}

void keep_metrics_for_crash(const std::string& path, const RunMetrics& snapshot) {
  // A crash has begun: the handler may be reading either slot.
  if (crashing.load()) return;
  // Reports as fast as they come (--report 1ns) need not each be serialised
  // here too: a snapshot a tenth of a second old is as good after a crash.
  // (The one before the run, at zero, does not count.)
  static std::optional<std::chrono::steady_clock::time_point> kept;
  auto now = std::chrono::steady_clock::now();
  bool live = snapshot.elapsed_s > 0;
  if (live && kept && now - *kept < std::chrono::milliseconds(100)) return;
  if (live) kept = now;
  RunMetrics crashed = snapshot;
  crashed.status = RunStatus::Failed;
  crashed.error = crash_mark;
  auto json = to_json(crashed);
  auto mark = json.find(crash_mark);
  if (mark == std::string::npos) return;
  // The slot the handler does not read now: the other one, which it reads
  // until the store below; a crash that begins meanwhile stops the next call above.
  int slot = crash_json_ready.load() == 0 ? 1 : 0;
  crash_json[slot].path = path;
  crash_json[slot].before = json.substr(0, mark);
  crash_json[slot].after = json.substr(mark + std::strlen(crash_mark));
  crash_json_ready.store(slot);
}

}  // namespace flow::cli
