#pragma once
// Internal to runtime/fields: a message's fields as text (docs/formats.md),
// for format() and for the readable payload of count() and aggregate().
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/fields.hpp"
#include "flow/message.hpp"

namespace flow::fields {

/// Appends `text` as a JSON string, quotes included: control characters
/// escaped, each byte that is not part of valid UTF-8 as U+FFFD.
void append_json_string(std::string& out, std::string_view text);
/// Appends `value` as JSON: text as a string, an integer or a finite
/// decimal as a number, NaN and infinities as null.
void append_json_value(std::string& out, const FieldView& value);
/// Appends the fields as one JSON object; no fields: {"message": payload}.
void append_json(std::string& out, const Message& message);
/// Appends the fields as logfmt (`key=value key="two words"`); no fields: message=payload.
void append_logfmt(std::string& out, const Message& message);
/// Appends fields as logfmt.
void append_logfmt(std::string& out, const Fields& fields);

/// A `format("{ip} {status}")` template: literal text and field names.
class Template {
 public:
  /// Parses `text`; on a bad one returns nullopt and sets `error` and
  /// `offset` (the byte of `text` where the problem is).
  static std::optional<Template> parse(std::string_view text, std::string& error, std::size_t& offset);
  /// Appends the template filled from `message`: a field it lacks as nothing;
  /// a message with no fields has one, `message`, its payload.
  void render(std::string& out, const Message& message) const;
  /// The field names it reads, each with the byte of the template where it starts.
  std::vector<std::pair<std::string, std::size_t>> fields() const;

 private:
  struct Piece {
    std::string text;
    bool field = false;
    std::size_t offset = 0;  ///< a field's: where its name starts in the template
  };
  std::vector<Piece> pieces_;
};

/// `time` as RFC 3339 in UTC with milliseconds: "2026-12-07T19:47:29.123Z".
std::string rfc3339(std::chrono::system_clock::time_point time);

}  // namespace flow::fields
