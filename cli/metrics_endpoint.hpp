#pragma once
// `flow run --metrics-port`: the run's latest snapshot, served as Prometheus
// text on /metrics. The run's monitor thread only swaps a pointer under a
// mutex; a scrape takes the pointer and formats on the server's thread, so
// serving never holds the run up.
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cli/http_server.hpp"
#include "cli/listen_address.hpp"
#include "flow/metrics.hpp"

namespace flow::cli {

class MetricsEndpoint {
 public:
  /// `initial` is served until the first publish(): the run's nodes and edges
  /// at zero (unstarted_metrics), so every series exists from the first scrape.
  explicit MetricsEndpoint(RunMetrics initial);

  /// Binds `address` and serves /metrics on the server's threads. The bound
  /// address (its port filled in when it was 0), or nullopt with `error` set.
  std::optional<ListenAddress> start(const ListenAddress& address, std::string& error);

  /// Makes `snapshot` what the next scrape shows.
  void publish(RunMetrics snapshot);

  /// What a scrape of /metrics answers now.
  std::string scrape() const;

  /// Stops serving (HttpServer::stop); the destructor does it too.
  void stop() { server_.stop(); }

 private:
  mutable std::mutex mutex_;  // guards latest_: the pointer, never the formatting
  std::shared_ptr<const RunMetrics> latest_;
  HttpServer server_;  // last: stopped before the snapshot it reads goes away
};

}  // namespace flow::cli
