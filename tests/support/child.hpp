#pragma once
// A `flow` child process whose standard output the test reads line by line
// while it runs, so a test can act (send SIGINT) on what it printed rather
// than after a sleep.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace flow::test {

class Child {
 public:
  /// Starts `program` with `args`; stderr goes to a file read by `finish`, or, with
  /// `merge_stderr`, into the same pipe as stdout, so read_line sees what the
  /// child says on stderr while it runs (err() then stays empty).
  Child(const std::string& program, const std::vector<std::string>& args, bool merge_stderr = false);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  /// The next line of standard output, or nullopt at end of output or after `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  /// Sends `signal` to the child.
  void send(int signal);

  /// The child's process id (-1 after finish()).
  pid_t pid() const { return pid_; }

  /// Reads the rest of standard output (up to `timeout`), waits, and returns the exit status
  /// (128 + the signal for a child killed by one, as shells report it).
  int finish(std::chrono::milliseconds timeout);

  /// After finish(): the signal that killed the child, 0 when it exited by itself.
  /// Tells death by SIGTERM from `exit(143)`, which finish() reports alike.
  int killed_by() const { return killed_by_; }

  const std::string& out() const { return out_; }  ///< all standard output read so far
  const std::string& err() const { return err_; }  ///< standard error, after finish()

 private:
  bool fill(std::chrono::milliseconds timeout);  // reads what is there; false at end or timeout

  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool at_end_ = false;  // the child closed its standard output
  int killed_by_ = 0;
  std::string err_path_;
  std::string pending_;  // read but not yet returned by read_line
  std::string out_;
  std::string err_;
};

}  // namespace flow::test
