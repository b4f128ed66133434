#pragma once
// The end-of-run summary of `flow run`: per node, per edge, per source balance,
// run totals, the bottleneck and, for delay/spin pipelines, predicted against
// measured throughput.
#include <optional>
#include <string>

#include "flow/metrics.hpp"
#include "flow/bound.hpp"

namespace flow::cli {

/// What `flow plan` predicted for the bottleneck stage, to set against the run.
struct PredictedThroughput {
  std::string node;
  double messages_per_s = 0;
};

/// The summary as printed (several lines, each ending in a newline); `bound`
/// is the plan's bound on what the run may hold, set beside the peaks.
std::string render_summary(const RunMetrics& metrics, const std::optional<PredictedThroughput>& predicted,
                           const HoldBound& bound);

/// `held at once: peak 12 messages of the plan's 18, 192B of payload of 288B`
std::string peak_line(const RunMetrics& metrics, const HoldBound& bound);

/// `source ingest: produced 100 = delivered 100 + dropped 0 + filtered 0 + errors 0`
/// (with `+ dead-lettered N` after delivered and `+ expired N` after dropped when non-zero);
/// `!=` and the difference when the balance does not hold: in flight when the run
/// failed (`run_failed`), else a bug in flow.
std::string balance_line(const SourceBalance& source, bool run_failed = false);

/// `elapsed 5.05 s, 19.8/s at the sinks, end-to-end latency mean 588.4 ms p50 623.2 ms p99 623.2 ms
/// max 623.2 ms, peak RSS 6.3 MiB` (the mean is exact; p50 and p99 come from the histogram's buckets)
std::string totals_line(const RunMetrics& metrics);

/// `predicted vs measured: process predicted 20.0/s, measured 19.8/s (99 %)`; when the edges into
/// the node dropped messages, `..., measured 27.5/s taken in (28 %), 72.5/s dropped in front of it`
/// ("" when the node is not in the run or no time passed).
std::string comparison_line(const RunMetrics& metrics, const PredictedThroughput& predicted);

/// `bottleneck: process — 1 worker busy 98 %, its input edge 5/5 for 92 % of the run`
/// (`bottleneck: none` when no node could be named).
std::string bottleneck_line(const Bottleneck& bottleneck);

}  // namespace flow::cli
