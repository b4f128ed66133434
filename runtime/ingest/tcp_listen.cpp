// listen("tcp://host:port"): lines (RFC 6587 framing, tcp_frames.hpp) from
// many connections. One thread of its own waits on epoll: it accepts,
// enforces max_connections and idle_timeout, and marks a connection ready
// when it is readable (EPOLLONESHOT: once, until it is armed again). The
// reading itself happens in pull(), so it reads only as much as the runtime
// has room for: when the output edge is `block` and full the runtime does not
// pull, nothing reads the sockets, and the kernel's TCP window pushes back
// on the senders. flow holds no buffer of its own beyond the edge: per
// connection at most max_line and one 64 KiB read (docs/ingest.md).
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "flow/arguments.hpp"
#include "runtime/ingest/address.hpp"
#include "runtime/ingest/ingest.hpp"
#include "runtime/ingest/listener_socket.hpp"
#include "runtime/ingest/tcp_frames.hpp"
#include "runtime/ops/unfinished.hpp"

namespace flow::ingest {
namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Vector's socket source and rsyslog's imtcp set no idle timeout and take
// frames of 100-200 KB; rsyslog takes 200 sessions. A safe default bounds
// all three (docs/ingest.md).
constexpr std::uint64_t kDefaultMaxLine = std::uint64_t{64} * 1024;
constexpr std::int64_t kDefaultMaxConnections = 200;
constexpr auto kDefaultIdle = std::chrono::seconds(300);
/// A pull reads at most this much, so that a flood of skipped bytes cannot hold it.
constexpr std::size_t kReadPerPull = std::size_t{1} << 20;
constexpr std::uint64_t kListenerId = 0, kStopId = 1, kFirstConnection = 2;
/// While accept(2) fails for want of descriptors, the listener rests this long.
constexpr milliseconds kResumeAfter(100);

struct Connection {
  Connection(Fd socket, std::size_t max_line, Steady::time_point now)
      : fd(std::move(socket)), frames(max_line), last(now) {}
  Fd fd;
  FrameReader frames;
  Steady::time_point last;  ///< when it was last found with nothing more to read
  bool ready = false;       ///< fired and not armed again: only pull() touches it
  bool ended = false;       ///< the sender closed its side
};

class TcpListen final : public SourceOperator, public ops::HoldsUnfinished {
 public:
  TcpListen(Address address, std::uint64_t max_line, std::size_t max_connections,
            std::optional<Steady::duration> idle)
      : address_(std::move(address)), max_line_(max_line), max_connections_(max_connections), idle_(idle) {
    listener_ = bind_listener(address_);
    epoll_ = Fd(::epoll_create1(EPOLL_CLOEXEC));
    stop_event_ = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (epoll_.get() < 0 || stop_event_.get() < 0) fail("listen", errno);
    watch(listener_.get(), EPOLL_CTL_ADD, EPOLLIN, kListenerId);
    watch(stop_event_.get(), EPOLL_CTL_ADD, EPOLLIN, kStopId);
    // Tests and users of port 0 read the port from here (the same form as the HTTP listener's).
    auto line = fmt::format("flow: listening on {}\n", to_string(address_));
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  }
  ~TcpListen() override { end_watcher(); }
  TcpListen(const TcpListen&) = delete;
  TcpListen& operator=(const TcpListen&) = delete;

  void attach(SourceContext& context) override {
    context_ = &context;
    watcher_ = std::thread([this] { watch_loop(); });
  }

  SourcePull pull(Chunk& out, std::size_t max, Clock::time_point now) override;

  bool stop() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    end_watcher();
    {
      std::lock_guard lock(mutex_);
      listener_.close();
      // Armed connections hold at most an unfinished line: nothing taken is lost.
      std::erase_if(connections_, [&](auto& entry) { return !entry.second->ready && forget(*entry.second); });
    }
    if (context_ != nullptr) context_->wake();
    return true;
  }

  std::vector<std::pair<std::string, std::uint64_t>> counts() const override {
    return {{"connections", accepted_.load()},
            {"connections_refused", refused_.load()},
            {"idle_closed", idle_closed_.load()},
            {"lines_too_long", too_long_.load()},
            {"bytes", bytes_.load()}};
  }

  std::int64_t take_held_change() override {
    auto held = buffered_.load();
    return held - std::exchange(reported_, held);
  }

 private:
  enum class Visit { More, Armed, Closed };

  void watch(int fd, int op, std::uint32_t events, std::uint64_t id) const {
    epoll_event event{};
    event.events = events;
    event.data.u64 = id;
    if (::epoll_ctl(epoll_.get(), op, fd, &event) != 0 && op != EPOLL_CTL_DEL)
      fail("listen: epoll_ctl", errno);
  }
  void arm(const Connection& connection, int op, std::uint64_t id) const {
    watch(connection.fd.get(), op, EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, id);
  }
  /// Its bytes no longer held; true, for erase_if.
  bool forget(const Connection& connection) {
    buffered_ -= static_cast<std::int64_t>(connection.frames.buffered());
    return true;
  }

  void end_watcher() {
    std::uint64_t one = 1;
    (void)!::write(stop_event_.get(), &one, sizeof one);
    if (watcher_.joinable()) watcher_.join();
  }

  void watch_loop();
  void accept_all(Steady::time_point now);
  void close_idle(Steady::time_point now);
  Visit visit(Connection& connection, Chunk& out, std::size_t max, std::size_t& budget);
  void settle(std::uint64_t id, Connection& connection, Visit visit);

  Address address_;
  std::uint64_t max_line_;
  std::size_t max_connections_;
  std::optional<Steady::duration> idle_;
  Fd listener_, epoll_, stop_event_;
  std::thread watcher_;
  SourceContext* context_ = nullptr;

  std::mutex mutex_;  ///< guards what follows, up to the counts
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::deque<std::uint64_t> ready_;  ///< connections fired, in the order they did
  std::uint64_t next_id_ = kFirstConnection;
  std::atomic<bool> stopping_{false};  ///< set under mutex_, read without it by visit()
  bool resting_ = false;               ///< the listener is out of epoll: accept(2) ran out of descriptors
  Steady::time_point resume_at_{};     ///< when a resting listener is watched again

  std::atomic<std::uint64_t> accepted_{0}, refused_{0}, idle_closed_{0}, too_long_{0}, bytes_{0};
  std::atomic<std::int64_t> buffered_{0};  ///< bytes read and not yet handed on, over all connections
  std::int64_t reported_ = 0;
};

void TcpListen::watch_loop() {
  std::array<epoll_event, 64> events{};
  // Idle connections are looked for ten times per idle_timeout, at most once a second.
  auto tick = idle_ ? std::clamp<Steady::duration>(*idle_ / 10, milliseconds(10), std::chrono::seconds(1))
                    : Steady::duration::max();
  auto next_check = idle_ ? Steady::now() + tick : Steady::time_point::max();
  while (true) {
    auto now = Steady::now();
    auto due = resting_ ? std::min(next_check, resume_at_) : next_check;
    int timeout = due == Steady::time_point::max()
                      ? -1
                      : static_cast<int>(std::chrono::ceil<milliseconds>(std::max(due - now, {})).count());
    int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout);
    now = Steady::now();
    bool woke = false;
    for (int i = 0; i < n; ++i) {
      auto id = events[static_cast<std::size_t>(i)].data.u64;
      if (id == kStopId) return;
      if (id == kListenerId) {
        accept_all(now);
        continue;
      }
      std::lock_guard lock(mutex_);
      auto found = connections_.find(id);
      if (found == connections_.end() || found->second->ready) continue;
      found->second->ready = true;
      ready_.push_back(id);
      woke = true;
    }
    if (now >= next_check) {
      close_idle(now);
      next_check = now + tick;
    }
    // At its time whatever the traffic: busy connections must not keep it resting for good.
    if (resting_ && now >= resume_at_) {
      resting_ = false;
      watch(listener_.get(), EPOLL_CTL_MOD, EPOLLIN, kListenerId);
    }
    if (woke) context_->wake();
  }
}

void TcpListen::accept_all(Steady::time_point now) {
  while (true) {
    Fd socket(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (socket.get() < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        // Out of descriptors (EMFILE): a level-triggered listener would spin; rest it.
        resting_ = true;
        resume_at_ = now + kResumeAfter;
        watch(listener_.get(), EPOLL_CTL_MOD, 0, kListenerId);
      }
      return;
    }
    std::lock_guard lock(mutex_);
    if (connections_.size() >= max_connections_) {
      ++refused_;  // closed on leaving this scope: the sender sees its connection end
      continue;
    }
    ++accepted_;
    auto id = next_id_++;
    auto connection = std::make_unique<Connection>(std::move(socket), max_line_, now);
    arm(*connection, EPOLL_CTL_ADD, id);
    connections_.emplace(id, std::move(connection));
  }
}

void TcpListen::close_idle(Steady::time_point now) {
  std::lock_guard lock(mutex_);
  std::erase_if(connections_, [&](auto& entry) {
    const Connection& connection = *entry.second;
    // A ready connection is not idle: it has input flow has not read (maybe held back by a full edge).
    if (connection.ready || now - connection.last < *idle_) return false;
    ++idle_closed_;
    return forget(connection);
  });
}

TcpListen::Visit TcpListen::visit(Connection& connection, Chunk& out, std::size_t max, std::size_t& budget) {
  auto& frames = connection.frames;
  while (true) {
    frames.cut(out, max);
    if (!frames.starved()) return Visit::More;  // `out` is full
    if (connection.ended) {
      frames.cut_last(out);
      return Visit::Closed;
    }
    // Stopped: what the kernel holds unread, and an unfinished line, were not taken.
    if (stopping_.load()) return Visit::Closed;
    if (budget == 0) return Visit::More;
    ssize_t n = ::read(connection.fd.get(), frames.read_space(), FrameReader::kReadSize);
    if (n > 0) {
      frames.filled(static_cast<std::size_t>(n));
      bytes_ += static_cast<std::uint64_t>(n);
      budget -= std::min(budget, static_cast<std::size_t>(n));
    } else if (n == 0) {
      connection.ended = true;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      frames.shrink();
      return Visit::Armed;
    } else if (errno != EINTR) {
      return Visit::Closed;  // reset by the sender: its unfinished line goes with it
    }
  }
}

void TcpListen::settle(std::uint64_t id, Connection& connection, Visit visit) {
  std::lock_guard lock(mutex_);
  // Stopped since the visit began: stop() closes only armed connections, so this one is ours to close.
  if (visit == Visit::Armed && stopping_) visit = Visit::Closed;
  switch (visit) {
    case Visit::More:
      ready_.push_back(id);  // behind the others that fired: no sender starves the rest
      return;
    case Visit::Armed:
      connection.ready = false;
      connection.last = Steady::now();
      arm(connection, EPOLL_CTL_MOD, id);
      return;
    case Visit::Closed:
      forget(connection);
      connections_.erase(id);
      return;
  }
}

SourcePull TcpListen::pull(Chunk& out, std::size_t max, Clock::time_point now) {
  std::size_t budget = kReadPerPull;
  while (out.size() < max && budget > 0) {
    std::uint64_t id = 0;
    Connection* connection = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (ready_.empty()) break;
      id = ready_.front();
      ready_.pop_front();
      connection = connections_.at(id).get();
    }
    auto held = connection->frames.buffered();
    auto too_long = connection->frames.too_long();
    auto result = visit(*connection, out, max, budget);
    buffered_ += static_cast<std::int64_t>(connection->frames.buffered()) - static_cast<std::int64_t>(held);
    too_long_ += connection->frames.too_long() - too_long;
    settle(id, *connection, result);
  }
  SourcePull result;
  std::lock_guard lock(mutex_);
  result.exhausted = stopping_ && connections_.empty();
  if (!result.exhausted && out.empty()) {
    // Bytes read but no whole line yet and the budget spent: come back at once.
    if (ready_.empty()) {
      result.wait = true;
    } else {
      result.next_at = now;
    }
  }
  return result;
}

}  // namespace

std::unique_ptr<SourceOperator> make_tcp_listen(const OperatorCall& call) {
  std::string error;
  auto address = parse_address(required_arg<std::string>(call, "address"), error);
  if (!address) throw std::invalid_argument(error);
  auto max_line = optional_arg<Size>(call, "max_line").value_or(Size{kDefaultMaxLine}).bytes;
  auto max_connections = optional_arg<std::int64_t>(call, "max_connections").value_or(kDefaultMaxConnections);
  std::optional<Steady::duration> idle = kDefaultIdle;
  if (auto given = optional_arg<Duration>(call, "idle_timeout")) {
    idle = given->value.count() > 0 ? std::optional<Steady::duration>(given->value) : std::nullopt;
  }
  return std::make_unique<TcpListen>(std::move(*address), max_line, static_cast<std::size_t>(max_connections),
                                     idle);
}

}  // namespace flow::ingest

namespace flow::ingest {

std::string validate_tcp_listen(const OperatorCall& call, std::string& argument) {
  for (const char* http_only : {"timeout", "max_body", "ack"}) {
    if (call.args.count(http_only) != 0) {
      argument = http_only;
      return fmt::format("{} applies to http:// listeners only; a tcp:// listener has no requests to answer",
                         http_only);
    }
  }
  if (auto max = optional_arg<std::int64_t>(call, "max_connections"); max && *max < 1) {
    argument = "max_connections";
    return fmt::format("max_connections must be at least 1, got {}", *max);
  }
  if (auto max = optional_arg<Size>(call, "max_line"); max && max->bytes == 0) {
    argument = "max_line";
    return "max_line must be more than 0B";
  }
  if (auto idle = optional_arg<Duration>(call, "idle_timeout"); idle && idle->value.count() < 0) {
    argument = "idle_timeout";
    return "idle_timeout must not be negative (0s: never close an idle connection)";
  }
  return "";
}

}  // namespace flow::ingest
