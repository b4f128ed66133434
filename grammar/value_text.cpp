#include "flow/value_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "grammar/parser.hpp"
#include "runtime/model/value_limits.hpp"

namespace flow {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// The text without the blanks around it, which the parser skips too: the
// whole of it is what a message about the text as a value is about.
Diagnostic at_whole_text(std::string_view text, std::string message) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && is_blank(text[begin])) ++begin;
  while (end > begin && is_blank(text[end - 1])) --end;
  return Diagnostic{Severity::Error, SourceLocation{1, begin + 1, begin}, std::move(message),
                    std::max<std::size_t>(1, end - begin)};
}

}  // namespace

ValueRead value_from_text(std::string_view text, std::string_view expected) {
  ValueRead read;
  std::string parse_error;
  auto literal = parse_value(std::string(text), parse_error);
  if (!literal) {
    read.diagnostics.push_back(
        at_whole_text(text, fmt::format("'{}' is not {} ({})", text, expected, parse_error)));
    return read;
  }
  if (auto error = limits::out_of_range(literal->value); !error.empty()) {
    read.diagnostics.push_back(
        Diagnostic{Severity::Error, literal->location, std::move(error), literal->width});
    return read;
  }
  read.value = std::move(literal->value);
  return read;
}

}  // namespace flow
