#pragma once
// What a literal token means. The grammar only says where a number or a string
// is; these functions decode its text into a Value, or say exactly where in the
// token the problem is (an unknown unit, an overflow, a bad escape).
// Internal to the grammar layer: no PEGTL here, so they are easy to test.
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "flow/value.hpp"

namespace flow::grammar {

/// A problem inside one token, located relative to the token's first byte.
struct TokenError {
  std::string message;
  std::size_t offset = 0;  ///< bytes from the token's start to the offending text
  std::size_t width = 1;   ///< bytes of offending text, for carets
};

/// A decoded value, or why the token has none.
using Decoded = std::variant<Value, TokenError>;

/// Decodes a number token as matched by grammar::number:
/// `-12`, `10_000`, `0.25`, `10ms`, `1.5s`, `16B`, `1.5KiB`, `10000/s`, `5/ms`.
Decoded decode_number(std::string_view token);

/// Decodes a string token as matched by grammar::string_literal, quotes
/// included; the closing quote may be missing (then it is unterminated).
Decoded decode_string(std::string_view token);

/// One parameter of a distribution as written: `10ms` or `p50=10ms`.
struct DistributionParam {
  std::string name;        ///< "" when positional
  Decoded value;           ///< the number, decoded
  std::size_t offset = 0;  ///< bytes from the distribution's first byte
  std::size_t width = 1;
};

/// Gives `NAME(params)` its meaning: a Distribution whose parameters are
/// checked (a mean above 0, low <= high, p50 < p99...), or where it is wrong.
/// `width`: of the whole distribution, for errors about all of it.
Decoded decode_distribution(const std::string& name, const std::vector<DistributionParam>& params,
                            std::size_t width);

/// Why `name` is no distribution ("unknown distribution 'poisson'; expected
/// exponential, ..."), or "" when it is one.
std::string unknown_distribution(std::string_view name);

/// `text` fit for a one-line message: printable ASCII kept, other bytes as
/// `\xNN`, and anything past `limit` bytes replaced by "...".
std::string printable(std::string_view text, std::size_t limit = 40);

}  // namespace flow::grammar
