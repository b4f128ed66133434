#pragma once
// Text → syntax tree. The only entry point into the PEGTL grammar.
#include <optional>
#include <vector>

#include "grammar/syntax_tree.hpp"
#include "flow/diagnostic.hpp"
#include "flow/source_location.hpp"

namespace flow {

struct ParseResult {
  syntax::File file;                    ///< every statement that parsed
  std::vector<Diagnostic> diagnostics;  ///< syntax errors; parsing resumes at the next statement
};

/// Parses a whole .flow file. Never throws for bad input: every problem is a diagnostic.
ParseResult parse(const SourceFile& source);

/// Parses one value as it would appear after `=` (for `--set NODE.KEY=VALUE`).
/// Returns nullopt and fills `error` when the text is not exactly one value.
std::optional<syntax::Literal> parse_value(const std::string& text, std::string& error);

}  // namespace flow
