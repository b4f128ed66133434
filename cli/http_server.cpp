#include "cli/http_server.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <httplib.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace flow::cli {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A request's line and headers must all arrive within this of its connection
// being accepted, however slowly they trickle in (nginx's
// client_header_timeout): httplib's read timeout counts from the last byte, so
// a byte every half second held a thread, the scrapes behind it and flow's
// exit for as long as the client liked. Every response closes its connection,
// so no idle keep-alive connection holds a thread past its request either.
constexpr auto request_deadline = 1s;

// A write the client takes nothing of for this long fails: it stopped reading.
constexpr auto write_timeout = 1s;

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

// Whether `socket` became ready for `events` (or hung up) before `deadline`.
bool wait_for(int socket, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd ready{socket, events, 0};
    int got = poll(&ready, 1, static_cast<int>(std::max<decltype(left)>(left, 0)));
    if (got > 0) return true;  // an error or a hang-up too: the next call says which
    if (got == 0 || errno != EINTR) return false;
  }
}

// Sends what the socket takes of `bytes`, waiting up to the write timeout for
// it to take anything; -1 when it took nothing in that time, or failed.
ssize_t send_some(int socket, const char* bytes, std::size_t size) {
  auto deadline = Clock::now() + write_timeout;
  for (;;) {
    auto sent = send(socket, bytes, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent >= 0) return sent;
    if (errno == EINTR) continue;
    if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_for(socket, POLLOUT, deadline)) return -1;
  }
}

bool send_all(int socket, std::string_view bytes) {
  while (!bytes.empty()) {
    auto sent = send_some(socket, bytes.data(), bytes.size());
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

void address_of(int (*name)(int, sockaddr*, socklen_t*), int socket, std::string& ip, int& port) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  std::array<char, NI_MAXHOST> host{};
  std::array<char, NI_MAXSERV> service{};
  if (name(socket, reinterpret_cast<sockaddr*>(&address), &size) != 0 ||
      getnameinfo(reinterpret_cast<sockaddr*>(&address), size, host.data(), host.size(), service.data(),
                  service.size(), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return;
  }
  ip = host.data();
  port = std::atoi(service.data());
}

// One connection, as httplib's request parser and response writer see it,
// with flow's limits: reads end at the request's deadline, a write fails after
// a second without progress. Once a stream route has taken it over, what
// httplib would answer goes nowhere: the taker answers.
class Connection final : public httplib::Stream {
 public:
  Connection(int socket, Clock::time_point accepted)
      : socket_(socket), deadline_(accepted + request_deadline) {}

  bool is_readable() const override { return start_ < end_ || wait_for(socket_, POLLIN, deadline_); }
  bool is_writable() const override { return wait_for(socket_, POLLOUT, Clock::now() + write_timeout); }

  // httplib reads a request a byte at a time: the socket is read a buffer at a time.
  ssize_t read(char* bytes, std::size_t size) override {
    if (start_ == end_) {
      if (!wait_for(socket_, POLLIN, deadline_)) {
        late_ = true;
        return -1;
      }
      auto got = recv(socket_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
      if (got <= 0) return got == 0 ? 0 : -1;
      start_ = 0;
      end_ = static_cast<std::size_t>(got);
    }
    auto taken = std::min(size, end_ - start_);
    std::memcpy(bytes, buffer_.data() + start_, taken);
    start_ += taken;
    return static_cast<ssize_t>(taken);
  }

  ssize_t write(const char* bytes, std::size_t size) override {
    if (late_) return -1;  // a request that ran out of time gets no answer, as nginx does
    if (taker) return static_cast<ssize_t>(size);
    return send_some(socket_, bytes, size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address_of(getpeername, socket_, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address_of(getsockname, socket_, ip, port);
  }
  int socket() const override { return socket_; }

  // Set by a stream route: who gets the socket, after `head`.
  const SocketTaker* taker = nullptr;
  std::string head;

 private:
  int socket_;
  Clock::time_point deadline_;
  bool late_ = false;  // the request did not arrive whole by its deadline
  std::array<char, 4096> buffer_{};
  std::size_t start_ = 0, end_ = 0;
};

// Set on a server thread for the connection it is answering: httplib calls a
// route's handler on the thread that called process_request, and gives it no
// other way to reach the connection.
thread_local Connection* current_connection = nullptr;
// When the connection the thread is about to answer was accepted.
thread_local Clock::time_point accepted_at;

// httplib's thread pool, but each connection keeps when it was accepted, so
// its request's deadline counts from then: one queued behind slow clients has
// spent its time waiting already, and a scrape waits at most a deadline
// however many slow clients came first.
class StampedPool final : public httplib::TaskQueue {
 public:
  explicit StampedPool(std::size_t threads) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  }

  void enqueue(std::function<void()> job) override {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back({Clock::now(), std::move(job)});
    }
    ready_.notify_one();
  }

  // Runs the jobs still queued (each closes its connection), then joins.
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_all();
    for (auto& thread : threads_) thread.join();
  }

 private:
  struct Job {
    Clock::time_point accepted;
    std::function<void()> run;
  };

  void work() {
    for (;;) {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return done_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      accepted_at = job.accepted;
      job.run();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> jobs_;
  bool done_ = false;
  std::vector<std::thread> threads_;
};

// httplib's server with flow's connections: one request each, under the
// limits above, and cut off when the server stops.
class Server final : public httplib::Server {
 public:
  // httplib listens with a backlog of 5 (fixed when Debian built it): a
  // burst of connections past it (a page's files and its stream, a scrape
  // behind a few slow clients, on a busy machine) has its SYNs dropped and
  // retried a second or more later. Listening again sets nginx's 511.
  void widen_backlog() { ::listen(svr_sock_, 511); }

  // From now on a connection is closed unread, and those reading their
  // request read its end: they stop at once. Answers being written go on.
  void cut_off_requests() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (int socket : open_) shutdown(socket, SHUT_RD);
  }

 private:
  bool process_and_close_socket(int socket) override {
    Connection connection(socket, accepted_at);
    bool answered = false;
    if (admit(socket)) {
      current_connection = &connection;
      bool closed = false;
      answered = process_request(connection, /*close_connection=*/true, closed, nullptr);
      current_connection = nullptr;
      release(socket);
    }
    if (connection.taker && answered && send_all(socket, connection.head)) {
      (*connection.taker)(socket);
      return true;
    }
    shutdown(socket, SHUT_RDWR);
    close(socket);
    return answered;
  }

  bool admit(int socket) {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    open_.insert(socket);
    return true;
  }

  void release(int socket) {
    std::lock_guard lock(mutex_);
    open_.erase(socket);
  }

  std::mutex mutex_;    // guards what follows
  std::set<int> open_;  // connections being answered
  bool stopping_ = false;
};

// SO_REUSEADDR alone, as nginx binds: a port left in TIME_WAIT by a flow that
// just exited can be bound again, one another process listens on cannot.
// httplib's default, SO_REUSEPORT, let a second flow bind the same port and
// the kernel split the requests between the two.
void listen_options(int socket) {
  int yes = 1;
  setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

}  // namespace

struct HttpServer::Parts {
  Server server;
  std::vector<std::unique_ptr<SocketTaker>> takers;  // the stream routes'; read by server threads
  std::thread thread;
  std::atomic<bool> done{false};  // listen_after_bind returned
};

// httplib's default is a thread per core, idle but there beside the run's
// workers: each server says how many it needs.
HttpServer::HttpServer(std::size_t request_threads) : parts_(std::make_unique<Parts>()) {
  auto& server = parts_->server;
  server.new_task_queue = [request_threads] { return new StampedPool(request_threads); };
  server.set_socket_options(listen_options);
  // httplib's read and write timeouts apply only to its own connection
  // handling, which Server replaces: flow's reads and writes never block, and
  // wait with poll() under the limits above.
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

void HttpServer::stream(const std::string& path, const std::string& content_type, SocketTaker taker) {
  const SocketTaker* owner =
      parts_->takers.emplace_back(std::make_unique<SocketTaker>(std::move(taker))).get();
  // No Content-Length and no chunks: the body ends when the taker closes.
  auto head = fmt::format(
      "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
      content_type);
  parts_->server.Get(exact_pattern(path), [owner, head, content_type](const httplib::Request& request,
                                                                      httplib::Response& response) {
    if (request.method == "HEAD" || current_connection == nullptr) {
      response.set_header("Content-Type", content_type);
      return;
    }
    current_connection->taker = owner;
    current_connection->head = head;
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
  server.widen_backlog();
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
  parts_->server.cut_off_requests();
  parts_->server.stop();
  parts_->thread.join();
}

}  // namespace flow::cli
