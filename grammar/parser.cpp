// Text → syntax tree: runs the grammar one statement at a time, turns every
// failure into a Diagnostic and resumes at the next statement.
#include "grammar/parser.hpp"

#include <fmt/format.h>

#include <string_view>

#include "grammar/actions.hpp"
#include "grammar/builder.hpp"
#include "grammar/error_messages.hpp"
#include "grammar/grammar.hpp"
#include "grammar/recovery.hpp"

namespace flow {
namespace {

using grammar::Cursor;

// Past this many, further syntax errors are most likely echoes of the first ones.
constexpr std::size_t max_syntax_errors = 100;

// Text missing where a line continues (after `->`, `|`, `,` or an open
// bracket) is best shown where it belongs, at the end of the unfinished line,
// rather than at whatever the next line starts with.
bool is_unfinished_line(std::string_view message) {
  using namespace grammar;
  for (const char* expected : {error_message<arg_close>, error_message<attr_close>, error_message<group_close>,
                               error_message<arrow_target>, error_message<next_op>, error_message<arg_next>,
                               error_message<attr_next>, error_message<group_member>, error_message<arg_first>,
                               error_message<attr_first>, error_message<group_first>}) {
    if (message == expected) return true;
  }
  return false;
}

Diagnostic diagnostic_from(const tao::pegtl::parse_error& error, std::string_view text) {
  const auto& at = error.positions().front();
  Cursor where{at.byte, at.line, at.column};
  if (is_unfinished_line(error.message())) {
    auto moved = grammar::end_of_previous_code(text, where);
    if (moved.offset != where.offset) {
      return {Severity::Error, {moved.line, moved.column, moved.offset}, std::string(error.message()), 1};
    }
  }
  return {Severity::Error, {where.line, where.column, where.offset}, std::string(error.message()),
          grammar::token_width(text, where.offset)};
}

struct StatementOutcome {
  Cursor next;                           ///< where the following statement may start
  std::optional<syntax::Statement> statement;
  std::optional<Diagnostic> error;
};

// Parses the statement that follows `at` (after blank lines and comments).
StatementOutcome parse_statement(const SourceFile& source, Cursor at) {
  const auto& text = source.text;
  tao::pegtl::memory_input input(text.data() + at.offset, text.data() + text.size(), source.name, at.offset,
                                 at.line, at.column);
  grammar::StatementBuilder builder;
  std::optional<Diagnostic> error;
  try {
    tao::pegtl::parse<grammar::next_statement, grammar::action, grammar::control>(input, builder);
    const auto& end = input.iterator();
    return {{end.byte, end.line, end.column}, std::move(builder.statement), std::nullopt};
  } catch (const tao::pegtl::parse_error& e) {
    error = diagnostic_from(e, text);
  } catch (const grammar::SyntaxError& e) {
    error = e.diagnostic;
  }
  return {grammar::resume_after_error(text, at, error->location.offset), std::nullopt, std::move(error)};
}

}  // namespace

ParseResult parse(const SourceFile& source) {
  ParseResult result;
  Cursor cursor;
  // Editors on some systems start UTF-8 files with a byte order mark; it is not part of the program.
  if (std::string_view(source.text).substr(0, 3) == "\xEF\xBB\xBF") cursor = {3, 1, 4};
  while (cursor.offset < source.text.size()) {
    auto outcome = parse_statement(source, cursor);
    if (outcome.statement) result.file.statements.push_back(std::move(*outcome.statement));
    if (outcome.error) {
      if (result.diagnostics.size() == max_syntax_errors) {
        result.diagnostics.push_back(
            {Severity::Error, {}, fmt::format("too many syntax errors; stopped after {}", max_syntax_errors), 1});
        break;
      }
      result.diagnostics.push_back(std::move(*outcome.error));
    }
    if (outcome.next.offset <= cursor.offset) break;  // defensive: never loop without progress
    cursor = outcome.next;
  }
  return result;
}

std::optional<syntax::Literal> parse_value(const std::string& text, std::string& error) {
  tao::pegtl::memory_input input(text, "value");
  grammar::StatementBuilder builder;
  try {
    tao::pegtl::parse<grammar::value_only, grammar::action, grammar::control>(input, builder);
    return std::move(builder.literal);
  } catch (const tao::pegtl::parse_error& e) {
    error = std::string(e.message());
  } catch (const grammar::SyntaxError& e) {
    error = e.diagnostic.message;
  }
  return std::nullopt;
}

}  // namespace flow
