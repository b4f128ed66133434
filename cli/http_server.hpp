#pragma once
// A small HTTP server on threads of its own, for what `flow run` serves while
// it runs: /metrics now, a live view of the run next (issue 15). GET routes
// answered by handlers; cpp-httplib stays behind this header.
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace flow::cli {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// Answers one request; called on a server thread, so it must be safe to call
/// alongside whatever the rest of the program does.
using HttpHandler = std::function<HttpResponse()>;

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();  ///< stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Answers GET (and HEAD) of exactly `path` with `handler`; other paths get
  /// 404. Before start().
  void get(const std::string& path, HttpHandler handler);

  /// Binds `host:port` (port 0: a free one the system picks) and serves on
  /// its own threads. The bound port, or nullopt with `error` set ("cannot
  /// listen on 127.0.0.1:9464: Address already in use").
  std::optional<int> start(const std::string& host, int port, std::string& error);

  /// Stops accepting and joins the threads once the requests in progress are
  /// answered: at most a second for a client that connected and sent nothing.
  /// Safe to call twice, or without start().
  void stop();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace flow::cli
