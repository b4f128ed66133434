#pragma once
// read()'s decompression: the input's first bytes say whether it is gzip (the
// magic 1f 8b, as `zcat -f` and Vector's file source decide), and a gzip
// input is inflated as it is read, one read(2) at a time, so that the source
// keeps its poll(2) and partial-line logic. Other compressed formats are
// named and refused rather than read as text.
#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace flow::ops {

/// What the first bytes of an input are.
enum class InputFormat { Undecided, Text, Gzip };

/// Text, Gzip, or Undecided while `head` is a prefix of a magic number and
/// more may come (`at_end` false). Throws, naming `name`, for a zstd or xz
/// input: read as text it would be lines of binary.
InputFormat sniff_format(std::string_view head, bool at_end, const std::string& name);

/// A gzip stream (one member or several, as `cat a.gz b.gz` makes) read from
/// a descriptor and inflated.
class Gunzip {
 public:
  /// `already_read`: the bytes read from `fd` before the format was known;
  /// `input_ended`: the descriptor already gave its end.
  Gunzip(int fd, std::string name, std::string_view already_read, bool input_ended);
  ~Gunzip();
  Gunzip(const Gunzip&) = delete;
  Gunzip& operator=(const Gunzip&) = delete;

  /// Up to `room` decompressed bytes into `out`, reading the descriptor at
  /// most once. May give 0 bytes without being at the end (the read gave
  /// only a header); sets `at_end` after the last member's trailer. Throws,
  /// naming the input, for a read error, bad data or a stream cut short.
  std::size_t inflate_into(char* out, std::size_t room, bool& at_end);

  /// True when more output may come without reading the descriptor: poll(2)
  /// cannot tell, since what is buffered here is not the kernel's.
  bool has_pending() const;

 private:
  struct Stream;
  void read_more();
  int fd_;
  std::string name_;
  std::unique_ptr<Stream> stream_;
  std::vector<unsigned char> in_;
  bool raw_end_ = false;       ///< the descriptor gave its end
  int members_ = 0;            ///< members before the current one
  bool member_ended_ = false;  ///< a member's trailer was read: another may follow
  bool output_full_ = false;   ///< the last call filled `room`: zlib may hold more
};

}  // namespace flow::ops
