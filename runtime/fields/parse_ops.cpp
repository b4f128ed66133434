// The parser stages and drop(): what they do to each message's fields, and
// how they register (docs/fields.md).
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "flow/arguments.hpp"
#include "flow/diagnostic.hpp"
#include "runtime/fields/parsers.hpp"
#include "runtime/fields/register.hpp"

namespace flow::fields {
namespace {

/// Reads each payload (each member of a batch) with one LineParser. A line
/// it cannot read leaves the chunk through OperatorContext::failed with the
/// parser's cause, so on_error decides (skip, a dead-letter node, fail).
class Parse final : public Operator {
 public:
  explicit Parse(std::unique_ptr<LineParser> parser) : parser_(std::move(parser)) {}

  void apply(Chunk& messages, OperatorContext& context) override { parse_all(messages, context); }

 private:
  // Compacts in place, as grep's filter does: no allocation per chunk.
  void parse_all(Chunk& messages, OperatorContext& context) const {
    std::size_t kept = 0;
    for (auto& message : messages) {
      if (!stays(message, context)) continue;
      if (&messages[kept] != &message) messages[kept] = std::move(message);
      ++kept;
    }
    messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(kept), messages.end());
  }

  // False for a message that leaves the chunk: a line that failed (handed to
  // the context) or a batch whose members all failed (each reported already).
  bool stays(Message& message, OperatorContext& context) const {
    if (message.is_batch()) {
      parse_all(message.members, context);
      return !message.members.empty();
    }
    auto cause = parse_one(message);
    if (cause.empty()) return true;
    context.failed(std::move(message), cause);
    return false;
  }

  // A message with no fields (the usual case) is parsed straight into its
  // own, which hold the line rather than copy it; one that has some keeps
  // them unless the line sets the same name, and keeps them whole when the
  // line does not parse.
  std::string parse_one(Message& message) const {
    if (!message.fields) {
      auto& fields = message.fields.edit();
      fields.reserve(kUsualFields, kUsualNameBytes);
      auto cause = parser_->parse(fields.hold(message.payload), fields);
      if (!cause.empty()) message.fields.reset();
      return cause;
    }
    thread_local Fields scratch;
    scratch.clear();
    auto cause = parser_->parse(scratch.hold(message.payload), scratch);
    if (cause.empty()) {
      auto& fields = message.fields.edit();
      for (const auto& [name, value] : scratch) fields.set(name, value);
    }
    scratch.clear();  // lets go of the line
    return cause;
  }

  // An access log line's dozen fields and their names: room made once.
  static constexpr std::size_t kUsualFields = 12;
  static constexpr std::size_t kUsualNameBytes = 160;
  std::unique_ptr<LineParser> parser_;
};

/// drop(field, ...): removes the named fields; a message that has none of
/// them keeps its fields untouched (and shared, when they are).
class Drop final : public Operator {
 public:
  explicit Drop(std::vector<std::string> names) : names_(std::move(names)) {}

  void apply(Chunk& messages, OperatorContext&) override {
    for (auto& message : messages) drop(message);
  }

 private:
  void drop(Message& message) const {
    for (auto& member : message.members) drop(member);
    bool has_any = std::any_of(names_.begin(), names_.end(), [&](const std::string& name) {
      return message.fields.find(name).has_value();
    });
    if (!has_any) return;
    auto& fields = message.fields.edit();
    for (const auto& name : names_) fields.erase(name);
  }

  std::vector<std::string> names_;
};

ArgumentSpec argument(std::string name, ValueKind kind, bool required, bool positional,
                      std::optional<Value> fallback = std::nullopt) {
  ArgumentSpec spec{std::move(name), kind, required, std::move(fallback), positional};
  return spec;
}

/// A text argument that may be written as a bare word too: parse(nginx_combined), drop(status).
ArgumentSpec word(std::string name, bool required, bool positional) {
  auto spec = argument(std::move(name), ValueKind::String, required, positional);
  spec.word = true;
  return spec;
}

OperatorPlan cheap(const OperatorCall&) {
  OperatorPlan plan;
  plan.cost = Operator::Cost::Cheap;
  return plan;
}

OperatorSpec stage(std::string name, std::vector<ArgumentSpec> args, std::string summary) {
  OperatorSpec spec;
  spec.name = std::move(name);
  spec.role = Role::Stage;
  spec.args = std::move(args);
  spec.summary = std::move(summary);
  spec.plan = cheap;
  return spec;
}

/// csv's columns="a,b,c", split at the commas.
std::vector<std::string> columns_of(const OperatorCall& call) {
  std::vector<std::string> columns;
  auto text = optional_arg<std::string>(call, "columns");
  if (!text) return columns;
  std::string_view rest = *text;
  while (true) {
    auto comma = rest.find(',');
    columns.emplace_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) return columns;
    rest.remove_prefix(comma + 1);
  }
}

char separator_of(const OperatorCall& call) {
  auto text = optional_arg<std::string>(call, "separator").value_or(",");
  return text.size() == 1 ? text[0] : ',';
}

std::unique_ptr<LineParser> format_parser(const OperatorCall& call) {
  auto format = required_arg<std::string>(call, "format");
  auto parser = make_format_parser(format, columns_of(call), separator_of(call));
  if (!parser) throw std::invalid_argument(fmt::format("parse: unknown format '{}'", format));
  return parser;
}

bool is_name(const std::string& name) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  return !name.empty() && letter(name[0]) &&
         std::all_of(name.begin(), name.end(), [&](char c) { return letter(c) || (c >= '0' && c <= '9'); });
}

std::string validate_columns(const OperatorCall& call) {
  auto columns = columns_of(call);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (!is_name(columns[i])) {
      return fmt::format("column {} of columns must be a name (letters, digits, '_'), got '{}'", i + 1,
                         columns[i]);
    }
    if (std::find(columns.begin(), columns.begin() + static_cast<std::ptrdiff_t>(i), columns[i]) !=
        columns.begin() + static_cast<std::ptrdiff_t>(i)) {
      return fmt::format("column '{}' is named twice in columns", columns[i]);
    }
  }
  return "";
}

std::string validate_parse(const OperatorCall& call, std::string& argument) {
  auto format = required_arg<std::string>(call, "format");
  const auto& names = format_names();
  if (std::find(names.begin(), names.end(), format) == names.end()) {
    argument = "format";
    auto close = closest_match(format, names);
    return fmt::format("unknown format '{}'; expected one of {}{}", format, fmt::join(names, ", "),
                       close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close));
  }
  for (const char* name : {"columns", "separator"}) {
    if (call.args.count(name) != 0 && format != "csv") {
      argument = name;
      return fmt::format("{} is for format \"csv\" only", name);
    }
  }
  if (auto error = validate_columns(call); !error.empty()) {
    argument = "columns";
    return error;
  }
  auto separator = optional_arg<std::string>(call, "separator").value_or(",");
  if (separator.size() != 1 || separator == "\"" || separator == "\r" || separator == "\n") {
    argument = "separator";
    return fmt::format("separator must be one byte other than '\"' and a line end, got \"{}\"", separator);
  }
  return "";
}

std::string validate_regex(const OperatorCall& call, std::string& argument) {
  auto error = regex_parser_error(required_arg<std::string>(call, "pattern"));
  if (!error.empty()) argument = "pattern";
  return error;
}

std::vector<std::string> dropped_names(const OperatorCall& call) {
  std::vector<std::string> names{required_arg<std::string>(call, "field")};
  for (const auto& value : variadic_values(call, "more")) names.push_back(std::get<std::string>(value));
  return names;
}

// Each name drop() is given, by the key of its argument (field, more.1, ...).
std::vector<FieldRead> drop_reads(const OperatorCall& call) {
  std::vector<FieldRead> reads;
  auto read = [&](const std::string& key) {
    auto found = call.args.find(key);
    const auto* name = found == call.args.end() ? nullptr : std::get_if<std::string>(&found->second);
    if (name != nullptr && !name->empty()) reads.push_back({*name, key, 0});
  };
  read("field");
  for (std::size_t index = 1; call.args.count(variadic_key("more", index)) != 0; ++index)
    read(variadic_key("more", index));
  return reads;
}

std::string validate_drop(const OperatorCall& call, std::string& argument) {
  for (const auto& name : dropped_names(call)) {
    if (!name.empty()) continue;
    argument = "field";
    return "a field name must not be empty";
  }
  return "";
}

// The checker asks what a call does to fields before the run, from a call
// that passed validation; a parser built for the question answers it.
FieldChange change_of(const std::function<std::unique_ptr<LineParser>(const OperatorCall&)>& make,
                      const OperatorCall& call) {
  try {
    return make(call)->change();
  } catch (const std::exception&) {
    FieldChange unknown;
    unknown.sets_unknown = true;
    return unknown;
  }
}

void add_parser(OperatorRegistry& registry, OperatorSpec spec,
                const std::function<std::unique_ptr<LineParser>(const OperatorCall&)>& make) {
  spec.make = [make](const OperatorCall& call) -> std::unique_ptr<Operator> {
    return std::make_unique<Parse>(make(call));
  };
  spec.fields = [make](const OperatorCall& call) { return change_of(make, call); };
  registry.add(std::move(spec));
}

}  // namespace

void register_parsers(OperatorRegistry& registry) {
  auto parse =
      stage("parse",
            {word("format", true, true), argument("columns", ValueKind::String, false, false),
             argument("separator", ValueKind::String, false, false)},
            "read each line as `format` (nginx_combined, apache_common, syslog_rfc5424, syslog_rfc3164, "
            "logfmt, csv) into fields; a line that does not parse fails");
  parse.validate = validate_parse;
  add_parser(registry, std::move(parse), format_parser);

  add_parser(registry, stage("parse_json", {}, "read each line as a JSON object into fields (nested: a.b)"),
             [](const OperatorCall&) { return make_json_parser(); });

  auto regex = stage("parse_regex", {argument("pattern", ValueKind::String, true, true)},
                     "set a text field for each named group (?P<name>...) of `pattern` the line matches");
  regex.validate = validate_regex;
  add_parser(registry, std::move(regex), [](const OperatorCall& call) {
    return make_regex_parser(required_arg<std::string>(call, "pattern"));
  });

  auto more = word("more", false, true);
  more.variadic = true;
  auto drop = stage("drop", {word("field", true, true), std::move(more)}, "remove the named fields");
  drop.validate = validate_drop;
  drop.reads = drop_reads;
  drop.make = [](const OperatorCall& call) -> std::unique_ptr<Operator> {
    return std::make_unique<Drop>(dropped_names(call));
  };
  drop.fields = [](const OperatorCall& call) {
    FieldChange change;
    change.removes = dropped_names(call);
    return change;
  };
  registry.add(std::move(drop));
}

}  // namespace flow::fields
