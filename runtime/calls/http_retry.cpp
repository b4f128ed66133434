#include "runtime/calls/http_retry.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace flow::calls {

std::chrono::nanoseconds full_jitter(const Backoff& backoff, unsigned retry, std::mt19937_64& random) {
  // base * 2^retry without overflow: past 2^30 every sane cap is reached.
  auto ceiling = backoff.cap;
  if (retry < 30) ceiling = std::min(backoff.cap, backoff.base * (std::int64_t{1} << retry));
  if (ceiling.count() <= 0) return std::chrono::nanoseconds(0);
  std::uniform_int_distribution<std::int64_t> draw(0, ceiling.count());
  return std::chrono::nanoseconds(draw(random));
}

std::optional<std::chrono::nanoseconds> retry_after(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  std::chrono::nanoseconds wait{};
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    // More digits than a cap of a minute needs would only overflow.
    if (value.size() > 6) return retry_after_cap;
    wait = std::chrono::seconds(std::stol(std::string(value)));
  } else {
    // An HTTP-date (RFC 9110 10.2.3); curl reads all three of its forms.
    std::string text(value);
    auto at = curl_getdate(text.c_str(), nullptr);
    if (at < 0) return std::nullopt;
    wait = std::chrono::system_clock::from_time_t(at) - now;
  }
  return std::clamp<std::chrono::nanoseconds>(wait, std::chrono::nanoseconds(0), retry_after_cap);
}

bool retryable_status(long status) {
  return status == 429 || (status >= 500 && status <= 599);
}

}  // namespace flow::calls
