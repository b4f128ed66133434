#pragma once
// The live page's memory of the run: every edge's queue depth from the first
// snapshot on, so a page that connects late (or after the run, under
// --ui-hold) draws the whole run, not only what came after it connected.
//
// Bounded by decimation, as RRDtool's and Graphite's archives are: each
// series keeps at most `max_points` points. Until it is full a point is one
// snapshot; when a snapshot would make it `max_points + 1`, neighbouring
// points merge in pairs and from then on a point covers twice as many
// snapshots. A merged point keeps the first and last time it covers and the
// least and most the edge held over them, so a moment the edge was full
// never disappears into an average. The memory is fixed whatever the run's
// length: `max_points` × (two times + two depths per edge).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "flow/metrics.hpp"

namespace flow::cli {

class LiveHistory {
 public:
  /// Points kept per series: about 100 s of snapshots at the default 100ms
  /// before the first halving, and a chart's width in pixels thereafter.
  static constexpr std::size_t max_points = 1024;

  /// Adds one snapshot (a running one or the final state): its time and each
  /// edge's `held`. A snapshot whose edges differ from the first's (never in
  /// one run) starts the history again.
  void add(const RunMetrics& snapshot);

  /// The history as the JSON of the page's `history` event:
  /// `{"max_points":1024,"samples":N,"samples_per_point":S,"last_point_samples":L,
  ///   "t0":[...],"t1":[...],"edges":[{"name":"a->b","low":[...],"high":[...]}]}`
  /// t0 and t1: the first and last time each point covers, in seconds.
  std::string json() const;

  /// Snapshots added, and points kept now.
  std::uint64_t samples() const { return samples_; }
  std::size_t points() const { return t0_.size(); }
  /// Snapshots each full point covers: 1, doubling at each halving.
  std::uint64_t samples_per_point() const { return per_point_; }

  struct Series {
    std::string name;  ///< `from->to`
    std::vector<std::uint64_t> low, high;
  };
  const std::vector<double>& first_times() const { return t0_; }
  const std::vector<double>& last_times() const { return t1_; }
  const std::vector<Series>& series() const { return series_; }

 private:
  bool same_edges(const RunMetrics& snapshot) const;
  void start(const RunMetrics& snapshot);
  void halve();

  std::vector<double> t0_, t1_;
  std::vector<Series> series_;
  std::uint64_t samples_ = 0;
  std::uint64_t per_point_ = 1;  // snapshots a full point covers
  std::uint64_t in_last_ = 0;    // snapshots the last point covers so far
};

}  // namespace flow::cli
