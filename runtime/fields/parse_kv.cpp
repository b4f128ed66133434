// parse(format="logfmt") and parse(format="csv"): the two formats whose
// field names come from the line itself (logfmt's keys) or from the call
// (csv's columns=), docs/fields.md.
#include <fmt/format.h>

#include "runtime/fields/parsers.hpp"

namespace flow::fields {
namespace {

/// logfmt's quoted value: \" \\ \n \t \r decoded as Go's strconv.Unquote
/// would; any other backslash stays as it is.
bool logfmt_quoted(Cursor& at, std::string& value) {
  value.clear();
  at.skip();  // the opening '"'
  while (!at.done()) {
    char c = at.peek();
    at.skip();
    if (c == '"') return true;
    if (c == '\\' && !at.done()) {
      char next = at.peek();
      char decoded = next == 'n' ? '\n' : next == 't' ? '\t' : next == 'r' ? '\r' : next;
      if (next == '"' || next == '\\' || decoded != next) {
        c = decoded;
        at.skip();
      }
    }
    value += c;
  }
  return false;
}

/// key=value pairs as heroku's and Go's logfmt write them: a value in quotes
/// may hold spaces; `key=` is empty text; a bare `key` is "true" (Vector's
/// parse_logfmt makes it the boolean true; fields hold text or numbers).
class Logfmt final : public LineParser {
 public:
  std::string parse(std::string_view line, Fields& out) const override {
    static constexpr const char* kFormat = "logfmt";
    Cursor at(line);
    std::string value;
    while (true) {
      while (at.take(' ') || at.take('\t') || at.take('\r')) {
      }
      if (at.done()) return "";
      auto key = at.until_any("= \t\"");
      if (key.empty()) return expected(kFormat, "a key", at);
      if (at.peek() == '"') return expected(kFormat, "'=' or a space after the key (no '\"' in a key)", at);
      if (!at.take('=')) {
        out.set(key, "true");
        continue;
      }
      if (at.peek() == '"') {
        auto open = at;
        if (!logfmt_quoted(at, value)) return unclosed(kFormat, "value", open);
        if (!at.done() && at.peek() != ' ' && at.peek() != '\t' && at.peek() != '\r') {
          return expected(kFormat, "a space after the quoted value", at);
        }
        out.set(key, value);
      } else {
        out.set(key, at.until_any(" \t\r"));
      }
    }
  }

  FieldChange change() const override {
    FieldChange change;
    change.sets_unknown = true;
    return change;
  }
};

/// RFC 4180 fields: a quoted field may hold the separator and "" for a quote.
/// One line is one record: a quote still open at the end of the line fails it.
class Csv final : public LineParser {
 public:
  Csv(std::vector<std::string> columns, char separator)
      : columns_(std::move(columns)), separator_(separator) {}

  std::string parse(std::string_view line, Fields& out) const override {
    static constexpr const char* kFormat = "csv";
    if (line.ends_with('\r')) line.remove_suffix(1);  // a CRLF file, as RFC 4180 writes it
    Cursor at(line);
    std::string value;
    std::size_t count = 0;
    while (true) {
      if (at.peek() == '"' && !at.done()) {
        auto open = at;
        if (!quoted(at, value)) return unclosed(kFormat, "field", open);
        if (!at.done() && at.peek() != separator_) {
          return expected(kFormat,
                          fmt::format("'{}' or the end of the line after the quoted field", separator_), at);
        }
      } else {
        value = at.until_any(std::string_view(&separator_, 1));
      }
      ++count;
      if (!columns_.empty() && count > columns_.size()) break;
      out.set(name(count), value);
      if (!at.take(separator_)) break;
    }
    if (!columns_.empty() && count != columns_.size()) {
      return fmt::format("csv: expected {} columns ({}), got {}", columns_.size(), fmt::join(columns_, ","),
                         count_all(line));
    }
    return "";
  }

  FieldChange change() const override {
    FieldChange change;
    for (const auto& column : columns_) change.sets.emplace_back(column, FieldType::Text);
    change.sets_unknown = columns_.empty();
    return change;
  }

 private:
  static bool quoted(Cursor& at, std::string& value) {
    value.clear();
    at.skip();
    while (!at.done()) {
      char c = at.peek();
      at.skip();
      if (c == '"') {
        if (!at.take('"')) return true;
      }
      value += c;
    }
    return false;
  }

  // Without columns= a field is named by its place, as awk's $1 $2: c1, c2, ...
  std::string name(std::size_t count) const {
    return columns_.empty() ? fmt::format("c{}", count) : columns_[count - 1];
  }

  // How many fields the whole line has, for the message of a line with too many.
  std::size_t count_all(std::string_view line) const {
    Cursor at(line);
    std::string value;
    std::size_t count = 1;
    while (!at.done()) {
      if (at.peek() == '"' && !quoted(at, value)) break;
      at.until_any(std::string_view(&separator_, 1));
      if (at.take(separator_)) ++count;
    }
    return count;
  }

  std::vector<std::string> columns_;
  char separator_;
};

}  // namespace

std::unique_ptr<LineParser> make_logfmt_parser() {
  return std::make_unique<Logfmt>();
}

std::unique_ptr<LineParser> make_csv_parser(std::vector<std::string> columns, char separator) {
  return std::make_unique<Csv>(std::move(columns), separator);
}

}  // namespace flow::fields
