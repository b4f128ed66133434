#pragma once
// One renderer for every user-facing error: `file:line:column: error: message`,
// the offending source line, and a caret under the offending text.
#include <string>
#include <vector>

#include "flow/source_location.hpp"

namespace flow {

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLocation location;
  std::string message;  ///< one line, no trailing period, e.g. "unknown node 'x'; did you mean 'y'?"
  std::size_t width = 1;  ///< how many carets to draw (the offending text's length, at least 1)
};

/// Renders one diagnostic:
///   file:7:22: error: message
///       <the source line>
///       <spaces>^^^
/// The source line is indented by four spaces; tabs are kept so the caret lines up.
/// A line over 200 bytes is cut to 80 bytes either side of the caret, with "…"
/// where it was cut; a message over 400 bytes keeps its head and tail.
/// A diagnostic without a location renders as "file: error: message".
std::string render(const SourceFile& file, const Diagnostic& diagnostic);

/// Renders all diagnostics, each followed by a newline.
std::string render_all(const SourceFile& file, const std::vector<Diagnostic>& diagnostics);

/// How many diagnostics of one file the command line shows, like a compiler's
/// -ferror-limit: past the first hundred, more are rarely read, only scrolled past.
inline constexpr std::size_t max_diagnostics_shown = 100;

/// Renders the first `limit` diagnostics that have a location, and every one
/// without (from --set, or the parser giving up), then, if any are left, one line
/// "file: note: 39900 more errors and 2 more warnings not shown (...)".
std::string render_first(const SourceFile& file, const std::vector<Diagnostic>& diagnostics,
                         std::size_t limit = max_diagnostics_shown);

/// True when any diagnostic is an error.
bool has_errors(const std::vector<Diagnostic>& diagnostics);

/// Closest candidate within a small edit distance, or "" (for "did you mean …?").
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace flow
