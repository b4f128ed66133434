#include "runtime/ingest/http_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <vector>

namespace flow::ingest {
namespace {

// Set on the accepting thread while it turns away a connection over the limit.
thread_local bool over_limit = false;

// httplib's pool runs every connection it is given, queueing those it has no
// thread for: a flood of connections would queue without end, each waiting
// for a keep-alive connection ahead of it to close. This pool runs at most
// `threads` connections; one more is refused on the accepting thread itself,
// at once (process_and_close_socket answers 503).
class ConnectionPool final : public httplib::TaskQueue {
 public:
  explicit ConnectionPool(std::size_t threads) : limit_(threads) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  }

  void enqueue(std::function<void()> job) override {
    {
      std::lock_guard lock(mutex_);
      if (busy_ + jobs_.size() < limit_) {
        jobs_.push_back(std::move(job));
        ready_.notify_one();
        return;
      }
    }
    over_limit = true;
    job();
    over_limit = false;
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_all();
    for (auto& thread : threads_) thread.join();
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      ready_.wait(lock, [this] { return done_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      ++busy_;
      lock.unlock();
      job();
      lock.lock();
      --busy_;
    }
  }

  std::size_t limit_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::size_t busy_ = 0;
  bool done_ = false;
  std::vector<std::thread> threads_;
};

int port_of(std::string_view text, const std::string& address) {
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || port > 65535) {
      throw std::invalid_argument(fmt::format("listen: expected a port number in \"{}\"", address));
    }
    port = port * 10 + (c - '0');
  }
  if (text.empty() || port > 65535) {
    throw std::invalid_argument(fmt::format("listen: expected a port from 0 to 65535 in \"{}\"", address));
  }
  return port;
}

}  // namespace

HttpAddress parse_http_address(const std::string& address) {
  constexpr std::string_view scheme = "http://";
  std::string_view rest(address);
  if (rest.substr(0, scheme.size()) != scheme) {
    throw std::invalid_argument(
        fmt::format("listen: expected \"http://host:port/path\", got \"{}\"", address));
  }
  rest.remove_prefix(scheme.size());
  HttpAddress parsed;
  auto slash = rest.find('/');
  if (slash != std::string_view::npos) parsed.path = std::string(rest.substr(slash));
  auto authority = rest.substr(0, slash);
  // [::1]:8080 names an IPv6 host; a bare host keeps the loopback default.
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos ||
      (authority.find(']') != std::string_view::npos && colon < authority.find(']'))) {
    throw std::invalid_argument(
        fmt::format("listen: expected a port in \"{}\" (\"http://127.0.0.1:8080/ingest\")", address));
  }
  auto host = authority.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!host.empty()) parsed.host = std::string(host);
  parsed.port = port_of(authority.substr(colon + 1), address);
  return parsed;
}

HttpServer::HttpServer(const HttpLimits& limits) {
  new_task_queue = [threads = limits.max_connections] { return new ConnectionPool(threads); };
  // SO_REUSEADDR alone (as cli/http_server.cpp): httplib's SO_REUSEPORT would
  // let a second flow bind the same port and share its requests.
  set_socket_options([](socket_t socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  auto idle = limits.idle_timeout;
  set_read_timeout(idle);
  set_write_timeout(idle);
  set_keep_alive_timeout(std::max<time_t>(1, std::chrono::duration_cast<std::chrono::seconds>(idle).count()));
  // A client that keeps its connection busy keeps its thread (nginx's
  // keepalive_requests): reconnecting every 5 requests, httplib's default,
  // costs a load generator a third of its rate.
  set_keep_alive_max_count(1000);
  set_payload_max_length(limits.max_body);
}

HttpServer::~HttpServer() {
  close();
}

int HttpServer::start(const std::string& host, int port) {
  errno = 0;
  int bound = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    int reason = errno;
    throw std::runtime_error(
        fmt::format("listen: cannot listen on {}:{}: {}", host, port,
                    reason != 0 ? std::generic_category().message(reason) : "no such host"));
  }
  thread_ = std::thread([this] {
    listen_after_bind();
    done_ = true;
  });
  // httplib's stop() does nothing to a server that has not begun listening:
  // wait for the thread to begin, so a close() that comes at once is heard.
  while (!is_running() && !done_) std::this_thread::yield();
  return bound;
}

void HttpServer::close() {
  if (!thread_.joinable()) return;
  stop();
  thread_.join();
}

bool HttpServer::process_and_close_socket(socket_t socket) {
  if (!over_limit) return httplib::Server::process_and_close_socket(socket);
  refused_.fetch_add(1, std::memory_order_relaxed);
  // A fresh socket's send buffer is empty: this small answer never blocks the accepting thread.
  constexpr std::string_view busy =
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  (void)send(socket, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  shutdown(socket, SHUT_WR);
  ::close(socket);
  return true;
}

}  // namespace flow::ingest
