#pragma once
// A value written as the language writes it (`500ms`, `64MiB`, `10/s`,
// `exponential(10ms)`), read from text that is not a .flow file: a command-line
// option, a field of a form. It is held to the limits a value in a file is
// held to (docs/language.md, "Limits").
#include <optional>
#include <string_view>
#include <vector>

#include "flow/diagnostic.hpp"
#include "flow/value.hpp"

namespace flow {

struct ValueRead {
  std::optional<Value> value;           ///< set when the text is one value the runtime can represent
  std::vector<Diagnostic> diagnostics;  ///< else why not: one, located at the value in `text`
};

/// Reads `text` as exactly one value, blanks around it allowed. Text that is
/// no value gives "'5x' is not EXPECTED (unknown unit 'x'; ...)", where
/// `expected` says what the caller asked for ("a duration such as 500ms");
/// a value past the limits gives the limit's message ("9000h is longer than
/// the longest duration flow supports, 8760h (365 days)"). The kind is the
/// caller's to check: `kind_of(*read.value)`. Never throws for bad input;
/// `render(SourceFile{"--duration", std::string(text)}, diagnostic)` draws
/// the caret under the value.
ValueRead value_from_text(std::string_view text, std::string_view expected = "a value");

}  // namespace flow
