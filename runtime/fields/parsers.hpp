#pragma once
// Internal to runtime/fields: the line parsers behind parse(), parse_json()
// and parse_regex() (docs/fields.md). Each reads one line into a message's
// fields and says, on a line it cannot read, what it expected and where.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flow/fields.hpp"

namespace flow::fields {

/// Reads lines of one format. Shared by a node's workers: parse() is const
/// and keeps no state between lines.
class LineParser {
 public:
  virtual ~LineParser() = default;
  /// Sets the fields `line` holds in `out` and returns ""; on a line it cannot
  /// read, returns the cause ("nginx_combined: expected ... at byte 12"),
  /// leaving `out` in any state (the caller discards it). `out` comes empty,
  /// holding `line` (Fields::hold), so a parser whose names are distinct may
  /// add() them and text cut from `line` is not copied.
  virtual std::string parse(std::string_view line, Fields& out) const = 0;
  /// What the checker may know of the fields it sets (FieldChange).
  virtual FieldChange change() const = 0;
};

/// The formats parse(format=...) knows, in the order docs/fields.md lists them.
const std::vector<std::string>& format_names();

/// The parser of `format` (one of format_names()); nullptr for another name.
/// `columns` and `separator` are csv's (columns may be empty: c1, c2, ...).
std::unique_ptr<LineParser> make_format_parser(const std::string& format,
                                               const std::vector<std::string>& columns, char separator);

std::unique_ptr<LineParser> make_access_parser(bool combined);  // parse_access.cpp
std::unique_ptr<LineParser> make_syslog_parser(bool rfc5424);   // parse_syslog.cpp
std::unique_ptr<LineParser> make_logfmt_parser();               // parse_kv.cpp
std::unique_ptr<LineParser> make_csv_parser(std::vector<std::string> columns, char separator);
std::unique_ptr<LineParser> make_json_parser();  // parse_json.cpp

/// "" when `pattern` compiles and names at least one group, else why not.
std::string regex_parser_error(const std::string& pattern);
std::unique_ptr<LineParser> make_regex_parser(const std::string& pattern);  // parse_regex.cpp

/// A cursor over one line, for the hand-written parsers: positions are told
/// from 1, as a column is ("at byte 1" is the first byte).
class Cursor {
 public:
  explicit Cursor(std::string_view line) : line_(line) {}
  bool done() const { return at_ >= line_.size(); }
  char peek() const { return done() ? '\0' : line_[at_]; }
  std::size_t byte() const { return at_ + 1; }
  std::size_t offset() const { return at_; }
  std::string_view rest() const { return line_.substr(at_); }
  void skip(std::size_t n = 1) { at_ += n; }
  /// Takes `c` when it is next.
  bool take(char c) {
    if (peek() != c || done()) return false;
    ++at_;
    return true;
  }
  /// Up to (not including) the next byte in `stops`, or the end. A loop of
  /// its own: string_view::find_first_of calls memchr on `stops` per byte.
  std::string_view until_any(std::string_view stops) {
    auto end = at_;
    while (end < line_.size() && stops.find(line_[end]) == std::string_view::npos) ++end;
    auto word = line_.substr(at_, end - at_);
    at_ = end;
    return word;
  }
  /// Up to (not including) the next `stop`, or the end.
  std::string_view until(char stop) {
    auto end = line_.find(stop, at_);
    if (end == std::string_view::npos) end = line_.size();
    auto word = line_.substr(at_, end - at_);
    at_ = end;
    return word;
  }
  /// Up to the next space (or the end).
  std::string_view word() { return until(' '); }

 private:
  std::string_view line_;
  std::size_t at_ = 0;
};

/// "<format>: expected <what> at byte N" (N from 1; "at the end of the line" past it).
std::string expected(std::string_view format, std::string_view what, const Cursor& at);

/// "<format>: expected '"' closing the <what> that opens at byte N".
std::string unclosed(std::string_view format, std::string_view what, const Cursor& open);

/// The integer `text` is, when it is all digits (an optional leading '-') and fits.
bool to_integer(std::string_view text, std::int64_t& value);

}  // namespace flow::fields
