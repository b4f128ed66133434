#include "cli/live_view.hpp"

#include <chrono>
#include <utility>

#include "cli/web_files.hpp"
#include "flow/metrics_json.hpp"

namespace flow::cli {
namespace {

using namespace std::chrono_literals;

// Each connected page holds one thread for its event stream; the rest answer
// its files. Eight let seven pages watch at once; an eighth waits for a free one.
constexpr std::size_t request_threads = 8;

// A stream with nothing new sends a comment this often, so a page that went
// away is noticed (its write fails) and stops counting as connected.
constexpr auto keep_alive = 2s;

// One server-sent event: the JSON's lines, each a `data:` line.
std::string event_of(const char* name, const RunMetrics& metrics) {
  std::string json = to_json(metrics);
  if (!json.empty() && json.back() == '\n') json.pop_back();
  std::string event = std::string("event: ") + name + "\ndata: ";
  for (char c : json) event += c == '\n' ? std::string("\ndata: ") : std::string(1, c);
  return event + "\n\n";
}

HttpResponse file_response(std::string_view path) {
  auto file = web_file(path);
  if (!file) return HttpResponse{404, "text/plain; charset=utf-8", "not found\n"};
  return HttpResponse{200, std::string(file->content_type), std::string(file->body)};
}

}  // namespace

LiveView::LiveView(std::string svg, std::string graph_error)
    : svg_(std::move(svg)), graph_error_(std::move(graph_error)), server_(request_threads) {}

std::optional<ListenAddress> LiveView::start(const ListenAddress& address, std::string& error) {
  server_.get("/", [] { return file_response("/index.html"); });
  for (const char* path : {"/app.js", "/style.css"}) {
    server_.get(path, [path] { return file_response(path); });
  }
  server_.get("/graph.svg", [this] {
    if (svg_.empty()) return HttpResponse{503, "text/plain; charset=utf-8", graph_error_};
    return HttpResponse{200, "image/svg+xml", svg_};
  });
  server_.stream("/events", "text/event-stream", [this](const StreamWriter& write) { stream_events(write); });
  auto port = server_.start(address.host, address.port, error);
  if (!port) return std::nullopt;
  return ListenAddress{address.host, *port};
}

void LiveView::observe(const RunMetrics& snapshot) {
  if (pages_.load(std::memory_order_relaxed) == 0) return;
  publish(event_of("snapshot", snapshot), false);
}

void LiveView::finish(const RunMetrics& final_metrics) {
  publish(event_of("final", final_metrics), true);
}

void LiveView::publish(std::string event, bool final_event) {
  ++events_made_;
  {
    std::lock_guard lock(mutex_);
    latest_.swap(event);
    ++sequence_;
    final_ = final_event;
  }
  changed_.notify_all();
  // The previous event is freed here, outside the lock.
}

void LiveView::stop() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  server_.stop();
}

// The next thing a stream writes: the newest event it has not sent (even
// when closing, so a page sees the final state), a keep-alive comment after a
// quiet while, or nothing when the stream is to end.
std::optional<std::string> LiveView::next_event(std::uint64_t& sent, bool& last) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, keep_alive, [&] { return closing_ || (sequence_ != sent && !latest_.empty()); });
  if (sequence_ != sent && !latest_.empty()) {
    sent = sequence_;
    last = final_;
    return latest_;
  }
  if (closing_) return std::nullopt;
  return ": keep-alive\n\n";
}

void LiveView::stream_events(const StreamWriter& write) {
  ++pages_;
  // A page that reconnects waits a second, not the browser's default three.
  bool open = write("retry: 1000\n\n");
  std::uint64_t sent = 0;
  bool last = false;
  while (open && !last) {
    auto event = next_event(sent, last);
    open = event && write(*event);
  }
  std::lock_guard lock(mutex_);
  // With no page left, the snapshot kept for one is stale by the time
  // another connects: it waits for the next instead.
  if (--pages_ == 0 && !final_) latest_.clear();
}

}  // namespace flow::cli
