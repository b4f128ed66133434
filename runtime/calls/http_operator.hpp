#pragma once
// http(url, method=POST): one request per message (a batch: one for all its
// members, newline-delimited), retried on network errors, 429 and 5xx with
// backoff, through a pool of keep-alive handles. Internal to runtime/calls.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flow/operator.hpp"
#include "runtime/calls/http_client.hpp"
#include "runtime/calls/http_retry.hpp"

namespace flow::calls {

struct HttpOptions {
  std::string url;
  std::string method = "POST";
  std::string content_type = "text/plain";
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  unsigned retries = 3;
  Backoff backoff;
  /// As a sink: a 2xx answer delivers the message and its body is dropped.
  /// As a stage: the body replaces the payload.
  bool sink = false;
};

class HttpCall final : public Operator {
 public:
  explicit HttpCall(HttpOptions options) : options_(std::move(options)) {}

  void apply(Chunk& messages, OperatorContext& context) override;
  /// One message per apply: `workers` requests in flight, the essay's semaphore.
  Cost cost() const override { return Cost::Wait; }
  /// A request blocks its thread on the network (and on the backoff).
  bool blocks() const override { return true; }
  std::vector<std::pair<std::string, std::uint64_t>> counts() const override;

 private:
  struct Outcome {
    bool ok = false;
    std::string body;   ///< the 2xx answer's body
    std::string cause;  ///< why it failed
  };

  Outcome call(std::string_view body, OperatorContext& context);
  std::string describe(const HttpAttempt& attempt) const;
  bool respond(Message& message, std::string body, OperatorContext& context, std::string& cause) const;
  void count(const HttpAttempt& attempt);

  HttpOptions options_;
  HandlePool pool_;
  std::atomic<std::uint64_t> requests_{0}, retries_{0}, connections_{0}, connection_errors_{0}, timeouts_{0};
  static constexpr long lowest_status = 100, highest_status = 599;
  std::array<std::atomic<std::uint64_t>, highest_status - lowest_status + 1> statuses_{};
};

}  // namespace flow::calls
