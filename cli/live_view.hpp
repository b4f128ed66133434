#pragma once
// `flow run --ui`: a page that shows the run live. The graph laid out by
// Graphviz, recoloured from each snapshot the monitor thread takes (the same
// ones --report and --trace get), pushed to the page as server-sent events.
//
// Every snapshot goes into the run's history (LiveHistory: each edge's depth,
// bounded by decimation) and is kept as the latest, so that a page connecting
// at any time, even after the run, is sent the whole run first (an `event:
// history`), then the latest snapshot. While no page is connected that is all
// a snapshot costs: it is not serialised. With pages connected, the monitor
// thread serialises it once (the --metrics-json shape) and swaps it in under a
// mutex; one thread of the page's own writes it to every page without
// blocking (EventStreams), so a page that stopped reading holds up nothing and
// is dropped.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "cli/event_streams.hpp"
#include "cli/http_server.hpp"
#include "cli/listen_address.hpp"
#include "cli/live_history.hpp"
#include "flow/metrics.hpp"

namespace flow::cli {

class LiveView {
 public:
  /// `svg`: the pipeline laid out by Graphviz, or "" with `graph_error`
  /// saying why there is none (the page shows it in the graph's place).
  LiveView(std::string svg, std::string graph_error);
  ~LiveView() { stop(); }
  LiveView(const LiveView&) = delete;
  LiveView& operator=(const LiveView&) = delete;

  /// Binds `address` and serves the page (/), its files, /graph.svg and the
  /// event stream /events. The bound address, or nullopt with `error` set.
  std::optional<ListenAddress> start(const ListenAddress& address, std::string& error);

  /// A snapshot of the running run (its bottleneck named): added to the
  /// history, and sent to the pages connected now.
  void observe(const RunMetrics& snapshot);

  /// The final metrics: added to the history, sent to the pages connected now
  /// and to every page that connects later (after the history), after which
  /// each page's stream ends.
  void finish(const RunMetrics& final_metrics);

  /// Stops serving, then ends the streams, after the event each still owes
  /// its page (at most a second for that). Safe to call twice.
  void stop();

  /// How many snapshots were serialised: none while no page was connected.
  std::uint64_t events_made() const { return events_made_; }

  /// How many pages are connected to /events now.
  int pages() const { return streams_.pages(); }

 private:
  void publish(std::string event, bool final_event);
  void connect(int socket);

  std::string svg_, graph_error_;
  // Guards the history and the latest snapshot. A page is handed to the
  // streams under it, so each snapshot is either in the history a page is
  // sent first or published after the page is counted: none falls between.
  std::mutex history_mutex_;
  LiveHistory history_;
  std::optional<RunMetrics> latest_;  // the newest running snapshot; none once the final one came
  std::atomic<std::uint64_t> events_made_{0};
  EventStreams streams_;  // before the server: its threads hand the streams to it
  HttpServer server_;     // last: stopped before what its threads read goes away
};

}  // namespace flow::cli
