#include "runtime/output/text.hpp"

namespace flow::output {
namespace {

// Length of the sequence a lead byte announces; 0 for a byte that cannot lead.
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

bool continuation(unsigned char byte) { return (byte & 0xc0) == 0x80; }

// Overlong forms, surrogates and code points past U+10FFFF are malformed too.
bool second_byte_valid(unsigned char lead, unsigned char second) {
  if (lead == 0xe0) return second >= 0xa0;
  if (lead == 0xed) return second < 0xa0;
  if (lead == 0xf0) return second >= 0x90;
  if (lead == 0xf4) return second < 0x90;
  return true;
}

}  // namespace

std::vector<Utf8Piece> utf8_pieces(const std::string& text) {
  std::vector<Utf8Piece> pieces;
  std::size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    auto length = sequence_length(lead);
    bool valid = length != 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) valid = continuation(static_cast<unsigned char>(text[i + k]));
    if (valid && length > 1) valid = second_byte_valid(lead, static_cast<unsigned char>(text[i + 1]));
    if (!valid) length = 1;
    pieces.push_back({text.substr(i, length), !valid});
    i += length;
  }
  return pieces;
}

}  // namespace flow::output
