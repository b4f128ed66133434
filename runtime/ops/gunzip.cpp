#include "runtime/ops/gunzip.hpp"

#include <unistd.h>
#include <zlib.h>

#include <fmt/format.h>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace flow::ops {
namespace {

constexpr std::size_t kInputBlock = std::size_t{64} * 1024;
/// 15 bits of window, +16: a gzip header and trailer, not zlib's own.
constexpr int kGzipWindowBits = 15 + 16;

struct Magic {
  std::string_view bytes;
  const char* format;
  const char* tool;
};

constexpr std::string_view kGzip = "\x1f\x8b";
// Formats flow does not decompress, named so that the message can say what to run.
constexpr std::array<Magic, 2> kRefused{{{"\x28\xb5\x2f\xfd", "zstd", "zstd -dc"},
                                         {std::string_view("\xfd\x37\x7a\x58\x5a\x00", 6), "xz", "xz -dc"}}};

bool starts(std::string_view head, std::string_view magic) {
  return head.substr(0, magic.size()) == magic.substr(0, head.size());
}

}  // namespace

InputFormat sniff_format(std::string_view head, bool at_end, const std::string& name) {
  bool undecided = false;
  auto check = [&](std::string_view magic) {
    if (!starts(head, magic)) return false;
    if (head.size() >= magic.size()) return true;
    undecided = undecided || !at_end;
    return false;
  };
  if (check(kGzip)) return InputFormat::Gzip;
  for (const auto& refused : kRefused) {
    if (check(refused.bytes)) {
      throw std::runtime_error(
          fmt::format("{} is {}-compressed; read() decompresses gzip only: pipe it "
                      "through `{}` into read(\"-\")",
                      name, refused.format, refused.tool));
    }
  }
  return undecided ? InputFormat::Undecided : InputFormat::Text;
}

struct Gunzip::Stream {
  z_stream z{};
};

Gunzip::Gunzip(int fd, std::string name, std::string_view already_read, bool input_ended)
    : fd_(fd),
      name_(std::move(name)),
      stream_(std::make_unique<Stream>()),
      in_(kInputBlock),
      raw_end_(input_ended) {
  if (inflateInit2(&stream_->z, kGzipWindowBits) != Z_OK) {
    throw std::runtime_error(fmt::format("cannot decompress {}: zlib could not start", name_));
  }
  // The bytes sniffed are the stream's start: they are input, not output.
  if (already_read.size() > in_.size()) in_.resize(already_read.size());
  std::memcpy(in_.data(), already_read.data(), already_read.size());
  stream_->z.next_in = in_.data();
  stream_->z.avail_in = static_cast<uInt>(already_read.size());
}

Gunzip::~Gunzip() {
  inflateEnd(&stream_->z);
}

bool Gunzip::has_pending() const {
  return stream_->z.avail_in > 0 || output_full_;
}

void Gunzip::read_more() {
  ssize_t n = 0;
  do {
    n = ::read(fd_, in_.data(), in_.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0)
    throw std::runtime_error(
        fmt::format("cannot read {}: {}", name_, std::generic_category().message(errno)));
  if (n == 0) raw_end_ = true;
  stream_->z.next_in = in_.data();
  stream_->z.avail_in = static_cast<uInt>(n);
}

std::size_t Gunzip::inflate_into(char* out, std::size_t room, bool& at_end) {
  auto& z = stream_->z;
  if (z.avail_in == 0 && !raw_end_ && !output_full_) read_more();
  if (member_ended_) {
    // Another member follows only if bytes do; the end of the input here is the clean end.
    if (z.avail_in == 0) {
      at_end = raw_end_;
      return 0;
    }
    inflateReset(&z);
    member_ended_ = false;
    ++members_;
  }
  z.next_out =
      reinterpret_cast<Bytef*>(out);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast): zlib's type
  z.avail_out = static_cast<uInt>(room);
  int status = inflate(&z, Z_NO_FLUSH);
  std::size_t produced = room - z.avail_out;
  output_full_ = z.avail_out == 0;
  if (status == Z_STREAM_END) {
    member_ended_ = true;
    output_full_ = false;
    if (z.avail_in == 0 && raw_end_) at_end = true;
    return produced;
  }
  if (status == Z_OK || (status == Z_BUF_ERROR && !(raw_end_ && z.avail_in == 0))) return produced;
  if (status == Z_BUF_ERROR) {
    throw std::runtime_error(fmt::format("{} ends inside its gzip stream: the file is cut short", name_));
  }
  const char* why = z.msg != nullptr ? z.msg : "bad gzip data";
  // gzip(1) ignores trailing garbage with a warning; a source has no warnings
  // to give, and lines dropped without a word are what this refuses.
  if (members_ > 0 && z.total_out == 0) {
    throw std::runtime_error(
        fmt::format("{} goes on after its gzip data with bytes that are not gzip ({})", name_, why));
  }
  throw std::runtime_error(fmt::format("cannot decompress {}: {}", name_, why));
}

}  // namespace flow::ops
