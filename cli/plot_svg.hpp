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

/// A standalone SVG document plotting `series`, titled `title`.
std::string plot_svg(const std::vector<Series>& series, const std::string& title);

/// `text` with &, <, >, " escaped for XML.
std::string xml_escape(const std::string& text);

}  // namespace flow::cli
