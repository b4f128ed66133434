#include "runtime/ingest/http_intake.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace flow::ingest {
namespace {

using std::chrono::duration;
using std::chrono::milliseconds;

// Samples are kept this long; one at most every tenth of a second, so a busy
// listener keeps about thirty.
constexpr auto kWindow = std::chrono::seconds(3);
constexpr auto kSpacing = milliseconds(100);
constexpr auto kShortest = milliseconds(200);

}  // namespace

bool is_ndjson(std::string_view content_type) {
  auto type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  constexpr std::array<std::string_view, 4> kinds{"application/x-ndjson", "application/ndjson",
                                                  "application/jsonl", "application/json-lines"};
  return std::any_of(kinds.begin(), kinds.end(), [&](std::string_view kind) {
    return type.size() == kind.size() &&
           std::equal(type.begin(), type.end(), kind.begin(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  });
}

Chunk body_lines(std::string_view body, bool ndjson, std::size_t& bad_line) {
  Chunk lines;
  bad_line = 0;
  if (body.empty()) return lines;
  // One copy of the body, which every line views (as read() does with its blocks).
  SharedBytes* block = SharedBytes::make(body.size());
  std::memcpy(block->data(), body.data(), body.size());
  std::string_view rest(block->data(), body.size());
  std::size_t number = 0;
  while (!rest.empty()) {
    auto end = rest.find('\n');
    bool newline = end != std::string_view::npos;
    auto line = rest.substr(0, newline ? end : rest.size());
    rest.remove_prefix(newline ? end + 1 : rest.size());
    ++number;
    bool cut = !line.empty() && line.back() == '\r';
    if (cut) line.remove_suffix(1);
    if (ndjson) {
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      if (!nlohmann::json::accept(line)) {
        bad_line = number;
        lines.clear();
        break;
      }
    }
    block->retain();
    lines.emplace_back().payload = Payload::view_of(block, line.data(), line.size(), newline && !cut);
  }
  block->release();
  return lines;
}

void DrainRate::sample(Clock::time_point now, std::uint64_t handed, std::uint64_t fill) {
  while (!samples_.empty() && now - samples_.front().at > kWindow) samples_.pop_front();
  if (!samples_.empty() && now - samples_.back().at < kSpacing) return;
  samples_.push_back({now, handed, fill});
}

std::optional<double> DrainRate::per_second(Clock::time_point now, std::uint64_t handed,
                                            std::uint64_t fill) const {
  if (samples_.empty() || now - samples_.front().at < kShortest) return std::nullopt;
  const auto& first = samples_.front();
  // Left the edge = came in less what it still holds beyond what it held then.
  double left = static_cast<double>(handed - first.handed) -
                (static_cast<double>(fill) - static_cast<double>(first.fill));
  return std::max(0.0, left) / duration<double>(now - first.at).count();
}

std::uint64_t retry_after_s(std::size_t missing, std::optional<double> rate) {
  if (!rate) return 1;
  if (*rate <= 0) return 60;
  double seconds = std::ceil(static_cast<double>(missing) / *rate);
  return static_cast<std::uint64_t>(std::clamp(seconds, 1.0, 60.0));
}

}  // namespace flow::ingest
