// parse(format="syslog_rfc5424") and parse(format="syslog_rfc3164"), with the
// field names of Vector's parse_syslog (docs/fields.md).
#include <fmt/format.h>

#include <array>

#include "runtime/fields/parsers.hpp"

namespace flow::fields {
namespace {

constexpr std::array<const char*, 24> kFacilities{
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
    "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7"};
constexpr std::array<const char*, 8> kSeverities{"emerg",   "alert",  "crit", "err",
                                                 "warning", "notice", "info", "debug"};
constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/// `<PRI>`: sets priority, facility and severity; false when it is not there.
/// to_integer takes a '-', and a negative value would index the names below
/// it: `<-1>` is no priority.
bool priority(Cursor& at, Fields& out) {
  auto start = at;
  if (!at.take('<')) return false;
  auto digits = at.until_any(">");
  std::int64_t value = 0;
  if (digits.empty() || digits.size() > 3 || !to_integer(digits, value) || value < 0 || value > 191 ||
      !at.take('>')) {
    at = start;
    return false;
  }
  out.set("priority", value);
  out.set("facility", kFacilities.at(static_cast<std::size_t>(value / 8)));
  out.set("severity", kSeverities.at(static_cast<std::size_t>(value % 8)));
  return true;
}

/// RFC 5424's NILVALUE '-' is no value: the field is left out.
void set_unless_nil(Fields& out, const char* name, std::string_view value) {
  if (value != "-") out.set(name, value);
}

/// What is left after the header: the message, without the UTF-8 BOM 5424
/// puts before a message it declares UTF-8.
void set_message(Fields& out, std::string_view message) {
  if (message.starts_with("\xEF\xBB\xBF")) message.remove_prefix(3);
  if (!message.empty()) out.set("message", message);
}

/// One PARAM-VALUE up to its closing '"', with RFC 5424's three escapes
/// (\" \\ \]) decoded; a backslash before anything else stays.
bool param_value(Cursor& at, std::string& value) {
  value.clear();
  if (!at.take('"')) return false;
  while (!at.done()) {
    char c = at.peek();
    at.skip();
    if (c == '"') return true;
    if (c == '\\' && (at.peek() == '"' || at.peek() == '\\' || at.peek() == ']')) {
      c = at.peek();
      at.skip();
    }
    value += c;
  }
  return false;
}

class Rfc5424 final : public LineParser {
 public:
  std::string parse(std::string_view line, Fields& out) const override {
    static constexpr const char* kFormat = "syslog_rfc5424";
    Cursor at(line);
    if (!priority(at, out)) return expected(kFormat, "'<', a priority from 0 to 191 and '>'", at);
    auto before = at;
    std::int64_t version = 0;
    if (!to_integer(at.word(), version) || version < 1) return expected(kFormat, "the version (1)", before);
    out.set("version", version);
    static constexpr std::array<const char*, 5> kHeader{"timestamp", "hostname", "appname", "procid",
                                                        "msgid"};
    for (const char* name : kHeader) {
      if (!at.take(' ')) return expected(kFormat, fmt::format("' ' before the {}", name), at);
      auto value = at.word();
      if (value.empty()) return expected(kFormat, fmt::format("the {} ('-' for none)", name), at);
      set_unless_nil(out, name, value);
    }
    if (!at.take(' ')) return expected(kFormat, "' ' before the structured data", at);
    if (auto error = structured_data(at, out); !error.empty()) return error;
    if (at.done()) return "";
    if (!at.take(' ')) return expected(kFormat, "' ' before the message", at);
    set_message(out, at.rest());
    return "";
  }

  FieldChange change() const override {
    FieldChange change;
    change.sets = {{"priority", FieldType::Integer}, {"facility", FieldType::Text},
                   {"severity", FieldType::Text},    {"version", FieldType::Integer},
                   {"timestamp", FieldType::Text},   {"hostname", FieldType::Text},
                   {"appname", FieldType::Text},     {"procid", FieldType::Text},
                   {"msgid", FieldType::Text},       {"message", FieldType::Text}};
    change.sets_unknown = true;  // the structured data's names are the sender's
    return change;
  }

 private:
  // `-` or one or more [SD-ID name="value" ...]: each parameter becomes the
  // field "SD-ID.name", as parse_json flattens a nested object.
  static std::string structured_data(Cursor& at, Fields& out) {
    static constexpr const char* kFormat = "syslog_rfc5424";
    if (at.take('-')) return "";
    if (at.peek() != '[') return expected(kFormat, "the structured data ('[' or '-')", at);
    std::string value;
    while (at.take('[')) {
      auto id = at.until_any(" ]");
      if (id.empty()) return expected(kFormat, "an SD-ID after '['", at);
      while (at.take(' ')) {
        auto name = at.until_any("=] ");
        if (name.empty() || !at.take('=')) return expected(kFormat, "a parameter name and '='", at);
        if (at.peek() != '"') return expected(kFormat, "'\"' before the parameter value", at);
        if (auto open = at; !param_value(at, value)) return unclosed(kFormat, "parameter value", open);
        out.set(fmt::format("{}.{}", id, name), value);
      }
      if (!at.take(']')) return expected(kFormat, "']' closing the structured data element", at);
    }
    return "";
  }
};

class Rfc3164 final : public LineParser {
 public:
  std::string parse(std::string_view line, Fields& out) const override {
    static constexpr const char* kFormat = "syslog_rfc3164";
    Cursor at(line);
    // Optional (the files syslog daemons write have none), but a line that
    // opens one must close it: no timestamp starts with '<'.
    if (!priority(at, out) && at.peek() == '<')
      return expected(kFormat, "a priority from 0 to 191 in '<...>'", at);
    if (!timestamp(at.rest())) return expected(kFormat, "a timestamp such as 'Oct 11 22:14:15'", at);
    out.set("timestamp", at.rest().substr(0, 15));
    at.skip(15);
    if (!at.take(' ')) return expected(kFormat, "' ' after the timestamp", at);
    auto host = at.word();
    if (host.empty()) return expected(kFormat, "the hostname", at);
    out.set("hostname", host);
    if (at.done()) return "";
    if (!at.take(' ')) return expected(kFormat, "' ' after the hostname", at);
    tag(at, out);
    set_message(out, at.rest());
    return "";
  }

  FieldChange change() const override {
    FieldChange change;
    change.sets = {{"priority", FieldType::Integer}, {"facility", FieldType::Text},
                   {"severity", FieldType::Text},    {"timestamp", FieldType::Text},
                   {"hostname", FieldType::Text},    {"appname", FieldType::Text},
                   {"procid", FieldType::Text},      {"message", FieldType::Text}};
    return change;
  }

 private:
  // "Mmm dd hh:mm:ss", the day padded with a space ("Feb  5").
  static bool timestamp(std::string_view text) {
    if (text.size() < 15) return false;
    bool month = false;
    for (const char* name : kMonths) month = month || text.substr(0, 3) == name;
    auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
    return month && text[3] == ' ' && (text[4] == ' ' || digit(4)) && digit(5) && text[6] == ' ' &&
           digit(7) && digit(8) && text[9] == ':' && digit(10) && digit(11) && text[12] == ':' && digit(13) &&
           digit(14);
  }

  // "su:" or "sshd[1234]:" is the TAG (appname, procid); a first word with
  // neither ("Use the BFG!") is already the message, as RFC 3164's own
  // example has it.
  static void tag(Cursor& at, Fields& out) {
    auto start = at;
    auto name = at.until_any("[: ");
    std::string_view pid;
    if (!name.empty() && at.take('[')) {
      pid = at.until_any("] ");
      if (!at.take(']')) {
        at = start;
        return;
      }
    }
    if (name.empty() || !at.take(':')) {
      if (pid.empty()) {
        at = start;
        return;
      }
    }
    out.set("appname", name);
    if (!pid.empty()) out.set("procid", pid);
    at.take(' ');
  }
};

}  // namespace

std::unique_ptr<LineParser> make_syslog_parser(bool rfc5424) {
  if (rfc5424) return std::make_unique<Rfc5424>();
  return std::make_unique<Rfc3164>();
}

}  // namespace flow::fields
