// listen("http://127.0.0.1:8080/ingest"): each POST body becomes messages, one
// per line, and the answer is the output edge's: 202 when they were taken,
// 429 with Retry-After under a drop policy with no room for the whole
// request, 503 after `timeout` under block, 413 over max_body. A 202 is a
// promise: what was accepted but not yet pulled, with what the edge holds,
// never exceeds the edge's capacity, so nothing accepted is dropped there
// (docs/ingest.md, "HTTP ingress").
#include <fmt/format.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "flow/arguments.hpp"
#include "runtime/ingest/address.hpp"
#include "runtime/ingest/http_intake.hpp"
#include "runtime/ingest/http_server.hpp"
#include "runtime/ingest/ingest.hpp"

namespace flow::ingest {
namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// With no bound on the edge, what the listener holds itself is still bounded.
constexpr std::size_t kUnboundedPending = 65536;
// How often a request waiting for room under `block` looks again: room opens
// as the edge drains, which nothing tells the listener.
constexpr auto kRoomPoll = 5ms;

// What the server threads, the runtime's pulls and the receipts share. The
// receipts may outlive the operator, so they hold this, never the operator.
// Where the listener listens: address.hpp's Address, the path "/" when none is given.
struct HttpAddress {
  std::string host;
  int port = 0;
  std::string path;
};

struct Intake {
  std::mutex mutex;
  std::condition_variable changed;  // room may have opened, a request was delivered, the run stops
  std::deque<Message> pending;      // accepted, not yet pulled
  std::size_t in_transit = 0;       // handed by the last pull: in the edge by the next one
  std::uint64_t handed = 0;         // handed in all, for the drain rate
  std::uint64_t fill = 0;           // what the edge held when last looked at
  DrainRate rate;
  SourceContext* context = nullptr;                     // set by attach; requests before it are 503
  std::shared_ptr<const std::atomic<bool>> run_failed;  // set by attach; outlives the run
  bool stopping = false;                                // stop(): new requests 503, pending drains
  bool closing = false;                                 // the operator is going: nobody waits any more
  std::uint64_t accepted = 0, messages = 0, acknowledged = 0, rejected = 0, timed_out = 0, too_large = 0,
                bad_request = 0, unavailable = 0, unacknowledged = 0, lost = 0;
};

// What became of a request's messages, once the pipeline is done with them.
enum class Outcome { Pending, Delivered, Lost };

// One per request with ack=delivered, shared by its messages.
class Delivered final : public Receipt {
 public:
  Delivered(std::shared_ptr<Intake> intake, std::shared_ptr<Outcome> outcome)
      : intake_(std::move(intake)), outcome_(std::move(outcome)) {}

 private:
  void done() override {
    {
      std::lock_guard lock(intake_->mutex);
      // Let go by a failed run is not delivered either.
      bool failed = intake_->run_failed && intake_->run_failed->load(std::memory_order_acquire);
      *outcome_ = lost() || failed ? Outcome::Lost : Outcome::Delivered;
    }
    intake_->changed.notify_all();
    delete this;
  }
  std::shared_ptr<Intake> intake_;
  std::shared_ptr<Outcome> outcome_;
};

struct Answer {
  int status = 202;
  std::string body;
  std::uint64_t retry_after = 0;
};

void reply(httplib::Response& response, const Answer& answer) {
  response.status = answer.status;
  if (answer.retry_after > 0) response.set_header("Retry-After", std::to_string(answer.retry_after));
  response.set_content(answer.body + "\n", "application/json");
}

// Answered before the body was read: the connection closes after the answer.
void close_unread(httplib::Response& response) {
  response.set_header("Connection", "close");
  HttpServer::close_after_answer();
}

Answer error(int status, std::uint64_t& counter, const std::string& why, std::uint64_t retry_after = 0) {
  ++counter;
  return {status, fmt::format(R"({{"error":"{}"}})", why), retry_after};
}

class HttpListen final : public SourceOperator {
 public:
  HttpListen(const HttpAddress& address, const HttpLimits& limits, std::chrono::milliseconds timeout,
             bool ack)
      : address_(address), limits_(limits), timeout_(timeout), ack_(ack), server_(limits) {
    server_.Post(exact(address_.path), [this](const httplib::Request& request, httplib::Response& response,
                                              const httplib::ContentReader& reader) {
      reply(response, ingest(request, response, reader));
    });
    server_.Get(exact(address_.path), [](const httplib::Request&, httplib::Response& response) {
      response.status = 405;
      response.set_header("Allow", "POST");
    });
    server_.Get("/health",
                [this](const httplib::Request&, httplib::Response& response) { health(response); });
    // A body announced over max_body is refused before it is sent (curl asks first for large ones).
    server_.set_expect_100_continue_handler(
        [this](const httplib::Request& request, httplib::Response& response) {
          if (announced(request) <= limits_.max_body) return 100;
          std::lock_guard lock(intake_->mutex);
          reply(response, error(413, intake_->too_large, "body over max_body"));
          close_unread(response);
          return 413;
        });
    address_.port = server_.start(address_.host, address_.port);
  }

  ~HttpListen() override {
    std::deque<Message> left;  // what a failed run never pulled
    {
      std::lock_guard lock(intake_->mutex);
      intake_->closing = true;
      intake_->context = nullptr;
      left.swap(intake_->pending);
    }
    intake_->changed.notify_all();
    server_.close();
    // Destroyed outside the lock: their receipts take it, and they hold the
    // intake, which would otherwise hold them for ever.
    left.clear();
  }

  HttpListen(const HttpListen&) = delete;
  HttpListen& operator=(const HttpListen&) = delete;

  void attach(SourceContext& context) override {
    {
      std::lock_guard lock(intake_->mutex);
      intake_->context = &context;
      intake_->run_failed = context.run_failed();
    }
    // Tests and scripts read the port from this line when they asked for port 0.
    fmt::print(stderr, "flow: listening on http://{}:{}{}\n", address_.host, address_.port, address_.path);
    std::fflush(stderr);
  }

  SourcePull pull(Chunk& out, std::size_t max, Clock::time_point) override {
    std::lock_guard lock(intake_->mutex);
    std::size_t taken = 0;
    while (!intake_->pending.empty() && taken < max) {
      out.push_back(std::move(intake_->pending.front()));
      intake_->pending.pop_front();
      ++taken;
    }
    intake_->in_transit = taken;
    intake_->handed += taken;
    intake_->changed.notify_all();
    SourcePull pull;
    pull.exhausted = intake_->stopping && intake_->pending.empty();
    // Pulled again at once after handing some, so that in_transit is cleared
    // once they are in the edge (a source node's one worker emits a pull's
    // messages before it pulls again).
    if (taken > 0 && !pull.exhausted) pull.next_at = Clock::now();
    pull.wait = taken == 0 && !pull.exhausted;
    return pull;
  }

  bool stop() override {
    SourceContext* context = nullptr;
    {
      std::lock_guard lock(intake_->mutex);
      intake_->stopping = true;
      context = intake_->context;
    }
    intake_->changed.notify_all();
    if (context != nullptr) context->wake();
    return true;
  }

  std::vector<std::pair<std::string, std::uint64_t>> counts() const override {
    std::lock_guard lock(intake_->mutex);
    const Intake& in = *intake_;
    return {{"accepted", in.accepted},
            {"accepted_messages", in.messages},
            {"acknowledged", in.acknowledged},
            {"unacknowledged", in.unacknowledged},
            {"lost", in.lost},
            {"rejected", in.rejected},
            {"timed_out", in.timed_out},
            {"too_large", in.too_large},
            {"bad_request", in.bad_request},
            {"unavailable", in.unavailable},
            {"refused_connections", server_.refused_connections()}};
  }

 private:
  static std::string exact(const std::string& path) {
    std::string pattern;
    for (char c : path) {
      if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern += '\\';
      pattern += c;
    }
    return pattern;
  }

  static std::uint64_t announced(const httplib::Request& request) {
    if (!request.has_header("Content-Length")) return 0;
    return std::strtoull(request.get_header_value("Content-Length").c_str(), nullptr, 10);
  }

  Answer ingest(const httplib::Request& request, httplib::Response& response,
                const httplib::ContentReader& reader);
  Answer admit(Chunk lines);
  std::size_t available() const;  // under the intake's lock
  void health(httplib::Response& response);

  HttpAddress address_;
  HttpLimits limits_;
  std::chrono::milliseconds timeout_;
  bool ack_;
  std::shared_ptr<Intake> intake_ = std::make_shared<Intake>();
  HttpServer server_;  // last: its threads stop before the rest goes
};

Answer HttpListen::ingest(const httplib::Request& request, httplib::Response& response,
                          const httplib::ContentReader& reader) {
  // Checked before a byte of the body is read; the connection is closed, so
  // the unread body is never taken for the next request.
  if (announced(request) > limits_.max_body) {
    close_unread(response);
    std::lock_guard lock(intake_->mutex);
    return error(413, intake_->too_large, "body over max_body");
  }
  std::string body;
  bool whole = reader([&](const char* data, std::size_t size) {
    body.append(data, size);
    return body.size() <= limits_.max_body;  // a chunked body has no length to check first
  });
  if (body.size() > limits_.max_body) {
    close_unread(response);
    std::lock_guard lock(intake_->mutex);
    return error(413, intake_->too_large, "body over max_body");
  }
  if (!whole) {
    std::lock_guard lock(intake_->mutex);
    return error(400, intake_->bad_request, "the body did not arrive whole");
  }
  std::size_t bad_line = 0;
  Chunk lines = body_lines(body, is_ndjson(request.get_header_value("Content-Type")), bad_line);
  if (bad_line != 0) {
    std::lock_guard lock(intake_->mutex);
    return error(400, intake_->bad_request, fmt::format("line {} is not JSON", bad_line));
  }
  return admit(std::move(lines));
}

std::size_t HttpListen::available() const {
  const Intake& in = *intake_;
  std::size_t held = in.pending.size() + in.in_transit;
  auto room = in.context->room();
  std::size_t free = room ? *room : kUnboundedPending;
  if (room) {
    intake_->fill = in.context->capacity().value_or(*room) - *room;
    intake_->rate.sample(SteadyClock::now(), in.handed, in.fill);
  }
  return free > held ? free - held : 0;
}

Answer HttpListen::admit(Chunk lines) {
  const std::size_t n = lines.size();
  auto outcome = std::make_shared<Outcome>(Outcome::Pending);
  if (ack_ && n > 0) {
    // One receipt for the whole request: it is told when its last message is
    // done with, and deletes itself then (the analyzer cannot see it through
    // the receipt table's number).
    ReceiptRef receipt(new Delivered(intake_, outcome));  // NOLINT(clang-analyzer-cplusplus.NewDeleteLeaks)
    for (auto& line : lines) line.receipt = receipt;
  }
  auto deadline = SteadyClock::now() + timeout_;
  std::unique_lock lock(intake_->mutex);
  Intake& in = *intake_;
  for (;;) {
    if (in.stopping || in.closing || in.context == nullptr)
      return error(503, in.unavailable, "not taking requests");
    auto capacity = in.context->capacity();
    if (capacity && n > *capacity) {
      return error(413, in.too_large,
                   fmt::format("{} lines, more than the edge's capacity of {}", n, *capacity));
    }
    std::size_t room = available();
    if (n <= room) break;
    auto policy = in.context->policy();
    if (policy == Overflow::DropNewest || policy == Overflow::DropOldest) {
      auto retry = retry_after_s(n - room, in.rate.per_second(SteadyClock::now(), in.handed, in.fill));
      // Counted at the edge in the same hold of the lock as `rejected`, so the two always agree.
      in.context->refused(n);
      return error(429, in.rejected, "the pipeline is full", retry);
    }
    if (SteadyClock::now() >= deadline) return error(503, in.timed_out, "no room within the timeout", 1);
    in.changed.wait_until(lock, std::min(deadline, SteadyClock::now() + kRoomPoll));
  }
  for (auto& line : lines) in.pending.push_back(std::move(line));
  ++in.accepted;
  in.messages += n;
  SourceContext* context = in.context;
  lock.unlock();
  context->wake();
  if (!ack_ || n == 0) return {202, fmt::format(R"({{"accepted":{}}})", n), 0};
  lock.lock();
  // Answered as the messages are done with, even while the run stops; only
  // the end of the operator cuts the wait short.
  in.changed.wait(lock, [&] { return *outcome != Outcome::Pending || in.closing; });
  if (*outcome == Outcome::Pending) {
    return error(503, in.unacknowledged, "the run ended before the request was delivered");
  }
  // Taken, then shed or failed further on (a full drop edge, on_error=skip):
  // not a 200. 503 like a refusal: the client may send it again.
  if (*outcome == Outcome::Lost)
    return error(503, in.lost, "lines of the request were dropped or failed in the pipeline");
  ++in.acknowledged;
  return {200, fmt::format(R"({{"delivered":{}}})", n), 0};
}

void HttpListen::health(httplib::Response& response) {
  std::lock_guard lock(intake_->mutex);
  const Intake& in = *intake_;
  bool serving = in.context != nullptr && !in.stopping && !in.closing;
  std::size_t room = serving ? available() : 0;
  auto capacity = serving ? in.context->capacity() : std::nullopt;
  response.status = serving && room > 0 ? 200 : 503;
  response.set_content(
      fmt::format(R"({{"full":{},"stopping":{},"room":{},"pending":{},"capacity":{},"policy":"{}"}})"
                  "\n",
                  room == 0, !serving, room, in.pending.size(), capacity ? std::to_string(*capacity) : "null",
                  serving ? to_string(in.context->policy()) : "none"),
      "application/json");
}

std::chrono::milliseconds millis_arg(const OperatorCall& call, const std::string& name,
                                     std::chrono::milliseconds fallback) {
  auto value = optional_arg<Duration>(call, name);
  return value ? std::chrono::duration_cast<std::chrono::milliseconds>(value->value) : fallback;
}

}  // namespace

std::unique_ptr<SourceOperator> make_http_listen(const OperatorCall& call) {
  std::string error;
  auto parsed = parse_address(required_arg<std::string>(call, "address"), error);
  if (!parsed) throw std::invalid_argument(fmt::format("listen: {}", error));
  HttpAddress address{parsed->host, parsed->port, parsed->path.empty() ? "/" : parsed->path};
  HttpLimits limits;
  if (auto max = optional_arg<std::int64_t>(call, "max_connections")) {
    if (*max < 1) throw std::invalid_argument("listen: max_connections must be at least 1");
    limits.max_connections = static_cast<std::size_t>(*max);
  }
  limits.idle_timeout = millis_arg(call, "idle_timeout", limits.idle_timeout);
  if (auto max_body = optional_arg<Size>(call, "max_body")) limits.max_body = max_body->bytes;
  auto ack = optional_arg<Identifier>(call, "ack").value_or(Identifier{"accepted"}).name;
  if (ack != "accepted" && ack != "delivered") {
    throw std::invalid_argument(fmt::format("listen: ack must be accepted or delivered, got {}", ack));
  }
  return std::make_unique<HttpListen>(address, limits, millis_arg(call, "timeout", 5s), ack == "delivered");
}

}  // namespace flow::ingest
