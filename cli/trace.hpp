#pragma once
// `flow run --trace PATH`: a CSV time series of every edge and node, one row
// each per sample, for `flow plot` or any spreadsheet:
//   time_s,kind,name,held,in,out,dropped,busy
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "runtime/model/metrics.hpp"

namespace flow::cli {

/// The CSV header line (without newline).
inline constexpr const char* trace_header = "time_s,kind,name,held,in,out,dropped,busy";

/// The rows of one sample (each ending in a newline). Edges give held, in, out and
/// dropped (busy empty); nodes give in, out and the busy fraction since `previous`
/// (held and dropped empty).
std::string trace_rows(const RunMetrics& sample, const RunMetrics* previous);

/// Appends samples to a CSV file.
class TraceWriter {
 public:
  /// Opens `path` and writes the header; `error` is set and ok() false when it cannot.
  TraceWriter(const std::string& path, std::string& error);
  bool ok() const { return file_ != nullptr; }

  /// Writes the rows of one sample.
  void sample(const RunMetrics& snapshot);

 private:
  struct Closer {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  std::unique_ptr<std::FILE, Closer> file_;
  std::optional<RunMetrics> previous_;
};

}  // namespace flow::cli
