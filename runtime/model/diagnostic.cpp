#include "runtime/model/diagnostic.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <string_view>

namespace flow {
namespace {

std::string_view line_at(const std::string& text, std::size_t line) {
  std::size_t begin = 0;
  for (std::size_t current = 1; current < line; ++current) {
    begin = text.find('\n', begin);
    if (begin == std::string::npos) return {};
    ++begin;
  }
  auto end = text.find('\n', begin);
  if (end == std::string::npos) end = text.size();
  std::string_view result(text.data() + begin, end - begin);
  if (!result.empty() && result.back() == '\r') result.remove_suffix(1);
  return result;
}

// Spaces up to the caret, keeping tabs so the caret lines up under the text.
std::string caret_padding(std::string_view line, std::size_t column) {
  std::string padding;
  for (std::size_t i = 0; i + 1 < column; ++i) {
    padding += (i < line.size() && line[i] == '\t') ? '\t' : ' ';
  }
  return padding;
}

const char* label(Severity severity) { return severity == Severity::Error ? "error" : "warning"; }

}  // namespace

std::string render(const SourceFile& file, const Diagnostic& diagnostic) {
  if (!diagnostic.location.known()) {
    return fmt::format("{}: {}: {}\n", file.name, label(diagnostic.severity), diagnostic.message);
  }
  const auto& at = diagnostic.location;
  auto line = line_at(file.text, at.line);
  auto width = std::max<std::size_t>(1, diagnostic.width);
  if (at.column - 1 < line.size()) width = std::min(width, line.size() - (at.column - 1));
  else width = 1;
  return fmt::format("{}:{}:{}: {}: {}\n    {}\n    {}{}\n", file.name, at.line, at.column,
                     label(diagnostic.severity), diagnostic.message, line,
                     caret_padding(line, at.column), std::string(width, '^'));
}

std::string render_all(const SourceFile& file, const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& diagnostic : diagnostics) out += render(file, diagnostic);
  return out;
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
    auto distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

}  // namespace flow
