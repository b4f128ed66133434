#pragma once
// `flow run --trace PATH`: a CSV time series of every edge and node, one row
// each per sample, for `flow plot` or any spreadsheet:
//   time_s,kind,name,held,in,out,dropped,busy
#include <optional>
#include <string>

#include "cli/output_file.hpp"
#include "flow/metrics.hpp"

namespace flow::cli {

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

}  // namespace flow::cli
