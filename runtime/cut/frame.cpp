#include "runtime/cut/frame.hpp"

#include <chrono>
#include <cstdint>

namespace flow::cut {
namespace {

// Tells a flow frame from a message some other program put on the subject.
constexpr char kMagic[] = {'\xF1', '\x01'};
constexpr char kPlain = 0;
constexpr char kBatch = 1;

// The wall clock minus the run's clock, taken once: adding it to a
// Clock::time_point gives wall-clock time (and back).
std::chrono::nanoseconds wall_offset() {
  static const auto offset = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::system_clock::now().time_since_epoch() - Clock::now().time_since_epoch());
  return offset;
}

template <typename Int>
void put(std::string& out, Int value) {
  for (std::size_t i = 0; i < sizeof(Int); ++i) out += static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xff);
}

template <typename Int>
bool take(std::string_view& in, Int& value) {
  if (in.size() < sizeof(Int)) return false;
  std::uint64_t result = 0;
  for (std::size_t i = 0; i < sizeof(Int); ++i) result |= std::uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  value = static_cast<Int>(result);
  in.remove_prefix(sizeof(Int));
  return true;
}

void encode_body(std::string& out, const Message& message) {
  if (!message.is_batch()) {
    out += kPlain;
    out += message.payload.view();
    return;
  }
  out += kBatch;
  put(out, static_cast<std::uint32_t>(message.members.size()));
  for (const auto& member : message.members) {
    std::string body;
    encode_body(body, member);
    put(out, static_cast<std::uint32_t>(body.size()));
    out += body;
  }
}

bool decode_body(std::string_view in, Message& message, int depth) {
  if (in.empty() || depth > 64) return false;
  char kind = in.front();
  in.remove_prefix(1);
  if (kind == kPlain) {
    message.payload = Payload(std::string(in));
    return true;
  }
  std::uint32_t count = 0;
  if (kind != kBatch || !take(in, count) || count == 0) return false;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t length = 0;
    if (!take(in, length) || in.size() < length) return false;
    Message member;
    member.created = message.created;
    if (!decode_body(in.substr(0, length), member, depth + 1)) return false;
    message.members.push_back(std::move(member));
    in.remove_prefix(length);
  }
  return in.empty();
}

}  // namespace

std::string encode(const Message& message) {
  std::string out;
  out.reserve(16 + message.bytes());
  out.append(kMagic, sizeof(kMagic));
  auto wall = message.created.time_since_epoch() + wall_offset();
  put(out, static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(wall).count()));
  encode_body(out, message);
  return out;
}

std::optional<Message> decode(std::string_view bytes) {
  if (bytes.substr(0, sizeof(kMagic)) != std::string_view(kMagic, sizeof(kMagic))) return std::nullopt;
  bytes.remove_prefix(sizeof(kMagic));
  std::int64_t wall_ns = 0;
  if (!take(bytes, wall_ns)) return std::nullopt;
  Message message;
  auto local = std::chrono::nanoseconds(wall_ns) - wall_offset();
  message.created = Clock::time_point(std::chrono::duration_cast<Clock::duration>(local));
  if (!decode_body(bytes, message, 0)) return std::nullopt;
  return message;
}

}  // namespace flow::cut
