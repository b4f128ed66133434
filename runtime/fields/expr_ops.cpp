// where(expr) and set(name = expr, ...): the operators built on expressions
// (docs/expressions.md). Each compiles its expressions once, when made;
// workers share them, since running one changes nothing in it.
#include <fmt/format.h>

#include <stdexcept>

#include "flow/expression.hpp"
#include "flow/registry.hpp"
#include "runtime/fields/expr_program.hpp"
#include "runtime/fields/register.hpp"

namespace flow {
namespace {

const std::string& expression_text(const Value& value) {
  if (const auto* expression = std::get_if<Expression>(&value)) return expression->text;
  throw std::invalid_argument("an expression argument was not converted by the checker");
}

// The checker has reported any problem with its place in the file; here an
// expression that fails to compile (a call built by hand) is a bad argument.
std::unique_ptr<const expr::Program> compile(const std::string& text) {
  std::vector<Diagnostic> diagnostics;
  auto compiled = compile_expression(text, {}, nullptr, diagnostics);
  if (compiled == nullptr) {
    throw std::invalid_argument(
        fmt::format("'{}': {}", text, diagnostics.empty() ? "" : diagnostics.front().message));
  }
  return std::unique_ptr<const expr::Program>(static_cast<const expr::Program*>(compiled.release()));
}

/// Keeps each message (or batch member) for which the condition holds; the
/// rest are counted filtered, as grep's are.
class Where final : public Operator {
 public:
  explicit Where(const std::string& text) : condition_(compile(text)) {}

  void apply(Chunk& messages, OperatorContext& context) override {
    auto now = Clock::now();
    auto [seen, kept] = keep(messages, now, context);
    // As grep: survivors of a filter that keeps few stop pinning their read blocks.
    if (kept * 4 < seen || (seen < 64 && kept < seen)) {
      for (auto& message : messages) detach_payloads(message);
    }
  }

 private:
  std::pair<std::size_t, std::size_t> keep(Chunk& messages, Clock::time_point now,
                                           OperatorContext& context) const {
    std::size_t seen = 0, kept_payloads = 0, kept = 0;
    for (auto& message : messages) {
      bool stays = false;
      if (message.is_batch()) {
        auto [member_seen, member_kept] = keep(message.members, now, context);
        seen += member_seen;
        kept_payloads += member_kept;
        stays = !message.members.empty();
      } else {
        ++seen;
        auto value = condition_->run(message, now);
        stays = value.kind == expr::Val::Kind::Bool && value.truth;
        kept_payloads += stays ? 1 : 0;
        if (!stays) context.filtered(message);
      }
      if (stays) {
        if (&messages[kept] != &message) messages[kept] = std::move(message);
        ++kept;
      }
    }
    messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(kept), messages.end());
    return {seen, kept_payloads};
  }

  std::unique_ptr<const expr::Program> condition_;
};

/// A field's new value: text or a number as the expression gave it; a
/// condition as 1 or 0 (awk's truth values); nothing removes the field.
std::optional<FieldValue> field_value(expr::Val value) {
  switch (value.kind) {
    case expr::Val::Kind::None:
      return std::nullopt;
    case expr::Val::Kind::Bool:
      return FieldValue{std::int64_t{value.truth ? 1 : 0}};
    case expr::Val::Kind::Int:
      return FieldValue{value.integer};
    case expr::Val::Kind::Dec:
      return FieldValue{value.decimal};
    case expr::Val::Kind::Text:
      return FieldValue{value.owned ? std::move(value.own) : std::string(value.view)};
  }
  return std::nullopt;
}

/// Sets each named field to its expression's value. Every expression reads
/// the message as it came in (as SQL's UPDATE ... SET), so the order the
/// arguments are written in does not matter.
class Set final : public Operator {
 public:
  explicit Set(const OperatorCall& call) {
    for (const auto& [name, value] : call.args)
      assignments_.push_back({name, compile(expression_text(value))});
  }

  void apply(Chunk& messages, OperatorContext& /*context*/) override {
    auto now = Clock::now();
    std::vector<std::optional<FieldValue>> values(assignments_.size());
    for (auto& message : messages) set(message, now, values);
  }

 private:
  struct Assignment {
    std::string field;
    std::unique_ptr<const expr::Program> value;
  };

  void set(Message& message, Clock::time_point now, std::vector<std::optional<FieldValue>>& values) const {
    if (message.is_batch()) {
      for (auto& member : message.members) set(member, now, values);
      return;
    }
    for (std::size_t i = 0; i < assignments_.size(); ++i)
      values[i] = field_value(assignments_[i].value->run(message, now));
    for (std::size_t i = 0; i < assignments_.size(); ++i) {
      if (values[i]) {
        message.fields.edit().set(assignments_[i].field, view_of(*values[i]));
      } else if (message.fields.find(assignments_[i].field)) {
        message.fields.edit().erase(assignments_[i].field);
      }
    }
  }

  std::vector<Assignment> assignments_;
};

// What set() does to the fields: each name, typed by its expression where
// it runs (`known`, the fields coming in), so that a later misuse of the
// field is caught as the expression's would be.
FieldChange set_fields(const OperatorCall& call, const KnownFields& known) {
  FieldChange change;
  for (const auto& [name, value] : call.args) {
    std::vector<Diagnostic> diagnostics;
    const auto* expression = std::get_if<Expression>(&value);
    auto compiled =
        expression == nullptr ? nullptr : compile_expression(expression->text, {}, &known, diagnostics);
    auto type = compiled == nullptr        ? FieldType::Any
                : compiled->is_condition() ? FieldType::Integer
                                           : compiled->type();
    change.sets.emplace_back(name, type);
  }
  return change;
}

OperatorPlan cheap(const OperatorCall&) {
  OperatorPlan plan;
  plan.cost = Operator::Cost::Cheap;
  return plan;
}

}  // namespace

void register_expressions(OperatorRegistry& registry) {
  OperatorSpec where;
  where.name = "where";
  where.role = Role::Stage;
  ArgumentSpec condition;
  condition.name = "condition";
  condition.kind = ValueKind::Expression;
  condition.required = true;
  condition.positional = true;
  condition.condition = true;
  where.args = {condition};
  where.summary =
      "keep the messages for which the condition holds: where(status >= 500 && path =~ \"^/api\")";
  where.make = [](const OperatorCall& call) -> std::unique_ptr<Operator> {
    return std::make_unique<Where>(expression_text(call.args.at("condition")));
  };
  where.plan = cheap;
  registry.add(std::move(where));

  OperatorSpec set;
  set.name = "set";
  set.role = Role::Stage;
  set.open_names = true;
  set.summary = "set fields to the values of expressions: set(ms = duration * 1000, kind = lower(method))";
  set.make = [](const OperatorCall& call) -> std::unique_ptr<Operator> {
    return std::make_unique<Set>(call);
  };
  set.validate = [](const OperatorCall& call, std::string&) -> std::string {
    return call.args.empty() ? "set() needs at least one field to set, as in set(ms = duration * 1000)" : "";
  };
  set.plan = cheap;
  set.fields_given = set_fields;
  registry.add(std::move(set));
}

}  // namespace flow
