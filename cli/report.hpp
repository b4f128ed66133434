#pragma once
// Live progress reports during `flow run --report`, on standard error (data
// alone goes to standard output): on a terminal a table redrawn in place,
// otherwise one plain line per report (format in docs/commands.md; tests parse it).
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "flow/metrics.hpp"

namespace flow::cli {

/// `[0.50s] ingest->validate 5/5 validate->process 5/5 | bottleneck process`
/// (`inf` as the capacity of an unbounded edge, `-` when no bottleneck is named).
std::string report_line(const RunMetrics& snapshot);

/// The terminal table for `snapshot`, one string per row, with ANSI colours.
/// `previous` (the last snapshot, if any) gives the rates.
std::vector<std::string> report_table(const RunMetrics& snapshot, const RunMetrics* previous);

/// Prints reports to one stream (flow run: standard error), as lines or as a
/// table redrawn in place, each report in one write.
class Reporter {
 public:
  /// `terminal`: redraw a table with cursor moves instead of printing lines.
  Reporter(std::FILE* out, bool terminal);

  /// Prints one report for `snapshot` (its bottleneck already filled in).
  void report(const RunMetrics& snapshot);

  /// At the end of the run: on a terminal, the table redrawn once more with the
  /// final figures; in a pipe nothing (the summary follows).
  void finish(const RunMetrics& final_metrics);

  /// errno of the first report that could not be written, 0 when all were.
  int write_error() const { return write_error_; }

 private:
  void write(const std::string& text);

  std::FILE* out_;
  int write_error_ = 0;
  bool terminal_;
  bool shares_stdout_;  // out_ is the file or pipe standard output goes to (`2>&1`)
  std::size_t rows_drawn_ = 0;
  std::optional<RunMetrics> previous_;
};

}  // namespace flow::cli
