#include "cli/report.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>

#include <sys/stat.h>
#include <unistd.h>

#include "cli/units.hpp"

namespace flow::cli {
namespace {

constexpr const char* bold_red = "\x1b[1;31m";
constexpr const char* reset = "\x1b[0m";
constexpr const char* clear_line = "\x1b[2K";
constexpr std::size_t bar_width = 20;

std::string bar(const EdgeMetrics& edge) {
  if (!edge.capacity || *edge.capacity == 0) return std::string(bar_width + 2, ' ');
  auto filled = std::min<std::uint64_t>(bar_width, edge.held * bar_width / *edge.capacity);
  return fmt::format("[{}{}]", std::string(filled, '#'), std::string(bar_width - filled, '.'));
}

// Messages per second over the interval since `previous` (or since the start).
double rate(std::uint64_t now, std::uint64_t before, double seconds) {
  return seconds > 0 ? static_cast<double>(now - std::min(now, before)) / seconds : 0.0;
}

// Busy fraction over the last interval: the run's average hides a stage that just stalled.
double interval_busy(const NodeMetrics& node, const NodeMetrics* before, double interval) {
  if (!before || interval <= 0 || node.workers <= 0) return node.busy;
  return std::clamp((node.busy_s - before->busy_s) / (node.workers * interval), 0.0, 1.0);
}

std::string progress(const RunMetrics& snapshot) {
  std::string text;
  for (const auto& source : snapshot.sources) {
    if (!source.expected || *source.expected == 0) continue;
    auto fraction = static_cast<double>(source.produced) / static_cast<double>(*source.expected);
    text += fmt::format("  {} {}/{} ({})", source.name, source.produced, *source.expected, format_percent(fraction));
  }
  return text;
}

std::vector<std::string> edge_rows(const RunMetrics& snapshot, const RunMetrics* previous, double interval) {
  std::vector<std::string> rows;
  rows.push_back(fmt::format("{:<28} {:>9} {:<22} {:>9} {:>9} {:>8} {:>9}", "edge", "held/cap", "", "in",
                             "out", "dropped", "blocked"));
  for (std::size_t i = 0; i < snapshot.edges.size(); ++i) {
    const auto& edge = snapshot.edges[i];
    const EdgeMetrics* before = previous && i < previous->edges.size() ? &previous->edges[i] : nullptr;
    auto fill = fmt::format("{}/{}", edge.held, format_capacity(edge.capacity));
    // A dead-letter edge with the summary's dashed arrow (the pipe's report_line keeps `->` for parsers).
    auto name = edge.leaves() + (edge.dead_letter ? " \u21e2 " : " -> ") + edge.to;
    rows.push_back(fmt::format("{:<28} {:>9} {:<22} {:>9} {:>9} {:>8} {:>9}", name, fill, bar(edge),
                               format_rate(rate(edge.in, before ? before->in : 0, interval)),
                               format_rate(rate(edge.out, before ? before->out : 0, interval)), edge.dropped,
                               format_seconds(edge.blocked_s)));
  }
  return rows;
}

std::vector<std::string> node_rows(const RunMetrics& snapshot, const RunMetrics* previous, double interval) {
  std::vector<std::string> rows;
  rows.push_back(fmt::format("{:<28} {:>7} {:>9}", "node", "busy", "rate"));
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) {
    const auto& node = snapshot.nodes[i];
    const NodeMetrics* before = previous && i < previous->nodes.size() ? &previous->nodes[i] : nullptr;
    auto row = fmt::format("{:<28} {:>7} {:>9}", node.name, format_percent(interval_busy(node, before, interval)),
                           format_rate(rate(node.in, before ? before->in : 0, interval)));
    if (node.name == snapshot.bottleneck.node) row = fmt::format("{}{}  <- bottleneck{}", bold_red, row, reset);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::string report_line(const RunMetrics& snapshot) {
  auto line = fmt::format("[{:.2f}s]", snapshot.elapsed_s);
  for (const auto& edge : snapshot.edges) {
    line += fmt::format(" {}->{} {}/{}", edge.leaves(), edge.to, edge.held, format_capacity(edge.capacity));
  }
  auto bottleneck = snapshot.bottleneck.node.empty() ? std::string("-") : snapshot.bottleneck.node;
  return line + " | bottleneck " + bottleneck;
}

std::vector<std::string> report_table(const RunMetrics& snapshot, const RunMetrics* previous) {
  double interval = snapshot.elapsed_s - (previous ? previous->elapsed_s : 0.0);
  std::vector<std::string> rows;
  rows.push_back(fmt::format("flow {}  {:.2f} s{}", snapshot.pipeline, snapshot.elapsed_s, progress(snapshot)));
  for (auto& row : edge_rows(snapshot, previous, interval)) rows.push_back(std::move(row));
  for (auto& row : node_rows(snapshot, previous, interval)) rows.push_back(std::move(row));
  return rows;
}

namespace {

bool same_file(int a, int b) {
  struct stat first {
  }, second{};
  if (fstat(a, &first) != 0 || fstat(b, &second) != 0) return false;
  return first.st_dev == second.st_dev && first.st_ino == second.st_ino;
}

}  // namespace

Reporter::Reporter(std::FILE* out, bool terminal)
    : out_(out), terminal_(terminal), shares_stdout_(same_file(fileno(out), STDOUT_FILENO)) {}

// Reports run on the watching thread: an exception there would leave the run
// undrained, so a write that fails is only remembered (errno, once), for
// `flow run` to judge once the run is over. With `2>&1` the whole report goes
// in one write while stdout's stdio lock is held: stdout() sinks write their
// chunks under that lock, so a report never lands inside a line of data.
// Otherwise the lock is not taken: a reader slow on one stream must not hold
// up the other.
void Reporter::write(const std::string& text) {
  if (shares_stdout_) flockfile(stdout);
  bool whole = std::fwrite(text.data(), 1, text.size(), out_) == text.size();
  int error = whole ? 0 : errno;
  if (std::fflush(out_) != 0 && error == 0) error = errno;
  if (shares_stdout_) funlockfile(stdout);
  if (error != 0 && write_error_ == 0) write_error_ = error;
}

void Reporter::report(const RunMetrics& snapshot) {
  if (!terminal_) {
    write(fmt::format("{}\n", report_line(snapshot)));
  } else {
    auto rows = report_table(snapshot, previous_ ? &*previous_ : nullptr);
    // Move back to the first row of the last table and overwrite it: no scrolling.
    std::string text = rows_drawn_ > 0 ? fmt::format("\x1b[{}F", rows_drawn_) : std::string();
    for (const auto& row : rows) text += fmt::format("{}{}\n", clear_line, row);
    write(text);
    rows_drawn_ = rows.size();
  }
  previous_ = snapshot;
}

void Reporter::finish(const RunMetrics& final_metrics) {
  if (!terminal_) return;
  report(final_metrics);
  write("\n");
}

}  // namespace flow::cli
