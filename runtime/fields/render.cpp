// Fields as JSON, logfmt and templates (docs/formats.md).
#include "runtime/fields/render.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cmath>
#include <ctime>

namespace flow::fields {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

bool continuation(unsigned char byte) {
  return (byte & 0xC0U) == 0x80U;
}

/// The length of the valid UTF-8 sequence at `at` (a lead byte >= 0x80), or 0.
std::size_t utf8_length(std::string_view text, std::size_t at) {
  auto byte = [&](std::size_t i) -> unsigned char {
    return at + i < text.size() ? static_cast<unsigned char>(text[at + i]) : 0;
  };
  unsigned char lead = byte(0);
  // The second byte's range depends on the lead: it rules out overlong forms,
  // surrogates (ED A0..BF) and code points past U+10FFFF.
  unsigned char low = 0x80, high = 0xBF;
  std::size_t length = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!continuation(byte(i))) return 0;
  }
  return length;
}

void append_escape(std::string& out, unsigned char byte) {
  switch (byte) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    default:
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", byte);
  }
}

/// Whether a logfmt value must be quoted: empty, or holding a space, `=`, a
/// quote or a byte outside printable ASCII.
bool needs_quotes(std::string_view text) {
  if (text.empty()) return true;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= ' ' || byte == '=' || byte == '"' || byte == '\\' || byte >= 0x7F) return true;
  }
  return false;
}

void append_logfmt_value(std::string& out, const FieldView& value) {
  const auto* text = std::get_if<std::string_view>(&value);
  if (text == nullptr) {
    out += field_text(value);
    return;
  }
  if (!needs_quotes(*text)) {
    out += *text;
    return;
  }
  // A quoted value is a JSON string: one escaping rule for both formats.
  append_json_string(out, *text);
}

void append_logfmt_pair(std::string& out, std::string_view name, const FieldView& value) {
  if (!out.empty() && out.back() != '\n') out += ' ';
  out += name;
  out += '=';
  append_logfmt_value(out, value);
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied, all plain
  for (std::size_t i = 0; i < text.size();) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\') {
      ++i;
      continue;
    }
    if (byte >= 0x80) {
      if (auto length = utf8_length(text, i); length != 0) {
        i += length;
        continue;
      }
    }
    out.append(text.data() + run, i - run);
    if (byte >= 0x80) {
      out += kReplacement;
    } else {
      append_escape(out, byte);
    }
    run = ++i;
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

void append_json_value(std::string& out, const FieldView& value) {
  if (const auto* text = std::get_if<std::string_view>(&value)) {
    append_json_string(out, *text);
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    fmt::format_to(std::back_inserter(out), "{}", *integer);
  } else if (double decimal = std::get<double>(value); std::isfinite(decimal)) {
    fmt::format_to(std::back_inserter(out), "{}", decimal);
  } else {
    out += "null";  // JSON has no NaN nor infinity; JSON.stringify writes null too
  }
}

void append_json(std::string& out, const Message& message) {
  const Fields* fields = message.fields.get();
  if (fields == nullptr || fields->empty()) {
    out += "{\"message\":";
    append_json_string(out, message.payload.view());
    out += '}';
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [name, value] : *fields) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    out += ':';
    append_json_value(out, value);
  }
  out += '}';
}

void append_logfmt(std::string& out, const Fields& fields) {
  for (const auto& [name, value] : fields) append_logfmt_pair(out, name, value);
}

void append_logfmt(std::string& out, const Message& message) {
  const Fields* fields = message.fields.get();
  if (fields == nullptr || fields->empty()) {
    append_logfmt_pair(out, "message", message.payload.view());
    return;
  }
  append_logfmt(out, *fields);
}

std::optional<Template> Template::parse(std::string_view text, std::string& error, std::size_t& offset) {
  Template parsed;
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool doubled = i + 1 < text.size() && text[i + 1] == c;
    if ((c == '{' || c == '}') && doubled) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') {
      error = "a lone '}' in a template; write '}}' for a literal brace";
      offset = i;
      return std::nullopt;
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    auto close = text.find_first_of("{}", i + 1);
    if (close == std::string_view::npos || text[close] == '{') {
      error = "unclosed '{' in a template: expected a field name and '}' (write '{{' for a literal brace)";
      offset = i;
      return std::nullopt;
    }
    if (close == i + 1) {
      error = "empty '{}' in a template: expected a field name between the braces";
      offset = i;
      return std::nullopt;
    }
    if (!literal.empty()) parsed.pieces_.push_back({std::exchange(literal, {}), false});
    parsed.pieces_.push_back({std::string(text.substr(i + 1, close - i - 1)), true, i + 1});
    i = close;
  }
  if (!literal.empty()) parsed.pieces_.push_back({std::move(literal), false});
  return parsed;
}

void Template::render(std::string& out, const Message& message) const {
  const Fields* fields = message.fields.get();
  bool none = fields == nullptr || fields->empty();
  for (const auto& piece : pieces_) {
    if (!piece.field) {
      out += piece.text;
    } else if (none) {
      if (piece.text == "message") out += message.payload.view();
    } else if (auto value = fields->find(piece.text)) {
      if (const auto* text = std::get_if<std::string_view>(&*value)) {
        out += *text;
      } else {
        out += field_text(*value);
      }
    }
  }
}

std::vector<std::pair<std::string, std::size_t>> Template::fields() const {
  std::vector<std::pair<std::string, std::size_t>> names;
  for (const auto& piece : pieces_) {
    if (piece.field) names.emplace_back(piece.text, piece.offset);
  }
  return names;
}

std::string rfc3339(std::chrono::system_clock::time_point time) {
  auto millis = std::chrono::floor<std::chrono::milliseconds>(time);
  auto seconds = std::chrono::floor<std::chrono::seconds>(millis);
  std::time_t whole = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&whole, &utc);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", utc, (millis - seconds).count());
}

}  // namespace flow::fields
