#pragma once
// Internal to runtime/calls: a program run as a child of flow for exec(),
// with pipes to its standard streams, and the end of it: closed input, a
// grace, SIGTERM, SIGKILL, always reaped (no zombie, no orphan left behind).
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace flow::calls {

/// The program could not be started at all (not found, not executable): no
/// later message would fare better, so the run fails.
class SpawnError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// How a child is started.
struct ChildSetup {
  std::vector<std::string> argv;  ///< argv[0] is looked up in PATH (posix_spawnp)
  std::vector<std::string> env;   ///< its whole environment, "NAME=value"
  bool capture_stdout = true;     ///< false: flow's own standard output (a sink's child)
  bool capture_stderr = true;     ///< false: flow's own standard error
};

/// The environment exec's children get: flow's, with PYTHONUNBUFFERED=1 so
/// that a Python script answers each line as it writes it.
std::vector<std::string> child_environment();

/// "exited with status 3", "was killed by SIGSEGV".
std::string describe_status(int status);

/// Whether `status` (from waitpid) is a clean exit.
bool clean_exit(int status);

/// A running child. Its end of each pipe is non-blocking and close-on-exec.
class ChildProcess {
 public:
  /// Starts it in a process group of its own (a Ctrl-C at the terminal goes
  /// to flow, which ends its children in order), with default signal
  /// dispositions and no descriptor of flow's but its three standard ones.
  explicit ChildProcess(const ChildSetup& setup);
  /// stop(): a child is never left running nor unreaped.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  int in() const { return in_; }    ///< write end of its standard input; -1 once closed
  int out() const { return out_; }  ///< read end of its standard output; -1 when not captured
  int err() const { return err_; }  ///< read end of its standard error; -1 when not captured
  /// Takes the stderr descriptor over (a StderrPump reads it from here on).
  int release_err();

  void close_in();
  /// Waits up to `limit` for it to exit; its waitpid status, or nullopt.
  std::optional<int> wait_for(std::chrono::milliseconds limit);
  /// Ends it: closes its input, waits `grace`, sends SIGTERM to its group,
  /// waits `grace` again, then SIGKILL. Returns its status.
  int stop(std::chrono::milliseconds grace);
  /// Sends `signal` to its process group, unless it has been reaped.
  void signal_group(int signal);
  /// Its status once it has exited (after wait_for or stop).
  std::optional<int> status() const { return status_; }

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::optional<int> status_;
};

/// Ends several children at once: their inputs closed, one grace for all,
/// SIGTERM to those left, one more grace, then SIGKILL; all reaped.
void stop_all(const std::vector<ChildProcess*>& children, std::chrono::milliseconds grace);

/// Reads a child's standard error on a thread of its own, so that a chatty
/// child never blocks on it: each line goes to flow's standard error as it
/// comes, prefixed with the node's name, and the last few are kept for the
/// message that tells why the child failed.
class StderrPump {
 public:
  StderrPump(int fd, std::string prefix);
  ~StderrPump();
  StderrPump(const StderrPump&) = delete;
  StderrPump& operator=(const StderrPump&) = delete;
  /// The last lines, once the child's stderr ended (waiting up to `limit`
  /// for that: a grandchild may hold it open).
  std::string tail(std::chrono::milliseconds limit);

 private:
  void run();
  void line(const std::string& text);

  int fd_;
  std::string prefix_;
  std::mutex mutex_;
  std::condition_variable ended_cv_;
  bool ended_ = false;  ///< its stderr reached its end (or the pump was stopped)
  bool stop_ = false;   ///< the destructor asks the thread to stop
  std::deque<std::string> last_;
  std::thread thread_;
};

}  // namespace flow::calls
