#pragma once
// Internal to runtime/ingest: what listen("http://…") decides about one
// request, apart from the server that carries it. The body becomes messages
// (one per line), the edge's room decides whether they are taken, and a
// refusal says when to come back (Retry-After, from the measured drain rate).
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "flow/message.hpp"

namespace flow::ingest {

/// Whether a Content-Type names newline-delimited JSON (application/x-ndjson,
/// application/ndjson, application/jsonl, application/json-lines): then every
/// line must be a JSON value.
bool is_ndjson(std::string_view content_type);

/// The lines of `body`, one message each, viewing one shared copy of it. A
/// final line without its newline counts; a '\r' before the newline is cut.
/// With `ndjson`, blank lines are skipped and every other line must parse as
/// JSON: on the first that does not, `bad_line` is set (1-based) and the
/// result is empty.
Chunk body_lines(std::string_view body, bool ndjson, std::size_t& bad_line);

/// Messages leaving the output edge per second, over the last few seconds:
/// what was handed to the edge less what the edge's fill grew by.
class DrainRate {
 public:
  using Clock = std::chrono::steady_clock;
  /// Notes the totals now: `handed` (all messages handed so far) and the
  /// edge's `fill` (capacity less room).
  void sample(Clock::time_point now, std::uint64_t handed, std::uint64_t fill);
  /// Messages per second since the oldest sample kept, nullopt when it is too
  /// recent to tell (under a fifth of a second).
  std::optional<double> per_second(Clock::time_point now, std::uint64_t handed, std::uint64_t fill) const;

 private:
  struct Sample {
    Clock::time_point at;
    std::uint64_t handed, fill;
  };
  std::deque<Sample> samples_;
};

/// Seconds a refused request should wait for `missing` messages of room to
/// open at `rate` messages/s: at least 1, at most 60, 1 when the rate is not
/// known yet.
std::uint64_t retry_after_s(std::size_t missing, std::optional<double> rate);

}  // namespace flow::ingest
