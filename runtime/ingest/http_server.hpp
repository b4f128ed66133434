#pragma once
// Internal to runtime/ingest: cpp-httplib's server with listen("http://…")'s
// limits — a thread per connection from a pool of max_connections threads,
// connections beyond it answered 503 and closed on the spot, reads and
// keep-alive ended by idle_timeout, SO_REUSEADDR without SO_REUSEPORT.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace flow::ingest {

struct HttpLimits {
  std::size_t max_connections = 64;
  std::chrono::milliseconds idle_timeout{5000};
  std::uint64_t max_body = 1 << 20;
};

class HttpServer final : public httplib::Server {
 public:
  explicit HttpServer(const HttpLimits& limits);
  ~HttpServer() override;
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds (port 0: one the system picks) and serves on threads of its own;
  /// the bound port. Throws std::runtime_error naming the address and why.
  int start(const std::string& host, int port);
  /// Stops accepting, cuts off connections waiting for or reading a request,
  /// and joins every thread (the handlers must return).
  void close();

  /// Called by a handler that answers without reading the request's body:
  /// the connection is closed after the answer.
  static void close_after_answer();

  /// Connections closed at once because max_connections were open.
  std::uint64_t refused_connections() const { return refused_.load(std::memory_order_relaxed); }

 private:
  bool process_and_close_socket(socket_t socket) override;

  std::chrono::milliseconds idle_;
  std::uint64_t most_;  // bytes a request may take, head and body
  std::atomic<std::uint64_t> refused_{0};
  std::mutex open_mutex_;  // guards what follows
  std::set<int> open_;     // connections being served
  bool closing_ = false;
  std::thread thread_;
  std::atomic<bool> done_{false};
};

}  // namespace flow::ingest
