#pragma once
// The files `flow` itself writes (metrics JSON, trace, SVG) and its standard
// output: every open, write, flush and close is checked, so a full disk or a
// bad path is reported instead of leaving a short file behind an exit 0.
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "cli/exit_status.hpp"

namespace flow::cli {

/// One output file. After the first failure every call returns false and
/// error() keeps that failure: `cannot write 'PATH': REASON`.
class OutputFile {
 public:
  /// Opens (creates or truncates) `path` for writing.
  explicit OutputFile(std::string path);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

  /// Appends `text` (buffered: a full device may only show at flush or close).
  bool write(std::string_view text);
  /// Hands what is buffered to the OS.
  bool flush();
  /// Flushes and closes; the file is complete when this returns true.
  bool close();

 private:
  bool fail(int error_number);

  struct Closer {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  std::string path_;
  std::unique_ptr<std::FILE, Closer> file_;
  std::string error_;
};

/// Writes `text` as the whole of `path`; false with `error` set when any step fails.
bool write_whole_file(const std::string& path, std::string_view text, std::string& error);

/// Appends `text` to standard output without throwing; a failure shows at flush_stdout.
void write_stdout(std::string_view text);

/// Flushes standard output: 0 when everything printed got out; exit_broken_pipe
/// when its reader went away; else exit_output_failed with `error` set.
/// `earlier_errno`: why an earlier flush failed, if the caller knows, for when
/// only the stream's error flag is left to show it.
int flush_stdout(std::string& error, int earlier_errno = 0);

/// Writes `text` to standard error (unbuffered: at once); errno when it did not all get out, else 0.
int write_stderr(std::string_view text);

/// flush_stdout for standard error: whether everything `flow run` wrote there
/// (reports, the summary) got out. `error` says `cannot write standard error: REASON`.
int flush_stderr(std::string& error, int earlier_errno = 0);

/// Makes sure descriptors 0, 1 and 2 are open before anything else is: one
/// that is closed gets /dev/null opened onto it the wrong way round (stdin
/// write-only, stdout and stderr read-only), so that a file the command opens
/// later cannot take its number (a trace must never receive what was meant for
/// standard output) and using it still fails with EBADF.
void guard_standard_descriptors();

}  // namespace flow::cli
