#pragma once
// Internal to runtime/calls: the line protocol of exec's long-lived children
// (one answer line per input line, as Benthos's subprocess and awk's
// coprocesses have it), and writing lines to a sink's child.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/calls/exec_child.hpp"

namespace flow::calls {

/// Lines to write: the bytes, and after each line's newline its end offset.
struct Lines {
  std::string bytes;
  std::vector<std::size_t> ends;
  void add(std::string_view line) {
    bytes.append(line);
    bytes.push_back('\n');
    ends.push_back(bytes.size());
  }
  std::size_t size() const { return ends.size(); }
};

/// How an exchange with a child went.
struct Exchange {
  std::size_t written = 0;    ///< lines that went into its input whole
  bool exited = false;        ///< its output ended, or its input was closed, before every answer came
  bool timed_out = false;     ///< no byte went either way for the whole timeout
  bool extra_output = false;  ///< it wrote more than one answer line for a line: nothing was exchanged
  bool stopped = false;       ///< the run failed meanwhile: it gave up waiting
};

/// Asked while an exchange waits: true once the run has failed, so that a
/// slow child does not keep a failed run alive for its whole timeout.
using StopAsked = std::function<bool()>;

/// A long-lived child that answers lines, with its stderr pumped to flow's.
class LineChild {
 public:
  /// `label`: what stderr lines are prefixed with (the node's name).
  LineChild(const ChildSetup& setup, const std::string& label);

  /// Writes `lines` and reads one answer line per line written into
  /// `answers` (appended, without their newlines), polling both pipes so
  /// that neither side waits on a full pipe. Stops at the first of: every
  /// answer came, the child went away, `timeout` passed with no progress.
  Exchange exchange(const Lines& lines, std::vector<std::string>& answers, std::chrono::milliseconds timeout,
                    const StopAsked& stopping = {});
  /// Writes `lines` to a child whose output is not captured (a sink's).
  Exchange write_all(const Lines& lines, std::chrono::milliseconds timeout, const StopAsked& stopping = {});

  /// Why it is gone: "python3 (pid 12) was killed by SIGSEGV NOTE; its last
  /// standard error: ...". Waits briefly for it to end, ending it if it does not.
  std::string gone(const std::string& note);
  /// End of input: closes its input and waits up to `wait` for it to exit
  /// (what is left of the `stated` timeout, which the message names);
  /// "" when it exited with status 0, else why not.
  std::string finish(std::chrono::milliseconds wait, std::chrono::milliseconds stated);
  /// Closes its input (the first half of finish), so that several children
  /// can be told at once and then waited for under one deadline.
  void close_input() { process_.close_in(); }
  /// How many answers it gave in all.
  std::size_t answered() const { return answered_; }
  const std::string& program() const { return program_; }
  ChildProcess& process() { return process_; }

 private:
  std::size_t take_answers(std::vector<std::string>& answers, std::size_t wanted);
  /// Reads what it wrote unasked, without waiting: true when there was some.
  bool output_waiting();
  std::string describe(int status, const std::string& note = "");

  std::string program_;
  ChildProcess process_;
  std::unique_ptr<StderrPump> stderr_;
  std::string buffer_;       // read from its output, not yet taken as answers
  std::size_t scanned_ = 0;  // buffer_ before this holds no newline
  std::size_t answered_ = 0;
};

/// ssize_t write(2) that never raises SIGPIPE in a process that did not
/// ignore it (a program embedding flow): EPIPE comes back as an error instead.
long write_quietly(int fd, const char* data, std::size_t size);

}  // namespace flow::calls

namespace flow::calls {

/// What one run of a program on one message gave (exec's per=message).
struct OnceResult {
  std::string output;  ///< its whole standard output, when captured
  std::string error;   ///< "" when it exited with status 0, else why it failed
};

/// Runs a program once with `input` on its standard input, reading its
/// output as it writes it, for at most `timeout` in all.
OnceResult run_once(const ChildSetup& setup, std::string_view input, std::chrono::milliseconds timeout,
                    const std::string& label);

}  // namespace flow::calls
