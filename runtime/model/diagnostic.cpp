#include "flow/diagnostic.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <string_view>

namespace flow {
namespace {

// Past this many bytes a source line is cut around the caret: a diagnostic
// stays a few lines of text even when the line is megabytes long.
constexpr std::size_t longest_line_shown = 200;
constexpr std::size_t context_shown = 80;  // bytes kept on each side of the caret when cutting
constexpr std::size_t longest_message = 400;
constexpr std::string_view ellipsis = "\u2026";

std::string_view trim_line(std::string_view text, std::size_t begin) {
  auto end = text.find('\n', begin);
  if (end == std::string_view::npos) end = text.size();
  std::string_view result = text.substr(begin, end - begin);
  if (!result.empty() && result.back() == '\r') result.remove_suffix(1);
  return result;
}

// The line holding `at`. Every location knows its byte offset and column, so
// its line starts column - 1 bytes before it: no scan from the top of the file,
// which made a file with many errors quadratic. Locations built without an
// offset (tests, tools) fall back to counting lines.
std::string_view line_at(std::string_view text, const SourceLocation& at) {
  if (at.column >= 1 && at.offset >= at.column - 1 && at.offset <= text.size()) {
    auto begin = at.offset - (at.column - 1);
    if (begin == 0 ? at.line == 1 : text[begin - 1] == '\n') return trim_line(text, begin);
  }
  std::size_t begin = 0;
  for (std::size_t current = 1; current < at.line; ++current) {
    begin = text.find('\n', begin);
    if (begin == std::string_view::npos) return {};
    ++begin;
  }
  return trim_line(text, begin);
}

bool continues_utf8(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Spaces up to the caret, keeping tabs so the caret lines up under the text.
std::string caret_padding(std::string_view line, std::size_t column) {
  std::string padding;
  for (std::size_t i = 0; i + 1 < column; ++i) {
    padding += (i < line.size() && line[i] == '\t') ? '\t' : ' ';
  }
  return padding;
}

// What of the line is shown, and the padding that puts the caret under its column.
struct ShownLine {
  std::string text;
  std::string padding;
  std::size_t room;  // bytes shown from the caret on
};

ShownLine cut_line(std::string_view line, std::size_t column, std::size_t width) {
  auto caret = std::min(column - 1, line.size());
  if (line.size() <= longest_line_shown)
    return {std::string(line), caret_padding(line, column), line.size() - caret};
  auto begin = caret > context_shown ? caret - context_shown : 0;
  while (begin > 0 && begin < caret && continues_utf8(line[begin])) ++begin;
  auto end = std::min(line.size(), caret + std::min(width, context_shown) + context_shown);
  while (end < line.size() && end > caret && continues_utf8(line[end])) --end;
  auto shown = line.substr(begin, end - begin);
  ShownLine result{std::string(shown), caret_padding(shown, column - begin), end - caret};
  if (begin > 0) {
    // The ellipsis takes one column on a terminal.
    result.text.insert(0, ellipsis);
    result.padding.insert(0, " ");
  }
  if (end < line.size()) result.text += ellipsis;
  return result;
}

// A message quotes what the file says (an unknown name); a name megabytes
// long keeps its head and its tail ("; did you mean ...?").
std::string shorten_message(const std::string& message) {
  if (message.size() <= longest_message) return message;
  auto head = longest_message / 2, tail = longest_message / 4;
  while (head > 0 && continues_utf8(message[head])) --head;
  auto tail_begin = message.size() - tail;
  while (tail_begin < message.size() && continues_utf8(message[tail_begin])) ++tail_begin;
  return fmt::format("{}{}{}", message.substr(0, head), ellipsis, message.substr(tail_begin));
}

const char* label(Severity severity) {
  return severity == Severity::Error ? "error" : "warning";
}

}  // namespace

std::string render(const SourceFile& file, const Diagnostic& diagnostic) {
  auto message = shorten_message(diagnostic.message);
  if (!diagnostic.location.known()) {
    return fmt::format("{}: {}: {}\n", file.name, label(diagnostic.severity), message);
  }
  const auto& at = diagnostic.location;
  auto width = std::max<std::size_t>(1, diagnostic.width);
  auto shown = cut_line(line_at(file.text, at), std::max<std::size_t>(1, at.column), width);
  width = shown.room > 0 ? std::min(width, shown.room) : 1;
  return fmt::format("{}:{}:{}: {}: {}\n    {}\n    {}{}\n", file.name, at.line, at.column,
                     label(diagnostic.severity), message, shown.text, shown.padding, std::string(width, '^'));
}

std::string render_all(const SourceFile& file, const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& diagnostic : diagnostics) out += render(file, diagnostic);
  return out;
}

std::string render_first(const SourceFile& file, const std::vector<Diagnostic>& diagnostics,
                         std::size_t limit) {
  std::string out;
  std::size_t shown = 0, errors = 0, warnings = 0;
  for (const auto& diagnostic : diagnostics) {
    // Those without a place (one per --set, the parser's "stopped after 100")
    // are few and say what no other line does: always shown.
    if (!diagnostic.location.known() || shown++ < limit)
      out += render(file, diagnostic);
    else if (diagnostic.severity == Severity::Error)
      ++errors;
    else
      ++warnings;
  }
  if (errors + warnings == 0) return out;
  auto count = [](std::size_t n, const char* what) {
    return fmt::format("{} more {}{}", n, what, n == 1 ? "" : "s");
  };
  std::string hidden = errors > 0 && warnings > 0
                           ? fmt::format("{} and {}", count(errors, "error"), count(warnings, "warning"))
                       : errors > 0 ? count(errors, "error")
                                    : count(warnings, "warning");
  return out + fmt::format("{}: note: {} not shown (flow shows the first {} diagnostics of a file)\n",
                           file.name, hidden, limit);
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

namespace {

// Optimal string alignment distance: a swap of two neighbours ("delya") costs one edit.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // Close means: at most a third of the word's letters changed (and at most 3), like ninja's spellcheck.
  std::size_t best_distance = std::min<std::size_t>(3, std::max<std::size_t>(1, word.size() / 3)) + 1;
  std::string best;
  for (const auto& candidate : candidates) {
    // Lengths further apart than the best distance cannot be closer; skipping
    // them keeps a name megabytes long from costing megabytes per candidate.
    auto apart =
        word.size() > candidate.size() ? word.size() - candidate.size() : candidate.size() - word.size();
    if (apart >= best_distance) continue;
    auto distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

}  // namespace flow
