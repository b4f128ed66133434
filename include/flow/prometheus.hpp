#pragma once
// A run's metrics in the Prometheus text exposition format, version 0.0.4:
// what `flow run --metrics-port` serves on /metrics. A pure function of the
// snapshot, so what a scrape shows is tested without a server. The families,
// their types and labels: docs/watching.md, "Prometheus".
#include <string>
#include <string_view>

#include "flow/metrics.hpp"

namespace flow {

/// The Content-Type of a response carrying to_prometheus's text.
inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// Every family, each with its HELP and TYPE lines and one sample per edge,
/// node or sink (labels `pipeline` and `edge`, `node` or `sink`). Seconds are
/// on the run's clock; an unbounded edge's capacity is +Inf.
std::string to_prometheus(const RunMetrics& metrics);

/// `value` as a label value between quotes: backslash, double quote and
/// newline escaped as `\\`, `\"` and `\n`.
std::string escape_label_value(std::string_view value);

}  // namespace flow
