// read() of gzip input: decided by the first bytes (1f 8b), inflated as it is
// read; other compressed formats, cut streams and trailing bytes refused.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <fmt/format.h>

#include "ops_test_support.hpp"
#include "temp_files.hpp"

using namespace std::chrono_literals;
using flow::Chunk;
using flow::Clock;
using flow::test::make_source;

namespace {

const Clock::time_point t0 = Clock::time_point{} + 1h;

/// `text` as one gzip member, as gzip(1) writes it.
std::string gzip(const std::string& text) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, text.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

/// Lines that do not compress much, so that the gzip file spans many 64 KiB reads.
std::vector<std::string> noisy_lines(std::size_t count) {
  std::vector<std::string> lines;
  std::uint64_t state = 12345;
  for (std::size_t i = 0; i < count; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    lines.push_back(fmt::format("{} {:016x} {:x}", i, state, state >> (i % 40)));
  }
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

std::vector<std::string> read_all(const std::string& path) {
  auto source = make_source("read", {{"path", path}});
  Chunk out;
  int pulls = 0;
  while (!source->pull(out, 1000, t0).exhausted) REQUIRE(++pulls < 100000);
  return flow::test::payloads(out);
}

}  // namespace

TEST_CASE("read decompresses a gzip file into the lines it holds", "[ops]") {
  flow::test::TempPath file;
  auto lines = noisy_lines(60000);  // about 2.5 MB of text, over 1 MB compressed
  auto compressed = gzip(joined(lines));
  REQUIRE(compressed.size() > std::size_t{4} * 64 * 1024);
  flow::test::write_text(file.str(), compressed);
  CHECK(read_all(file.str()) == lines);
}

TEST_CASE("read decides gzip by the magic bytes, not by the name", "[ops]") {
  flow::test::TempPath file;
  // A plain file called .gz is text; its first byte 1f without 8b is text too.
  flow::test::write_text(file.str(), "\x1f not gzip\nsecond\n");
  CHECK(read_all(file.str()) == std::vector<std::string>{"\x1f not gzip", "second"});
  flow::test::write_text(file.str(), "\x1f");
  CHECK(read_all(file.str()) == std::vector<std::string>{"\x1f"});
}

TEST_CASE("read reads every member of a concatenated gzip file, as zcat does", "[ops]") {
  flow::test::TempPath file;
  flow::test::write_text(file.str(), gzip("a\nb\n") + gzip("c\n") + gzip("last without newline"));
  CHECK(read_all(file.str()) == std::vector<std::string>{"a", "b", "c", "last without newline"});
}

TEST_CASE("read of a gzip file cut short or followed by other bytes throws naming it", "[ops]") {
  flow::test::TempPath file;
  auto whole = gzip(joined(noisy_lines(100)));
  flow::test::write_text(file.str(), whole.substr(0, whole.size() - 6));
  CHECK_THROWS_WITH(read_all(file.str()),
                    "'" + file.str() + "' ends inside its gzip stream: the file is cut short");
  flow::test::write_text(file.str(), whole + "trailing text\n");
  CHECK_THROWS_WITH(
      read_all(file.str()),
      Catch::StartsWith("'" + file.str() + "' goes on after its gzip data with bytes that are not gzip"));
  auto corrupt = whole;
  corrupt[20] = static_cast<char>(corrupt[20] ^ 0x55);
  flow::test::write_text(file.str(), corrupt);
  // Bad data, or a checksum that does not match: either way a throw naming the file.
  CHECK_THROWS_WITH(read_all(file.str()), Catch::Contains("'" + file.str() + "'"));
}

TEST_CASE("read refuses zstd and xz input, saying what to decompress it with", "[ops]") {
  flow::test::TempPath file;
  flow::test::write_text(file.str(), std::string("\x28\xb5\x2f\xfd\x00\x00", 6));
  CHECK_THROWS_WITH(read_all(file.str()),
                    "'" + file.str() +
                        "' is zstd-compressed; read() decompresses gzip only: pipe it through "
                        "`zstd -dc` into read(\"-\")");
  flow::test::write_text(file.str(), std::string("\xfd\x37\x7a\x58\x5a\x00\x00", 7));
  CHECK_THROWS_WITH(read_all(file.str()), Catch::Contains("is xz-compressed"));
}

TEST_CASE("read of gzip from a FIFO waits for its magic across reads and for its data", "[ops]") {
  flow::test::TempPath fifo;
  REQUIRE(::mkfifo(fifo.str().c_str(), 0600) == 0);
  auto source = make_source("read", {{"path", fifo.str()}});  // opens without waiting for a writer
  int writer = ::open(fifo.str().c_str(), O_WRONLY | O_CLOEXEC);
  REQUIRE(writer >= 0);
  auto compressed = gzip("one\ntwo\n");
  // One byte of the magic: not yet known to be gzip, and not a line either.
  REQUIRE(::write(writer, compressed.data(), 1) == 1);
  Chunk out;
  CHECK_FALSE(source->pull(out, 10, t0).exhausted);
  CHECK(out.empty());
  auto rest = static_cast<ssize_t>(compressed.size() - 1);
  REQUIRE(::write(writer, compressed.data() + 1, compressed.size() - 1) == rest);
  ::close(writer);
  int pulls = 0;
  while (!source->pull(out, 10, t0).exhausted) REQUIRE(++pulls < 1000);
  CHECK(flow::test::payloads(out) == std::vector<std::string>{"one", "two"});
}
