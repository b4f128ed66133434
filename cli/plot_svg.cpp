#include "cli/plot_svg.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <unordered_map>

#include "cli/trace.hpp"

namespace flow::cli {
namespace {

constexpr double width = 800, height = 420;
constexpr double left = 60, right = 190, top = 40, bottom = 50;
constexpr const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
// Edges in front of one bottleneck often sit at the same depth: dashes keep overlapping lines apart.
constexpr const char* dashes[] = {"none", "8 4", "3 3", "12 4 3 4"};

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, separator)) fields.push_back(field);
  if (!line.empty() && line.back() == separator) fields.emplace_back();
  return fields;
}

std::optional<double> number(const std::string& text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A trace row quoted in a message: a line of a hostile file may be megabytes long.
std::string excerpt(const std::string& line) {
  constexpr std::size_t longest = 80;
  return line.size() <= longest ? line : line.substr(0, longest) + "...";
}

// The largest time or depth drawn: no run lasts 30,000 years nor holds a
// trillion messages, and an axis up to inf or nan would never finish its ticks.
constexpr double largest_plotted = 1e12;

std::string out_of_plot_range(const char* column, const std::string& text, double value) {
  if (!std::isfinite(value)) return fmt::format("{} '{}' is not a finite number", column, excerpt(text));
  if (value < 0 || value > largest_plotted) {
    return fmt::format("{} {} is outside 0 to {:g}, the range flow plots", column, excerpt(text),
                       largest_plotted);
  }
  return "";
}

// A step of 1, 2 or 5 times a power of ten giving about five ticks up to `top_value`.
double tick_step(double top_value) {
  double raw = top_value / 5.0;
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0}) {
    if (factor * power >= raw) return factor * power;
  }
  return 10.0 * power;
}

struct Frame {
  double min_time, max_time, max_held;
  double x(double t) const { return left + (t - min_time) / (max_time - min_time) * (width - left - right); }
  double y(double held) const { return height - bottom - held / max_held * (height - top - bottom); }
};

std::string axes(const Frame& frame) {
  std::string svg = fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"black\"/>\n"
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{3}\" stroke=\"black\"/>\n",
      left, height - bottom, width - right, top);
  // Ticks at the multiples of the step inside the window: from 0 without --from.
  double time_step = tick_step(frame.max_time - frame.min_time);
  for (double k = std::max(0.0, std::ceil(frame.min_time / time_step - 1e-6));
       k * time_step <= frame.max_time + time_step / 1e6; ++k) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n",
                       frame.x(k * time_step), height - bottom + 18, k * time_step);
  }
  for (double h = 0, step = tick_step(frame.max_held); h <= frame.max_held + step / 1e6; h += step) {
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{:g}</text>\n", left - 6,
                       frame.y(h) + 4, h);
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n", left,
                       frame.y(h), width - right, frame.y(h));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">time (s)</text>\n",
                     (left + width - right) / 2, height - 12);
  svg += fmt::format(
      "<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {0})\">"
      "messages held</text>\n",
      (top + height - bottom) / 2);
  return svg;
}

std::string lines_and_legend(const Frame& frame, const std::vector<Series>& series) {
  std::string svg;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const char* colour = palette[i % std::size(palette)];
    const char* dash = dashes[i % std::size(dashes)];
    // Only the samples: before the first one the trace says nothing, and a
    // line from (0, 0) would draw a ramp that did not happen.
    std::string points;
    for (auto [t, held] : series[i].points) {
      if (!points.empty()) points += ' ';
      points += fmt::format("{:.1f},{:.1f}", frame.x(t), frame.y(held));
    }
    svg += fmt::format(
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" stroke-dasharray=\"{}\" points=\"{}\"/>\n",
        colour, dash, points);
    if (series[i].points.size() == 1) {  // a line through one point is invisible
      auto [t, held] = series[i].points.front();
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", frame.x(t),
                         frame.y(held), colour);
    }
    double y = top + 20.0 * static_cast<double>(i);
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"3\" "
        "stroke-dasharray=\"{4}\"/>\n",
        width - right + 10, y, width - right + 35, colour, dash);
    svg += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", width - right + 40, y + 4,
                       xml_escape(series[i].name));
  }
  return svg;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::optional<std::vector<Series>> read_trace_edges(const std::string& csv, std::string& error) {
  std::istringstream in(csv);
  std::string line;
  if (!std::getline(in, line) || line != trace_header) {
    error = fmt::format("not a flow trace: the first line must be '{}'", trace_header);
    return std::nullopt;
  }
  std::vector<Series> series;
  // By name, so a trace of many edges is read in one pass.
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t number_of_line = 2; std::getline(in, line); ++number_of_line) {
    if (line.empty()) continue;
    auto fields = split(line, ',');
    auto time = fields.size() == 8 ? number(fields[0]) : std::nullopt;
    if (!time || (fields[1] != "edge" && fields[1] != "node")) {
      error = fmt::format("line {}: malformed trace row '{}'", number_of_line, excerpt(line));
      return std::nullopt;
    }
    if (auto why = out_of_plot_range("time_s", fields[0], *time); !why.empty()) {
      error = fmt::format("line {}: {}", number_of_line, why);
      return std::nullopt;
    }
    if (fields[1] != "edge") continue;
    auto held = number(fields[3]);
    if (!held) {
      error = fmt::format("line {}: 'held' is not a number in '{}'", number_of_line, excerpt(line));
      return std::nullopt;
    }
    if (auto why = out_of_plot_range("held", fields[3], *held); !why.empty()) {
      error = fmt::format("line {}: {}", number_of_line, why);
      return std::nullopt;
    }
    auto [at, fresh] = index.try_emplace(fields[2], series.size());
    if (fresh) series.push_back(Series{fields[2], {}});
    series[at->second].points.emplace_back(*time, *held);
  }
  return series;
}

namespace {

std::string without_spaces(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c != ' ') out += c;
  }
  return out;
}

std::string names_of(const std::vector<Series>& series) {
  std::string names;
  for (const auto& s : series) names += (names.empty() ? "" : ", ") + s.name;
  return names.empty() ? "none" : names;
}

// Keeps the series `edges` names, in the trace's order; "" or why not.
std::string keep_named(std::vector<Series>& series, const std::vector<std::string>& edges) {
  if (edges.empty()) return "";
  std::vector<std::string> wanted;
  for (const auto& edge : edges) wanted.push_back(without_spaces(edge));
  for (const auto& name : wanted) {
    auto known = std::any_of(series.begin(), series.end(), [&](const Series& s) { return s.name == name; });
    if (!known) return fmt::format("--edges: the trace has no edge '{}'; it has {}", name, names_of(series));
  }
  std::erase_if(series, [&](const Series& s) {
    return std::find(wanted.begin(), wanted.end(), s.name) == wanted.end();
  });
  return "";
}

}  // namespace

std::optional<std::vector<Series>> select_series(std::vector<Series> all,
                                                 const std::vector<std::string>& edges,
                                                 const PlotWindow& window, std::string& error) {
  error = keep_named(all, edges);
  if (!error.empty()) return std::nullopt;
  double first = largest_plotted, last = 0;
  bool any = false;
  for (auto& s : all) {
    for (auto [t, held] : s.points) first = std::min(first, t), last = std::max(last, t);
    std::erase_if(s.points, [&](const auto& point) {
      return point.first < window.from || (window.to && point.first > *window.to);
    });
    any = any || !s.points.empty();
  }
  if (any || (window.from == 0 && !window.to)) return all;  // a trace with no sample at all plots empty axes
  auto to = window.to ? fmt::format("{:g}s", *window.to) : std::string("the end");
  error = first > last ? fmt::format("no sample between {:g}s and {}: the trace has none", window.from, to)
                       : fmt::format("no sample between {:g}s and {}: the trace runs from {:g}s to {:g}s",
                                     window.from, to, first, last);
  return std::nullopt;
}

std::string plot_svg(const std::vector<Series>& series, const std::string& title, const PlotWindow& window) {
  Frame frame{window.from, window.from, 0};
  for (const auto& s : series) {
    for (auto [t, held] : s.points) {
      frame.max_time = std::max(frame.max_time, t);
      frame.max_held = std::max(frame.max_held, held);
    }
  }
  if (window.to) frame.max_time = *window.to;
  // Leave room above the highest line; an empty trace still gets sane axes.
  // A span too short for a tick step (a denormal) is drawn as one second.
  if (frame.max_time - frame.min_time <= 1e-6) frame.max_time = frame.min_time + 1.0;
  frame.max_held = std::max(1.0, std::ceil(frame.max_held * 1.1));
  auto svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{3}</text>\n",
      width, height, (left + width - right) / 2, xml_escape(title));
  return svg + axes(frame) + lines_and_legend(frame, series) + "</svg>\n";
}

}  // namespace flow::cli
