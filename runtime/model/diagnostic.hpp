#pragma once
// One renderer for every user-facing error: `file:line:column: error: message`,
// the offending source line, and a caret under the offending text.
#include <string>
#include <vector>

#include "source_location.hpp"

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
/// A diagnostic without a location renders as "file: error: message".
std::string render(const SourceFile& file, const Diagnostic& diagnostic);

/// Renders all diagnostics, each followed by a newline.
std::string render_all(const SourceFile& file, const std::vector<Diagnostic>& diagnostics);

/// True when any diagnostic is an error.
bool has_errors(const std::vector<Diagnostic>& diagnostics);

/// Closest candidate within a small edit distance, or "" (for "did you mean …?").
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace flow
