#include "cli/metrics_endpoint.hpp"

#include "flow/prometheus.hpp"

namespace flow::cli {

MetricsEndpoint::MetricsEndpoint(RunMetrics initial)
    : latest_(std::make_shared<const RunMetrics>(std::move(initial))) {}

std::optional<ListenAddress> MetricsEndpoint::start(const ListenAddress& address, std::string& error) {
  server_.get("/metrics", [this] {
    return HttpResponse{200, std::string(prometheus_content_type), scrape()};
  });
  auto port = server_.start(address.host, address.port, error);
  if (!port) return std::nullopt;
  return ListenAddress{address.host, *port};
}

void MetricsEndpoint::publish(RunMetrics snapshot) {
  auto next = std::make_shared<const RunMetrics>(std::move(snapshot));
  std::lock_guard lock(mutex_);
  latest_.swap(next);
  // The previous snapshot is freed after the lock is released, by `next`, unless a scrape still holds it.
}

std::string MetricsEndpoint::scrape() const {
  std::shared_ptr<const RunMetrics> snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot = latest_;
  }
  return to_prometheus(*snapshot);
}

}  // namespace flow::cli
