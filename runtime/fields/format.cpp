// format(): a message's fields rendered as its payload (docs/formats.md).
#include <fmt/format.h>

#include "runtime/fields/register.hpp"
#include "runtime/fields/render.hpp"

namespace flow::fields {
namespace {

enum class Style { Json, Logfmt, Template };

/// What the call asks for: `json`, `logfmt` or a template string.
struct FormatArgument {
  Style style = Style::Json;
  std::string text;  ///< the template
};

std::optional<FormatArgument> read_argument(const OperatorCall& call, std::string& error) {
  auto found = call.args.find("as");
  if (found == call.args.end()) {
    error = "format needs json, logfmt or a template such as \"{ip} {status}\"";
    return std::nullopt;
  }
  // A bare word arrives as its text (ArgumentSpec::word): json and logfmt name a style.
  if (const auto* text = std::get_if<std::string>(&found->second)) {
    if (*text == "json") return FormatArgument{Style::Json, {}};
    if (*text == "logfmt") return FormatArgument{Style::Logfmt, {}};
    // A template names a field somewhere: a word such as `yaml` is a style that does not exist.
    if (text->find_first_of("{}") == std::string::npos) {
      error =
          fmt::format("expected json, logfmt or a template such as \"{{ip}} {{status}}\", got '{}'", *text);
      return std::nullopt;
    }
    return FormatArgument{Style::Template, *text};
  }
  error = fmt::format("expected json, logfmt or a template string such as \"{{ip}} {{status}}\", got {}",
                      to_string(found->second));
  return std::nullopt;
}

class Format final : public Operator {
 public:
  Format(Style style, std::optional<Template> shape) : style_(style), template_(std::move(shape)) {}

  void apply(Chunk& messages, OperatorContext& context) override {
    std::int64_t delta = 0;
    std::string text;
    for (auto& message : messages) render(message, text, delta);
    if (delta != 0) context.resized(delta);
  }

 private:
  // A batch's members each get theirs, as the text operators do (docs/operators.md, Batches).
  void render(Message& message, std::string& text, std::int64_t& delta) const {
    if (message.is_batch()) {
      for (auto& member : message.members) render(member, text, delta);
      return;
    }
    text.clear();
    switch (style_) {
      case Style::Json:
        append_json(text, message);
        break;
      case Style::Logfmt:
        append_logfmt(text, message);
        break;
      case Style::Template:
        template_->render(text, message);
        break;
    }
    delta += static_cast<std::int64_t>(text.size()) - static_cast<std::int64_t>(message.payload.size());
    message.payload = text;  // copies into the payload's own string, keeping `text`'s room for the next
  }

  Style style_;
  std::optional<Template> template_;
};

std::unique_ptr<Operator> make_format(const OperatorCall& call) {
  std::string error;
  auto argument = read_argument(call, error);
  if (!argument) throw std::invalid_argument(error);
  std::optional<Template> shape;
  if (argument->style == Style::Template) {
    std::size_t offset = 0;
    shape = Template::parse(argument->text, error, offset);
    if (!shape) throw std::invalid_argument(error);
  }
  return std::make_unique<Format>(argument->style, std::move(shape));
}

std::string validate_format(const OperatorCall& call, std::string& argument) {
  argument = "as";
  std::string error;
  auto read = read_argument(call, error);
  if (!read) return error;
  if (read->style != Style::Template) return "";
  std::size_t offset = 0;
  if (!Template::parse(read->text, error, offset)) {
    // The checker puts the caret on this byte of the string (registry.hpp).
    argument = fmt::format("as@{}", offset);
    return error;
  }
  return "";
}

// The fields a template names, for the checker. `{message}` is left out: a
// message with no fields renders it as its payload, whatever the checker knows.
std::vector<FieldRead> format_reads(const OperatorCall& call) {
  std::string error;
  auto read = read_argument(call, error);
  std::size_t offset = 0;
  std::optional<Template> shape;
  if (read && read->style == Style::Template) shape = Template::parse(read->text, error, offset);
  std::vector<FieldRead> reads;
  if (!shape) return reads;
  for (auto& [name, at] : shape->fields()) {
    if (name != "message") reads.push_back({std::move(name), "as", at});
  }
  return reads;
}

}  // namespace

void register_formats(OperatorRegistry& registry) {
  OperatorSpec spec;
  spec.name = "format";
  spec.role = Role::Stage;
  ArgumentSpec as{"as", ValueKind::String, true, std::nullopt, true};
  as.word = true;  // format(json), format(logfmt), or a template string
  spec.args = {as};
  spec.summary =
      "the payload becomes the message's fields as text: json, logfmt or a template \"{ip} {status}\"";
  spec.make = make_format;
  spec.validate = validate_format;
  spec.reads = format_reads;
  spec.plan = [](const OperatorCall&) {
    OperatorPlan plan;
    plan.cost = Operator::Cost::Cheap;
    return plan;
  };
  registry.add(std::move(spec));
}

}  // namespace flow::fields
