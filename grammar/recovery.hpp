#pragma once
// Where the parser resumes after a syntax error, so that one mistake does not
// hide the next. Works on raw text (no PEGTL), one statement at a time.
#include <cstddef>
#include <string_view>

namespace flow::grammar {

/// A position in the text, as PEGTL tracks it: byte offset, 1-based line and column.
struct Cursor {
  std::size_t offset = 0;
  std::size_t line = 1;
  std::size_t column = 1;
};

/// The statement that starts at (or after the separators following) `from`
/// failed at byte `error_offset`. Returns where the next statement may start:
/// - after the first `;` or newline at or after the error that is outside any
///   bracket (skipping the rest of an open `(`, `[` or `{` on the way), or
/// - at the start of a later line that plainly begins a new statement (a
///   statement keyword, or `name ->`) when the error lies before that line;
///   this stops an unclosed bracket from swallowing the rest of the file.
/// Always returns a cursor past the statement's first byte, so parsing progresses.
Cursor resume_after_error(std::string_view text, Cursor from, std::size_t error_offset);

/// The cursor advanced over text[from.offset, offset), counting lines.
Cursor advance_to(std::string_view text, Cursor from, std::size_t offset);

/// For an error at `error` that the parser met only after skipping newlines
/// (a missing `)` or `]`): the position just after the last code before it,
/// where the missing text belongs. Returns `error` when no newline intervenes.
Cursor end_of_previous_code(std::string_view text, Cursor error);

/// How many bytes of the token at `offset` to underline: a whole word or
/// number, else one byte.
std::size_t token_width(std::string_view text, std::size_t offset);

}  // namespace flow::grammar
