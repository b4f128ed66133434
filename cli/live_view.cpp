#include "cli/live_view.hpp"

#include <utility>

#include "cli/web_files.hpp"
#include "flow/metrics_json.hpp"

namespace flow::cli {
namespace {

// One server-sent event: the JSON's lines, each a `data:` line.
std::string event_of(const char* name, std::string json) {
  if (!json.empty() && json.back() == '\n') json.pop_back();
  std::string event = std::string("event: ") + name + "\ndata: ";
  for (char c : json) event += c == '\n' ? std::string("\ndata: ") : std::string(1, c);
  return event + "\n\n";
}

std::string event_of(const char* name, const RunMetrics& metrics) {
  return event_of(name, to_json(metrics));
}

HttpResponse file_response(std::string_view path) {
  auto file = web_file(path);
  if (!file) return HttpResponse{404, "text/plain; charset=utf-8", "not found\n"};
  return HttpResponse{200, std::string(file->content_type), std::string(file->body)};
}

}  // namespace

LiveView::LiveView(std::string svg, std::string graph_error)
    : svg_(std::move(svg)), graph_error_(std::move(graph_error)) {}

std::optional<ListenAddress> LiveView::start(const ListenAddress& address, std::string& error) {
  server_.get("/", [] { return file_response("/index.html"); });
  for (const char* path : {"/app.js", "/style.css"}) {
    server_.get(path, [path] { return file_response(path); });
  }
  server_.get("/graph.svg", [this] {
    if (svg_.empty()) return HttpResponse{503, "text/plain; charset=utf-8", graph_error_};
    return HttpResponse{200, "image/svg+xml", svg_};
  });
  server_.stream("/events", "text/event-stream", [this](int socket) { connect(socket); });
  auto port = server_.start(address.host, address.port, error);
  if (!port) return std::nullopt;
  return ListenAddress{address.host, *port};
}

// A page's first event is the run so far; then the latest snapshot, so it
// shows the run's state without waiting for the next (seconds at a long
// --report). After the run the final event follows instead, from the streams.
void LiveView::connect(int socket) {
  std::lock_guard lock(history_mutex_);
  std::string first = event_of("history", history_.json());
  if (latest_) first += event_of("snapshot", *latest_);
  streams_.add(socket, std::move(first));
}

void LiveView::observe(const RunMetrics& snapshot) {
  {
    std::lock_guard lock(history_mutex_);
    history_.add(snapshot);
    latest_ = snapshot;
  }
  if (streams_.pages() == 0) return;
  publish(event_of("snapshot", snapshot), false);
}

void LiveView::finish(const RunMetrics& final_metrics) {
  {
    std::lock_guard lock(history_mutex_);
    history_.add(final_metrics);
    latest_.reset();
  }
  publish(event_of("final", final_metrics), true);
}

void LiveView::publish(std::string event, bool final_event) {
  ++events_made_;
  streams_.publish(std::move(event), final_event);
}

void LiveView::stop() {
  // The server first: no page is handed to the streams once they close.
  server_.stop();
  streams_.close();
}

}  // namespace flow::cli
