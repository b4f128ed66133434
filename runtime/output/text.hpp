#pragma once
// Walking text one UTF-8 character at a time, so writers can escape what a
// renderer would choke on (string arguments of operators can hold any bytes).
// Internal to runtime/output.
#include <string>
#include <vector>

namespace flow::output {

struct Utf8Piece {
  std::string bytes;     ///< one whole character, or one byte when invalid
  bool invalid = false;  ///< a byte that does not start a well-formed UTF-8 sequence
};

/// `text` split into characters; malformed sequences come out one byte at a time.
std::vector<Utf8Piece> utf8_pieces(const std::string& text);

}  // namespace flow::output
