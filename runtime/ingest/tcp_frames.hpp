#pragma once
// The bytes one TCP connection sent and flow has read but not yet handed on,
// and how they are cut into messages: RFC 6587 non-transparent framing (a
// line ends at LF; a CR before it is dropped) and octet counting ("57 <13>1
// ..." carries its own length). A frame longer than max_line is skipped and
// counted; the connection goes on with the next one, as Vector's socket
// source does with max_length.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "flow/message.hpp"

namespace flow::ingest {

class FrameReader {
 public:
  /// Bytes asked of the kernel per read(2).
  static constexpr std::size_t kReadSize = std::size_t{64} * 1024;

  explicit FrameReader(std::size_t max_line) : max_line_(max_line) {}

  /// Where the next read(2) may put up to kReadSize bytes.
  char* read_space();
  /// `n` bytes were read into read_space().
  void filled(std::size_t n) { end_ += n; }

  /// Cuts whole frames into `out` until it holds `max` messages; they view
  /// one shared block per call, copied once out of this buffer, so a message
  /// keeps alive its own bytes and its neighbours', never a read's worth.
  void cut(Chunk& out, std::size_t max);
  /// The connection's input ended and cut() is starved: what is left (a last
  /// line without its newline) becomes one message, unless it was being skipped.
  void cut_last(Chunk& out);

  /// Whether what is buffered holds no whole frame (reading more is the only way on).
  bool starved() const { return starved_; }
  /// Bytes held: at most max_line and a frame header for an unfinished
  /// frame, plus one read's worth of whole frames not yet handed on.
  std::size_t buffered() const { return end_ - start_; }
  /// Frames skipped for being longer than max_line.
  std::uint64_t too_long() const { return too_long_; }
  /// Gives the buffer back while nothing is in it (an idle connection holds none).
  void shrink();

 private:
  struct Span {
    std::size_t at, size;
    bool newline_follows;
  };
  enum class Octets { NeedMore, NotCounted, Counted };
  Octets octet_header(std::size_t at, std::size_t& header, std::size_t& length) const;
  /// One step at start_: a frame into `spans`, a skip, or false when more input is needed.
  bool step(Span& span, bool& got);
  bool counted(std::size_t header, std::size_t length, Span& span, bool& got);  ///< an octet-counted frame
  bool line(Span& span, bool& got);                                             ///< a frame ended by LF
  void emit(const Span* spans, std::size_t count, Chunk& out);

  std::size_t max_line_;
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
  std::size_t start_ = 0;    ///< first byte not yet cut
  std::size_t end_ = 0;      ///< bytes read
  std::size_t scanned_ = 0;  ///< bytes after start_ known to hold no LF
  std::uint64_t skip_ = 0;   ///< bytes of a too-long counted frame still to skip
  bool skip_line_ = false;   ///< skipping a too-long line up to its LF
  bool starved_ = true;
  std::uint64_t too_long_ = 0;
};

}  // namespace flow::ingest
