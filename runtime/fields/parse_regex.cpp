// parse_regex("(?P<ip>\\S+) ..."): RE2's named groups become text fields;
// and the helpers every parser shares (docs/fields.md).
#include <fmt/format.h>
#include <re2/re2.h>

#include <charconv>

#include "runtime/fields/parsers.hpp"

namespace flow::fields {

std::string expected(std::string_view format, std::string_view what, const Cursor& at) {
  if (at.done()) return fmt::format("{}: expected {} at the end of the line", format, what);
  return fmt::format("{}: expected {} at byte {}", format, what, at.byte());
}

std::string unclosed(std::string_view format, std::string_view what, const Cursor& open) {
  return fmt::format("{}: expected '\"' closing the {} that opens at byte {}", format, what, open.byte());
}

bool to_integer(std::string_view text, std::int64_t& value) {
  if (text.empty() || (text[0] == '-' && text.size() == 1)) return false;
  const auto* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && stop == end;
}

namespace {

/// The pattern is compiled once per node and shared by its workers (RE2
/// matching is thread-safe); the groups are read into views, one match per
/// line. A group that took no part in the match (`(?P<x>a)?`) sets nothing.
class RegexParser final : public LineParser {
 public:
  explicit RegexParser(const std::string& pattern) : regex_(pattern, RE2::Quiet) {
    if (!regex_.ok())
      throw std::invalid_argument(fmt::format("invalid regular expression: {}", regex_.error()));
    names_.resize(static_cast<std::size_t>(regex_.NumberOfCapturingGroups()) + 1);
    for (const auto& [name, index] : regex_.NamedCapturingGroups())
      names_[static_cast<std::size_t>(index)] = name;
  }

  std::string parse(std::string_view line, Fields& out) const override {
    thread_local std::vector<re2::StringPiece> groups;
    groups.assign(names_.size(), {});
    if (!regex_.Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::UNANCHORED,
                      groups.data(), static_cast<int>(groups.size()))) {
      return "parse_regex: the line does not match the pattern";
    }
    for (std::size_t i = 1; i < names_.size(); ++i) {
      if (!names_[i].empty() && groups[i].data() != nullptr)
        out.set(names_[i], std::string_view(groups[i].data(), groups[i].size()));
    }
    return "";
  }

  FieldChange change() const override {
    FieldChange change;
    for (const auto& name : names_) {
      if (!name.empty()) change.sets.emplace_back(name, FieldType::Text);
    }
    return change;
  }

 private:
  RE2 regex_;
  std::vector<std::string> names_;  ///< by group number; "" for an unnamed group
};

}  // namespace

std::string regex_parser_error(const std::string& pattern) {
  RE2 regex(pattern, RE2::Quiet);
  if (!regex.ok()) return fmt::format("invalid regular expression: {}", regex.error());
  if (regex.NamedCapturingGroups().empty()) {
    return "the pattern names no group: write (?P<name>...) for each field it should set";
  }
  return "";
}

std::unique_ptr<LineParser> make_regex_parser(const std::string& pattern) {
  return std::make_unique<RegexParser>(pattern);
}

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> names{"nginx_combined", "apache_common", "syslog_rfc5424",
                                              "syslog_rfc3164", "logfmt",        "csv"};
  return names;
}

std::unique_ptr<LineParser> make_format_parser(const std::string& format,
                                               const std::vector<std::string>& columns, char separator) {
  if (format == "nginx_combined" || format == "apache_common")
    return make_access_parser(format == "nginx_combined");
  if (format == "syslog_rfc5424" || format == "syslog_rfc3164")
    return make_syslog_parser(format == "syslog_rfc5424");
  if (format == "logfmt") return make_logfmt_parser();
  if (format == "csv") return make_csv_parser(columns, separator);
  return nullptr;
}

}  // namespace flow::fields
