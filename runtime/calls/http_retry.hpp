#pragma once
// When http() tries a call again, and after how long: exponential backoff
// with full jitter (AWS's "Exponential Backoff and Jitter"), or what the
// server's Retry-After says. Plain functions, so the policy is read in one place.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace flow::calls {

/// The longest wait a Retry-After may ask for: a server that says "come back
/// in an hour" would otherwise hold a worker's thread for an hour.
inline constexpr std::chrono::seconds retry_after_cap{60};

struct Backoff {
  std::chrono::nanoseconds base{std::chrono::milliseconds(100)};  ///< the first retry's ceiling
  std::chrono::nanoseconds cap{std::chrono::seconds(10)};         ///< no wait is longer
};

/// Full jitter: a wait drawn evenly from [0, min(cap, base * 2^retry)], where
/// `retry` counts from 0. Spreads the retries of many workers (or processes)
/// that failed together, instead of sending them back at the same instant.
std::chrono::nanoseconds full_jitter(const Backoff& backoff, unsigned retry, std::mt19937_64& random);

/// The wait a Retry-After header asks for (delta-seconds or an HTTP-date),
/// measured from `now`, at most retry_after_cap; nullopt when unreadable.
std::optional<std::chrono::nanoseconds> retry_after(std::string_view value,
                                                    std::chrono::system_clock::time_point now);

/// Whether an answer with this status is worth another try: 429 (too many
/// requests) and 5xx. Other statuses fail at once (a 400 stays a 400).
bool retryable_status(long status);

}  // namespace flow::calls
