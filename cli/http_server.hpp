#pragma once
// A small HTTP server on threads of its own, for what `flow run` serves while
// it runs: /metrics, and the live page of --ui. GET routes answered by
// handlers, or streamed; cpp-httplib stays behind this header.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace flow::cli {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// Answers one request; called on a server thread, so it must be safe to call
/// alongside whatever the rest of the program does.
using HttpHandler = std::function<HttpResponse()>;

/// Sends one piece of a streamed response; false once the client is gone or
/// took longer than the write timeout (a second) to accept it.
using StreamWriter = std::function<bool(std::string_view)>;

/// Writes a whole streamed response through the writer, on a server thread
/// that it holds until it returns.
using StreamHandler = std::function<void(const StreamWriter&)>;

class HttpServer {
 public:
  /// `request_threads`: how many requests are answered at once (a stream
  /// holds one for as long as it lasts). Two suit /metrics: a scrape takes a
  /// millisecond, and a second thread keeps one slow client from holding up
  /// the next scrape.
  explicit HttpServer(std::size_t request_threads = 2);
  ~HttpServer();  ///< stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Answers GET (and HEAD) of exactly `path` with `handler`; other paths get
  /// 404. Before start().
  void get(const std::string& path, HttpHandler handler);

  /// Answers GET of exactly `path` with a response of `content_type` that
  /// `handler` writes piece by piece (server-sent events). Before start().
  void stream(const std::string& path, const std::string& content_type, StreamHandler handler);

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
