#pragma once
// `flow plot`: a --trace CSV drawn as an SVG of queue depth over time, one
// polyline per edge, with axes and a legend. Written by hand with fmt: no
// plotting dependency.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace flow::cli {

/// One edge's queue depth over time: (time_s, held) in sample order.
struct Series {
  std::string name;  ///< `a->b`
  std::vector<std::pair<double, double>> points;
};

/// The edge rows of a trace CSV, one series per edge in order of first appearance.
/// nullopt with `error` set when the header or a row is malformed.
std::optional<std::vector<Series>> read_trace_edges(const std::string& csv, std::string& error);

/// The stretch of time a plot shows, in seconds since the run's start: from
/// `from` (0, the start, by default) to `to` (the last sample by default).
struct PlotWindow {
  double from = 0;
  std::optional<double> to;
};

/// The series named in `edges` (all when empty; `a -> b` is `a->b`), in the
/// trace's order, each with its samples inside `window` (both ends included)
/// and nothing else: no point is added at a window's edge. nullopt with
/// `error` set when a name is no edge of the trace (naming those it has) or no
/// sample falls inside the window (saying when the trace has some).
std::optional<std::vector<Series>> select_series(std::vector<Series> all,
                                                 const std::vector<std::string>& edges,
                                                 const PlotWindow& window, std::string& error);

/// A standalone SVG document plotting `series`, titled `title`: each series a
/// line through its samples and nothing else (a lone sample is a dot); the
/// time axis spans `window`, its end the last sample when `window.to` is unset.
std::string plot_svg(const std::vector<Series>& series, const std::string& title,
                     const PlotWindow& window = {});

/// `text` with &, <, >, " escaped for XML.
std::string xml_escape(const std::string& text);

}  // namespace flow::cli
