#pragma once
// Runs a command through the shell for tests that exercise the `flow` binary
// from the outside, capturing its exit status, standard output and error.
#include <cstdint>
#include <string>

namespace flow::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  /// Peak resident memory of the largest child this process has waited for so
  /// far (getrusage RUSAGE_CHILDREN): of this command, when it is the test's only one.
  std::uint64_t children_peak_rss_bytes = 0;
};

/// Runs `command` with /bin/sh in `directory` (empty: the current one).
ProcessResult run_command(const std::string& command, const std::string& directory = "");

/// Reads a whole file ("" when it cannot be opened).
std::string read_file(const std::string& path);

/// Writes `text` to `path`, replacing it.
void write_file(const std::string& path, const std::string& text);

/// A fresh empty directory under the system's temp directory, removed at exit of the test process.
std::string temp_directory();

/// Single-quotes `text` for /bin/sh.
std::string shell_quote(const std::string& text);

}  // namespace flow::test
