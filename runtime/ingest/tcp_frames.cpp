#include "runtime/ingest/tcp_frames.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace flow::ingest {
namespace {

/// MSG-LEN of RFC 6587 has at most this many digits here (a frame over a GB is not a frame).
constexpr std::size_t kMaxLengthDigits = 9;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

char* FrameReader::read_space() {
  if (capacity_ - end_ >= kReadSize) return data_.get() + end_;
  std::size_t held = end_ - start_;
  std::size_t need = held + kReadSize;
  if (capacity_ >= need) {
    std::memmove(data_.get(), data_.get() + start_, held);
  } else {
    // Doubling, so that a long line is not copied once per read; never past
    // what one unfinished frame and one read can need.
    need = std::max(need, std::min(2 * capacity_, max_line_ + kReadSize + 16));
    auto fresh = std::make_unique_for_overwrite<char[]>(need);
    if (held > 0) std::memcpy(fresh.get(), data_.get() + start_, held);
    data_ = std::move(fresh);
    capacity_ = need;
  }
  start_ = 0;
  end_ = held;
  return data_.get() + end_;
}

void FrameReader::shrink() {
  if (start_ != end_) return;
  data_.reset();
  capacity_ = start_ = end_ = scanned_ = 0;
}

// Octet counting is taken only for "DIGITS SP <": a syslog message starts
// with its PRI ("<13>"), and a plain line that starts with a number ("12
// apples") must stay a line. rsyslog looks at the first digit alone.
FrameReader::Octets FrameReader::octet_header(std::size_t at, std::size_t& header,
                                              std::size_t& length) const {
  const char* base = data_.get();
  if (base[at] == '0') return Octets::NotCounted;
  length = 0;
  std::size_t i = at;
  for (; i < end_ && is_digit(base[i]); ++i) {
    if (i - at == kMaxLengthDigits) return Octets::NotCounted;
    length = length * 10 + static_cast<std::size_t>(base[i] - '0');
  }
  if (i == end_) return Octets::NeedMore;
  if (base[i] != ' ') return Octets::NotCounted;
  if (i + 1 == end_) return Octets::NeedMore;
  if (base[i + 1] != '<') return Octets::NotCounted;
  header = i + 1 - at;
  return Octets::Counted;
}

bool FrameReader::step(Span& span, bool& got) {
  got = false;
  std::size_t have = end_ - start_;
  if (skip_ > 0) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, have));
    start_ += n;
    skip_ -= n;
    return skip_ == 0;
  }
  if (have == 0) return false;
  if (skip_line_) {
    const char* base = data_.get();
    const auto* newline = static_cast<const char*>(std::memchr(base + start_, '\n', have));
    start_ = newline == nullptr ? end_ : static_cast<std::size_t>(newline - base) + 1;
    skip_line_ = newline == nullptr;
    return newline != nullptr;
  }
  if (scanned_ == 0 && is_digit(data_[start_])) {
    std::size_t header = 0, length = 0;
    auto octets = octet_header(start_, header, length);
    if (octets == Octets::NeedMore) return false;
    if (octets == Octets::Counted) return counted(header, length, span, got);
  }
  return line(span, got);
}

bool FrameReader::counted(std::size_t header, std::size_t length, Span& span, bool& got) {
  if (length > max_line_) {
    ++too_long_;
    start_ += header;
    skip_ = length;
    return true;
  }
  if (end_ - start_ < header + length) return false;
  span = {start_ + header, length, false};
  got = true;
  start_ += header + length;
  return true;
}

bool FrameReader::line(Span& span, bool& got) {
  const char* base = data_.get();
  std::size_t have = end_ - start_;
  const auto* newline =
      static_cast<const char*>(std::memchr(base + start_ + scanned_, '\n', have - scanned_));
  if (newline == nullptr) {
    scanned_ = have;
    // One byte past max_line may yet be the CR of a CRLF.
    if (have > max_line_ + 1) {
      ++too_long_;
      skip_line_ = true;
      start_ = end_;
      scanned_ = 0;
    }
    return false;
  }
  std::size_t size = static_cast<std::size_t>(newline - base) - start_;
  bool newline_follows = true;
  if (size > 0 && base[start_ + size - 1] == '\r') {
    --size;
    newline_follows = false;
  }
  span = {start_, size, newline_follows};
  start_ = static_cast<std::size_t>(newline - base) + 1;
  scanned_ = 0;
  if (size > max_line_) {
    ++too_long_;
    return true;
  }
  got = true;
  return true;
}

void FrameReader::emit(const Span* spans, std::size_t count, Chunk& out) {
  if (count == 0) return;
  const Span& last = spans[count - 1];
  std::size_t from = spans[0].at;
  std::size_t to = last.at + last.size + (last.newline_follows ? 1 : 0);
  out.reserve(out.size() + count);
  auto* block = SharedBytes::make(to - from);
  std::memcpy(block->data(), data_.get() + from, to - from);
  if (count > 1) block->retain(static_cast<std::uint32_t>(count - 1));
  for (std::size_t i = 0; i < count; ++i) {
    const Span& span = spans[i];
    out.emplace_back().payload =
        Payload::view_of(block, block->data() + (span.at - from), span.size, span.newline_follows);
  }
}

void FrameReader::cut(Chunk& out, std::size_t max) {
  starved_ = false;
  if (data_ == nullptr) {
    starved_ = true;
    return;
  }
  // Runs of frames share a block; a skipped frame between two ends a run, so
  // that no block holds bytes no message views.
  std::vector<Span> spans;
  while (out.size() + spans.size() < max) {
    Span span{};
    bool got = false;
    if (!step(span, got)) {
      starved_ = true;
      break;
    }
    if (got) {
      spans.push_back(span);
    } else {
      emit(spans.data(), spans.size(), out);
      spans.clear();
    }
  }
  emit(spans.data(), spans.size(), out);
}

void FrameReader::cut_last(Chunk& out) {
  std::size_t size = end_ - start_;
  if (size == 0 || skip_ > 0 || skip_line_) {
    start_ = end_;
    return;
  }
  if (data_[end_ - 1] == '\r') --size;
  if (size > max_line_) {
    ++too_long_;
  } else {
    Span span{start_, size, false};
    emit(&span, 1, out);
  }
  start_ = end_;
}

}  // namespace flow::ingest
