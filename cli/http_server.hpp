#pragma once
// A small HTTP server on threads of its own, for what `flow run` serves while
// it runs: /metrics, and the live page of --ui. GET routes answered by
// handlers, or handed over whole (server-sent events); cpp-httplib stays
// behind this header.
//
// What a client can hold (docs/faults.md): a request
// must arrive whole within a second of its connection being accepted, however
// slowly it trickles in; a write the client takes nothing of for a second
// fails; the port is this server's alone (no SO_REUSEPORT).
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

/// Takes a connection over: the socket, which it owns from then on (it must
/// close it), its response's head already sent. Called on a server thread.
using SocketTaker = std::function<void(int socket)>;

class HttpServer {
 public:
  /// `request_threads`: how many requests are answered at once. A request
  /// holds its thread at most its one-second deadline plus the writing of its
  /// answer, so a few are plenty: four let three clients trickle their
  /// requests in without delaying a scrape at all.
  explicit HttpServer(std::size_t request_threads = 4);
  ~HttpServer();  ///< stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Answers GET (and HEAD) of exactly `path` with `handler`; other paths get
  /// 404. Before start().
  void get(const std::string& path, HttpHandler handler);

  /// Answers GET of exactly `path` with the head of a response of
  /// `content_type` whose body ends when the connection closes, then hands
  /// the socket to `taker`, which writes the body (server-sent events) on a
  /// thread of its own. Before start().
  void stream(const std::string& path, const std::string& content_type, SocketTaker taker);

  /// Binds `host:port` (port 0: a free one the system picks) and serves on
  /// its own threads. The bound port, or nullopt with `error` set ("cannot
  /// listen on 127.0.0.1:9464: Address already in use").
  std::optional<int> start(const std::string& host, int port, std::string& error);

  /// Stops accepting, cuts off the connections still sending their request,
  /// lets the answers being written finish (or fail: a second without
  /// progress) and joins the threads. Safe to call twice, or without start().
  void stop();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace flow::cli
