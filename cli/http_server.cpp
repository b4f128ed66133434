#include "cli/http_server.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <cerrno>
#include <string_view>
#include <system_error>
#include <thread>

namespace flow::cli {
namespace {

// A client that connects and sends nothing holds a thread this long; stop()
// waits for it. Every response closes its connection, so no idle keep-alive
// connection holds one past its request.
constexpr time_t request_timeout_s = 1;

// httplib matches a route as a regular expression; a path is matched exactly.
std::string exact_pattern(std::string_view path) {
  std::string pattern;
  for (char c : path) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern += '\\';
    pattern += c;
  }
  return pattern;
}

std::string host_and_port(const std::string& host, int port) {
  bool ipv6 = host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

}  // namespace

struct HttpServer::Parts {
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> done{false};  // listen_after_bind returned
};

// httplib's default is a thread per core, idle but there beside the run's
// workers: each server says how many it needs.
HttpServer::HttpServer(std::size_t request_threads) : parts_(std::make_unique<Parts>()) {
  auto& server = parts_->server;
  server.new_task_queue = [request_threads] { return new httplib::ThreadPool(request_threads); };
  server.set_keep_alive_max_count(1);
  server.set_keep_alive_timeout(request_timeout_s);
  server.set_read_timeout(request_timeout_s, 0);
  server.set_write_timeout(request_timeout_s, 0);
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::get(const std::string& path, HttpHandler handler) {
  parts_->server.Get(exact_pattern(path),
                     [handler = std::move(handler)](const httplib::Request&, httplib::Response& response) {
                       HttpResponse answer = handler();
                       response.status = answer.status;
                       response.set_content(answer.body, answer.content_type);
                     });
}

void HttpServer::stream(const std::string& path, const std::string& content_type, StreamHandler handler) {
  parts_->server.Get(exact_pattern(path), [handler = std::move(handler), content_type](
                                              const httplib::Request&, httplib::Response& response) {
    response.set_header("Cache-Control", "no-cache");
    // httplib calls the provider again until it signals the end; the handler
    // writes the whole stream in its first call.
    response.set_chunked_content_provider(content_type, [handler](std::size_t, httplib::DataSink& sink) {
      handler([&sink](std::string_view piece) {
        return sink.is_writable() && sink.write(piece.data(), piece.size());
      });
      sink.done();
      return true;
    });
  });
}

std::optional<int> HttpServer::start(const std::string& host, int port, std::string& error) {
  auto& server = parts_->server;
  errno = 0;
  int bound = port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    // httplib says only that it failed; errno still holds why bind() or listen() did.
    int reason = errno;
    error = fmt::format("cannot listen on {}: {}", host_and_port(host, port),
                        reason != 0 ? std::generic_category().message(reason) : "no such host");
    return std::nullopt;
  }
  parts_->thread = std::thread([parts = parts_.get()] {
    parts->server.listen_after_bind();
    parts->done = true;
  });
  // httplib's stop() does nothing to a server that has not begun listening, so
  // a stop() that came first would leave the thread listening for ever. It
  // begins at once: this wait is the thread's start-up.
  while (!server.is_running() && !parts_->done) std::this_thread::yield();
  return bound;
}

void HttpServer::stop() {
  if (!parts_->thread.joinable()) return;
  parts_->server.stop();
  parts_->thread.join();
}

}  // namespace flow::cli
