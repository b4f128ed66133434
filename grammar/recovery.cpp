#include "grammar/recovery.hpp"

#include <algorithm>
#include <array>

namespace flow::grammar {
namespace {

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::size_t skip_blanks(std::string_view text, std::size_t i) {
  while (i < text.size() && is_blank(text[i])) ++i;
  return i;
}

std::size_t skip_to_newline(std::string_view text, std::size_t i) {
  auto newline = text.find('\n', i);
  return newline == std::string_view::npos ? text.size() : newline;
}

bool comment_at(std::string_view text, std::size_t i) {
  return text[i] == '#' || (text[i] == '/' && i + 1 < text.size() && text[i + 1] == '/');
}

// Past a string that opens at i: to its closing quote, or to the end of its line.
std::size_t skip_string(std::string_view text, std::size_t i) {
  for (++i; i < text.size() && text[i] != '\n'; ++i) {
    if (text[i] == '"') return i + 1;
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] != '\n') ++i;
  }
  return i;
}

// Blank lines, comments and ';' between statements.
std::size_t skip_separators(std::string_view text, std::size_t i) {
  while (i < text.size()) {
    if (is_blank(text[i]) || text[i] == '\n' || text[i] == ';') ++i;
    else if (comment_at(text, i)) i = skip_to_newline(text, i);
    else break;
  }
  return i;
}

// Does the line whose first non-blank byte is at i plainly begin a statement?
bool begins_statement(std::string_view text, std::size_t i) {
  static constexpr std::array<std::string_view, 5> keywords{"pipeline", "source", "stage", "sink", "edge"};
  std::size_t end = i;
  while (end < text.size() && is_word_char(text[end])) ++end;
  if (end == i) return false;
  auto word = text.substr(i, end - i);
  if (std::find(keywords.begin(), keywords.end(), word) != keywords.end()) return true;
  auto next = skip_blanks(text, end);
  return text.substr(next, 2) == "->";
}

}  // namespace

Cursor advance_to(std::string_view text, Cursor from, std::size_t offset) {
  offset = std::min(offset, text.size());
  for (auto i = from.offset; i < offset; ++i) {
    if (text[i] == '\n') {
      ++from.line;
      from.column = 1;
    } else {
      ++from.column;
    }
  }
  from.offset = std::max(from.offset, offset);
  return from;
}

Cursor resume_after_error(std::string_view text, Cursor from, std::size_t error_offset) {
  const auto start = skip_separators(text, from.offset);
  std::size_t depth = 0;  // open brackets of any kind; a stray closer is ignored
  std::size_t i = start;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      i = skip_string(text, i);
      continue;
    }
    if (comment_at(text, i)) {
      i = skip_to_newline(text, i);
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    if (c == ';' && depth == 0 && i >= error_offset) return advance_to(text, from, i + 1);
    if (c == '\n') {
      if (depth == 0 && i >= error_offset) return advance_to(text, from, i + 1);
      auto first = skip_blanks(text, i + 1);
      if (first >= error_offset && begins_statement(text, first)) return advance_to(text, from, i + 1);
    }
    ++i;
  }
  return advance_to(text, from, std::max(text.size(), start + 1));
}

namespace {

// Where a comment starts on the line that holds byte i (strings respected), or npos.
std::size_t comment_start_on_line(std::string_view text, std::size_t i) {
  auto newline = text.rfind('\n', i);
  std::size_t j = newline == std::string_view::npos ? 0 : newline + 1;
  while (j < text.size() && text[j] != '\n') {
    if (text[j] == '"') j = skip_string(text, j);
    else if (comment_at(text, j)) return j;
    else ++j;
  }
  return std::string_view::npos;
}

}  // namespace

Cursor end_of_previous_code(std::string_view text, Cursor error) {
  std::size_t end = std::min(error.offset, text.size());
  bool crossed_newline = false;
  while (end > 0) {
    char c = text[end - 1];
    if (c == '\n') crossed_newline = true;
    if (is_blank(c) || c == '\n') {
      --end;
      continue;
    }
    auto comment = comment_start_on_line(text, end - 1);
    if (comment == std::string_view::npos || comment > end - 1) break;
    end = comment;
  }
  if (!crossed_newline) return error;
  std::size_t newlines = 0;
  for (auto i = end; i < error.offset; ++i) newlines += text[i] == '\n' ? 1 : 0;
  auto line_start = end == 0 ? std::string_view::npos : text.rfind('\n', end - 1);
  std::size_t column = line_start == std::string_view::npos ? end + 1 : end - line_start;
  return {end, error.line - newlines, column};
}

std::size_t token_width(std::string_view text, std::size_t offset) {
  if (offset >= text.size() || !is_word_char(text[offset])) return 1;
  auto end = offset;
  while (end < text.size() && (is_word_char(text[end]) || text[end] == '.')) ++end;
  return end - offset;
}

}  // namespace flow::grammar
