// route(errors: status >= 500, slow: ms > 1000, rest: true): picks, for each
// message, the first label whose condition holds; the node's runtime sends
// it on the edges that leave by that label (docs/routing.md). A message no
// condition takes is counted filtered, as Vector's route drops what matches
// no route (to `_unmatched`).
#include <fmt/format.h>

#include <stdexcept>

#include "flow/expression.hpp"
#include "flow/registry.hpp"
#include "runtime/fields/register.hpp"

namespace flow {
namespace {

constexpr const char* kOutputs = "outputs";

struct Condition {
  std::string label;
  std::unique_ptr<CompiledExpression> expression;
};

/// The call's conditions compiled; the first problem's message when one does not compile.
std::vector<Condition> compile_conditions(const OperatorCall& call, std::string* problem) {
  std::vector<Condition> conditions;
  auto values = variadic_values(call, kOutputs);
  for (std::size_t index = 0; index < values.size(); ++index) {
    const auto* expression = std::get_if<Expression>(&values[index]);
    if (expression == nullptr) continue;  // the checker said so
    std::vector<Diagnostic> diagnostics;
    auto compiled = compile_expression(expression->text, call.location, nullptr, diagnostics);
    if (!compiled) {
      if (problem->empty()) {
        *problem = diagnostics.empty()
                       ? fmt::format("the condition of '{}' does not compile", expression->label)
                       : diagnostics.front().message;
      }
      continue;
    }
    conditions.push_back({expression->label, std::move(compiled)});
  }
  return conditions;
}

class Route final : public Operator {
 public:
  explicit Route(std::vector<Condition> conditions) : conditions_(std::move(conditions)) {}

  void apply(Chunk& messages, OperatorContext& context) override {
    auto* outputs = context.outputs();
    // The checker makes route end a node whose outputs are its labels.
    if (outputs == nullptr)
      throw std::runtime_error("route must end the chain of a node with labeled outputs");
    const auto now = Clock::now();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      auto label = pick(messages[i], now);
      if (label == conditions_.size()) {
        context.filtered(messages[i]);
        continue;
      }
      outputs->push_back(static_cast<std::uint32_t>(label));
      if (kept != i) messages[kept] = std::move(messages[i]);
      ++kept;
    }
    messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(kept), messages.end());
  }

 private:
  /// The first label whose condition holds; conditions_.size() when none does.
  std::size_t pick(const Message& message, Clock::time_point now) const {
    for (std::size_t label = 0; label < conditions_.size(); ++label) {
      if (conditions_[label].expression->holds(message, now)) return label;
    }
    return conditions_.size();
  }

  std::vector<Condition> conditions_;
};

}  // namespace

void register_route(OperatorRegistry& registry) {
  OperatorSpec spec;
  spec.name = "route";
  spec.role = Role::Stage;
  spec.summary = "send each message by the first `label: condition` that holds (edges from NODE.label)";
  ArgumentSpec outputs;
  outputs.name = kOutputs;
  outputs.kind = ValueKind::Expression;
  outputs.positional = true;
  outputs.variadic = true;
  outputs.condition = true;
  spec.args = {outputs};
  spec.routes = true;
  spec.make = [](const OperatorCall& call) -> std::unique_ptr<Operator> {
    std::string problem;
    auto conditions = compile_conditions(call, &problem);
    if (!problem.empty()) throw std::invalid_argument(problem);
    return std::make_unique<Route>(std::move(conditions));
  };
  // Each condition is compiled and checked, with carets and the fields known
  // upstream, by the checker's pass over every expression (fields_check.cpp).
  spec.validate = [](const OperatorCall& call, std::string&) -> std::string {
    if (variadic_values(call, kOutputs).empty()) return "route needs at least one 'label: condition'";
    return "";
  };
  spec.plan = [](const OperatorCall&) {
    OperatorPlan plan;
    plan.cost = Operator::Cost::Cheap;
    return plan;
  };
  registry.add(std::move(spec));
}

}  // namespace flow
