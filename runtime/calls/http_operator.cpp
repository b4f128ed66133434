#include "runtime/calls/http_operator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <thread>

namespace flow::calls {
namespace {

/// The body of one request: the payload, or a batch's members one a line.
void append_body(const Message& message, std::string& body) {
  if (!message.is_batch()) {
    body.append(message.payload.view());
    return;
  }
  for (const auto& member : message.members) {
    append_body(member, body);
    if (!member.is_batch()) body.push_back('\n');
  }
}

/// The payloads a batch stands for, in order (members of members too).
void leaves(Message& message, std::vector<Payload*>& out) {
  if (!message.is_batch()) {
    out.push_back(&message.payload);
    return;
  }
  for (auto& member : message.members) leaves(member, out);
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::mt19937_64& random_engine() {
  thread_local std::mt19937_64 engine(std::random_device{}());
  return engine;
}

/// Waits `wait` in short slices, giving up as soon as the run stops: the
/// operator has no timer to hand the wait to while it keeps the message.
bool pause(std::chrono::nanoseconds wait, OperatorContext& context) {
  auto until = std::chrono::steady_clock::now() + wait;
  constexpr auto slice = std::chrono::milliseconds(20);
  while (!context.stopping()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(until - now, slice));
  }
  return false;
}

std::string shortened(std::string_view text) {
  constexpr std::size_t most = 200;
  auto line = text.substr(0, std::min(text.find('\n'), most));
  return line.size() < text.size() ? fmt::format("{}…", line) : std::string(line);
}

}  // namespace

void HttpCall::apply(Chunk& messages, OperatorContext& context) {
  Chunk kept;
  kept.reserve(messages.size());
  std::string body;
  for (auto& message : messages) {
    body.clear();
    append_body(message, body);
    auto outcome = call(body, context);
    if (outcome.ok && !options_.sink && !respond(message, std::move(outcome.body), context, outcome.cause))
      outcome.ok = false;
    if (outcome.ok) {
      kept.push_back(std::move(message));
    } else {
      context.failed(std::move(message), outcome.cause);
    }
  }
  messages = std::move(kept);
}

HttpCall::Outcome HttpCall::call(std::string_view body, OperatorContext& context) {
  HttpRequest request{options_.method, options_.url, body, options_.content_type, options_.timeout};
  std::function<bool()> stop = [&context] { return context.stopping(); };
  for (unsigned attempt = 0;; ++attempt) {
    if (attempt > 0) retries_.fetch_add(1, std::memory_order_relaxed);
    auto answer = pool_.perform(request, stop);
    count(answer);
    if (answer.status >= 200 && answer.status <= 299) return {true, std::move(answer.body), {}};
    if (context.stopping()) return {false, {}, fmt::format("{} (the run stopped)", describe(answer))};
    bool retry = answer.status != 0 ? retryable_status(answer.status) : answer.retryable;
    if (!retry) return {false, {}, fmt::format("{}, not retried", describe(answer))};
    if (attempt >= options_.retries) {
      return {false,
              {},
              fmt::format("{} after {} attempt{}", describe(answer), attempt + 1, attempt == 0 ? "" : "s")};
    }
    // The server's word first; else a jittered wait that doubles each time.
    auto said = answer.retry_after.empty()
                    ? std::nullopt
                    : retry_after(answer.retry_after, std::chrono::system_clock::now());
    auto wait = said ? *said : full_jitter(options_.backoff, attempt, random_engine());
    if (!pause(wait, context)) return {false, {}, fmt::format("{} (the run stopped)", describe(answer))};
  }
}

std::string HttpCall::describe(const HttpAttempt& attempt) const {
  auto call = fmt::format("{} {}", options_.method, options_.url);
  if (attempt.timed_out)
    return fmt::format("{}: no answer within the timeout of {}ms", call, options_.timeout.count());
  if (attempt.status == 0) return fmt::format("{}: {}", call, attempt.error);
  if (attempt.body.empty()) return fmt::format("{}: status {}", call, attempt.status);
  return fmt::format("{}: status {} ({})", call, attempt.status, shortened(attempt.body));
}

// A stage's output is the answer: the payload becomes its body. A batch keeps
// its members (each stands for a message the balance counts), so the answer
// must have one line per member, as bulk APIs answer.
bool HttpCall::respond(Message& message, std::string body, OperatorContext& context,
                       std::string& cause) const {
  std::int64_t delta = 0;
  if (!message.is_batch()) {
    delta = static_cast<std::int64_t>(body.size()) - static_cast<std::int64_t>(message.payload.size());
    message.payload = std::move(body);
    context.resized(delta);
    return true;
  }
  std::vector<Payload*> payloads;
  leaves(message, payloads);
  auto lines = lines_of(body);
  if (lines.size() != payloads.size()) {
    cause = fmt::format("{} {}: the answer has {} line{} for a batch of {}", options_.method, options_.url,
                        lines.size(), lines.size() == 1 ? "" : "s", payloads.size());
    return false;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    delta += static_cast<std::int64_t>(lines[i].size()) - static_cast<std::int64_t>(payloads[i]->size());
    *payloads[i] = std::string(lines[i]);
  }
  context.resized(delta);
  return true;
}

void HttpCall::count(const HttpAttempt& attempt) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  connections_.fetch_add(static_cast<std::uint64_t>(std::max(attempt.connections, 0L)),
                         std::memory_order_relaxed);
  if (attempt.status >= lowest_status && attempt.status <= highest_status) {
    statuses_[static_cast<std::size_t>(attempt.status - lowest_status)].fetch_add(1,
                                                                                  std::memory_order_relaxed);
  } else if (attempt.timed_out) {
    timeouts_.fetch_add(1, std::memory_order_relaxed);
  } else {
    connection_errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

std::vector<std::pair<std::string, std::uint64_t>> HttpCall::counts() const {
  std::vector<std::pair<std::string, std::uint64_t>> out{
      {"requests", requests_.load(std::memory_order_relaxed)},
      {"retries", retries_.load(std::memory_order_relaxed)},
      {"connections", connections_.load(std::memory_order_relaxed)},
      {"connection_errors", connection_errors_.load(std::memory_order_relaxed)},
      {"timeouts", timeouts_.load(std::memory_order_relaxed)}};
  for (std::size_t i = 0; i < statuses_.size(); ++i) {
    auto n = statuses_[i].load(std::memory_order_relaxed);
    if (n != 0) out.emplace_back(fmt::format("status_{}", static_cast<long>(i) + lowest_status), n);
  }
  return out;
}

}  // namespace flow::calls
