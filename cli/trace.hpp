#pragma once
// `flow run --trace PATH`: a CSV time series of every edge and node, one row
// each per sample, for `flow plot` or any spreadsheet:
//   time_s,kind,name,held,in,out,dropped,busy
// sampled every `--trace-interval`, whatever interval --report prints at.
#include <chrono>
#include <optional>
#include <string>

#include "cli/output_file.hpp"
#include "flow/metrics.hpp"
#include "flow/run.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace flow::cli {

/// How often the trace takes a sample without `--trace-interval`.
inline constexpr std::chrono::milliseconds trace_default_interval{100};

/// The CSV header line (without newline).
inline constexpr const char* trace_header = "time_s,kind,name,held,in,out,dropped,busy";

/// The rows of one sample (each ending in a newline). Edges give held, in, out and
/// dropped (busy empty); nodes give in, out and the busy fraction since `previous`
/// (held and dropped empty).
std::string trace_rows(const RunMetrics& sample, const RunMetrics* previous);

/// Appends samples to a CSV file. Each sample is flushed, so a disk that
/// fills up is seen at the sample that did not fit; from then on the trace
/// writes nothing more and error() says why.
class TraceWriter {
 public:
  /// Opens `path` and writes the header; ok() is false when it cannot.
  explicit TraceWriter(const std::string& path);
  bool ok() const { return file_.ok(); }
  /// `cannot write 'PATH': REASON`, once a step failed.
  const std::string& error() const { return file_.error(); }

  /// Writes the rows of one sample.
  void sample(const RunMetrics& snapshot);
  /// Flushes and closes the file; false when the trace is not complete on disk.
  bool close() { return file_.close(); }

 private:
  OutputFile file_;
  std::optional<RunMetrics> previous_;
};

/// Adds `--trace-interval DURATION` to `flow run`, after `trace` (the `--trace`
/// option, which it needs); `text` receives the value, checked as a duration.
void add_trace_interval_option(CLI::App& app, CLI::Option* trace, std::string& text);

/// Samples `trace` every `interval` (`--trace-interval`'s text; "" for the
/// default) during the run, while whatever `options.on_report` fed before
/// (reports, the page, the endpoint) keeps its own `report_every`. The monitor
/// then takes a snapshot at the greatest common divisor of the two intervals
/// (--report 1s --trace-interval 250ms: every 250ms; the shorter of the two
/// where that divisor is under a tenth of it), and hands each one to
/// the trace, the others, or both, when its own interval is due; the same
/// interval for both changes nothing. Call once report_every and on_report
/// are set; the trace then gets no sample but from here (and the last one).
void sample_trace_every(RunOptions& options, TraceWriter& trace, const std::string& interval);

}  // namespace flow::cli
