#include "cli/live_history.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace flow::cli {
namespace {

// An edge's name as a JSON string: node names are identifiers, but a page
// must not break on a quote or a control character whatever they hold.
std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Times as the shortest text that reads back as the same double, so a page
// sees exactly the elapsed_s of the snapshot it would have been sent.
template <typename T>
std::string json_array(const std::vector<T>& values) {
  return fmt::format("[{}]", fmt::join(values, ","));
}

std::string edge_name(const EdgeMetrics& edge) {
  return edge.from + "->" + edge.to;
}

}  // namespace

bool LiveHistory::same_edges(const RunMetrics& snapshot) const {
  if (snapshot.edges.size() != series_.size()) return false;
  for (std::size_t i = 0; i < series_.size(); ++i) {
    if (series_[i].name != edge_name(snapshot.edges[i])) return false;
  }
  return true;
}

void LiveHistory::start(const RunMetrics& snapshot) {
  *this = LiveHistory();
  for (const auto& edge : snapshot.edges) series_.push_back(Series{edge_name(edge), {}, {}});
}

// Merges points in pairs: (0,1), (2,3), ... Each full point covers
// `per_point_` snapshots, so a pair covers twice that; an odd one out is the
// last point, still filling, which stays as it is.
void LiveHistory::halve() {
  std::size_t kept = 0;
  for (std::size_t i = 0; i + 1 < t0_.size(); i += 2, ++kept) {
    t0_[kept] = t0_[i];
    t1_[kept] = t1_[i + 1];
    for (auto& s : series_) {
      s.low[kept] = std::min(s.low[i], s.low[i + 1]);
      s.high[kept] = std::max(s.high[i], s.high[i + 1]);
    }
  }
  if (t0_.size() % 2 == 1) {
    std::size_t last = t0_.size() - 1;
    t0_[kept] = t0_[last];
    t1_[kept] = t1_[last];
    for (auto& s : series_) {
      s.low[kept] = s.low[last];
      s.high[kept] = s.high[last];
    }
    ++kept;
  }
  t0_.resize(kept);
  t1_.resize(kept);
  for (auto& s : series_) {
    s.low.resize(kept);
    s.high.resize(kept);
  }
  per_point_ *= 2;
}

void LiveHistory::add(const RunMetrics& snapshot) {
  if (samples_ == 0 || !same_edges(snapshot)) start(snapshot);
  ++samples_;
  double t = snapshot.elapsed_s;
  if (t0_.empty() || in_last_ == per_point_) {
    // A new point: the last one covers all it may.
    t0_.push_back(t);
    t1_.push_back(t);
    for (std::size_t i = 0; i < series_.size(); ++i) {
      series_[i].low.push_back(snapshot.edges[i].held);
      series_[i].high.push_back(snapshot.edges[i].held);
    }
    in_last_ = 1;
    if (t0_.size() > max_points) halve();
    return;
  }
  t1_.back() = t;
  for (std::size_t i = 0; i < series_.size(); ++i) {
    series_[i].low.back() = std::min(series_[i].low.back(), snapshot.edges[i].held);
    series_[i].high.back() = std::max(series_[i].high.back(), snapshot.edges[i].held);
  }
  ++in_last_;
}

std::string LiveHistory::json() const {
  std::string edges;
  for (const auto& s : series_) {
    if (!edges.empty()) edges += ",";
    edges += fmt::format(R"({{"name":{},"low":{},"high":{}}})", json_string(s.name), json_array(s.low),
                         json_array(s.high));
  }
  return fmt::format(
      R"({{"max_points":{},"samples":{},"samples_per_point":{},"last_point_samples":{},"t0":{},"t1":{},)"
      R"("edges":[{}]}})",
      max_points, samples_, per_point_, in_last_, json_array(t0_), json_array(t1_), edges);
}

}  // namespace flow::cli
