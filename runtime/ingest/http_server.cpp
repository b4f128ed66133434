#include "runtime/ingest/http_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
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

// A connection serves up to this many requests (nginx's keepalive_requests):
// httplib's default of 5 costs a load generator a third of its rate in
// reconnections.
constexpr std::size_t kRequestsPerConnection = 1000;

// What a request's line and headers may take in all (nginx's
// large_client_header_buffers is 4 × 8 KiB).
constexpr std::uint64_t kMostHead = 64 << 10;

// Set by a handler that answered without reading the body (413): the
// connection is closed after the answer, so the body is never taken for the
// next request.
thread_local bool close_after = false;

bool wait_for(int socket, short events, std::chrono::milliseconds timeout) {
  pollfd ready{socket, events, 0};
  for (;;) {
    int got = poll(&ready, 1, static_cast<int>(timeout.count()));
    if (got > 0) return true;  // an error or a hang-up too: the next call says which
    if (got == 0 || errno != EINTR) return false;
  }
}

// One connection as httplib's request parser and response writer see it:
// a read or a write that makes no progress for idle_timeout fails.
class Connection final : public httplib::Stream {
 public:
  Connection(int socket, std::chrono::milliseconds idle, std::uint64_t most)
      : socket_(socket), idle_(idle), most_(most) {
    // httplib writes an answer's head and body apart: with Nagle's algorithm
    // the body waits for the client's delayed ACK, 40 ms a request.
    int yes = 1;
    setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  }

  bool is_readable() const override { return start_ < end_ || wait_for(socket_, POLLIN, idle_); }
  bool is_writable() const override { return wait_for(socket_, POLLOUT, idle_); }

  // httplib reads a request a byte at a time: the socket is read a buffer at a time.
  ssize_t read(char* bytes, std::size_t size) override {
    // cpp-httplib limits each header line, not their number: a request's
    // head and body together are bounded here, so a client sending header
    // lines without end is cut off instead of growing the server.
    if (taken_ >= most_) return -1;
    if (start_ == end_) {
      if (!wait_for(socket_, POLLIN, idle_)) return -1;
      auto got = recv(socket_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
      if (got <= 0) return got == 0 ? 0 : -1;
      start_ = 0;
      end_ = static_cast<std::size_t>(got);
    }
    auto taken = std::min({size, end_ - start_, static_cast<std::size_t>(most_ - taken_)});
    std::memcpy(bytes, buffer_.data() + start_, taken);
    start_ += taken;
    taken_ += taken;
    return static_cast<ssize_t>(taken);
  }

  ssize_t write(const char* bytes, std::size_t size) override {
    for (;;) {
      auto sent = send(socket_, bytes, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent >= 0) return sent;
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_for(socket_, POLLOUT, idle_)) return -1;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { (void)ip, (void)port; }
  void get_local_ip_and_port(std::string& ip, int& port) const override { (void)ip, (void)port; }
  socket_t socket() const override { return socket_; }

  // Waits for the next request of a kept-alive connection: up to idle_timeout,
  // a tenth of a second at a time so that a stopping server is not kept waiting.
  template <typename Running>
  bool next_request(Running running) {
    taken_ = 0;
    if (start_ < end_) return true;
    auto deadline = std::chrono::steady_clock::now() + idle_;
    while (running()) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      if (wait_for(socket_, POLLIN, std::min(left, std::chrono::milliseconds(100)))) return true;
    }
    return false;
  }

  // Closes the sending side and reads what the client still sends for a
  // moment (nginx's lingering close): closing with its unread body in the
  // buffer would reset the connection, and the client could lose the answer.
  void linger() {
    shutdown(socket_, SHUT_WR);
    std::array<char, 4096> sink{};
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (std::chrono::steady_clock::now() < deadline &&
           wait_for(socket_, POLLIN, std::chrono::milliseconds(100))) {
      if (recv(socket_, sink.data(), sink.size(), MSG_DONTWAIT) <= 0) break;
    }
  }

 private:
  int socket_;
  std::chrono::milliseconds idle_;
  std::array<char, 4096> buffer_{};
  std::size_t start_ = 0, end_ = 0;
  std::uint64_t most_;       // bytes a request may take, head and body
  std::uint64_t taken_ = 0;  // read of this request so far
};

}  // namespace

HttpServer::HttpServer(const HttpLimits& limits)
    : idle_(limits.idle_timeout), most_(limits.max_body + kMostHead) {
  new_task_queue = [threads = limits.max_connections] { return new ConnectionPool(threads); };
  // SO_REUSEADDR alone (as cli/http_server.cpp): httplib's SO_REUSEPORT would
  // let a second flow bind the same port and share its requests.
  set_socket_options([](socket_t socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  set_payload_max_length(limits.max_body);
  // Only what httplib says in its Keep-Alive header: the loop below keeps to them.
  set_keep_alive_max_count(kRequestsPerConnection);
  set_keep_alive_timeout(
      std::max<time_t>(1, std::chrono::duration_cast<std::chrono::seconds>(idle_).count()));
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
  // httplib listens with a backlog of 5: a burst of clients would have their
  // connections dropped and retried a second later. nginx's 511.
  ::listen(svr_sock_, 511);
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
  {
    // Connections waiting for a request, or reading one, stop at once: they read its end.
    std::lock_guard lock(open_mutex_);
    closing_ = true;
    for (int socket : open_) shutdown(socket, SHUT_RD);
  }
  stop();
  thread_.join();
}

void HttpServer::close_after_answer() {
  close_after = true;
}

bool HttpServer::process_and_close_socket(socket_t socket) {
  if (over_limit) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    // A fresh socket's send buffer is empty: this small answer never blocks the accepting thread.
    constexpr std::string_view busy =
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: "
        "close\r\n\r\n";
    (void)send(socket, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(socket, SHUT_WR);
    ::close(socket);
    return true;
  }
  {
    std::lock_guard lock(open_mutex_);
    if (closing_) {
      ::close(socket);
      return false;
    }
    open_.insert(socket);
  }
  Connection connection(socket, idle_, most_);
  bool answered = true;
  for (std::size_t served = 0; served < kRequestsPerConnection; ++served) {
    if (!connection.next_request([this] { return svr_sock_ != INVALID_SOCKET; })) break;
    close_after = false;
    bool closed = false;
    answered = process_request(connection, served + 1 == kRequestsPerConnection, closed, nullptr);
    if (!answered || closed || close_after) break;
  }
  {
    std::lock_guard lock(open_mutex_);
    open_.erase(socket);
  }
  connection.linger();
  ::close(socket);
  return answered;
}

}  // namespace flow::ingest
