// route(errors: status >= 500, slow: ms > 1000, rest: true): picks, for each
// message, the first label whose condition holds; the node's runtime sends
// it on the edges that leave by that label (docs/routing.md). A message no
// condition takes is counted filtered, as Vector's route drops what matches
// no route (to `_unmatched`).
#include <fmt/format.h>

#include <algorithm>
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
    if (std::any_of(messages.begin(), messages.end(), [](const Message& m) { return m.is_batch(); })) {
      route_batches(messages, *outputs, context, now);
      return;
    }
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

  // A batch has no fields of its own: each member is routed by its own, and
  // the members of one label leave together as one batch, in their order
  // (as where() and parse() work member by member). One batch in gives at
  // most one message per output, so the room the node reserved per message
  // on each output still holds.
  void route_batches(Chunk& messages, std::vector<std::uint32_t>& outputs, OperatorContext& context,
                     Clock::time_point now) const {
    Chunk routed;
    routed.reserve(messages.size());
    std::vector<Chunk> by_label(conditions_.size());
    for (auto& message : messages) {
      if (!message.is_batch()) {
        if (auto label = pick(message, now); label == conditions_.size()) {
          context.filtered(message);
        } else {
          outputs.push_back(static_cast<std::uint32_t>(label));
          routed.push_back(std::move(message));
        }
        continue;
      }
      split_batch(message, by_label, context, now);
      for (std::size_t label = 0; label < by_label.size(); ++label) {
        if (by_label[label].empty()) continue;
        outputs.push_back(static_cast<std::uint32_t>(label));
        routed.push_back(batch_of(std::move(by_label[label]), message.dead_letter != 0));
        by_label[label].clear();
      }
    }
    messages = std::move(routed);
  }

  void split_batch(Message& batch, std::vector<Chunk>& by_label, OperatorContext& context,
                   Clock::time_point now) const {
    for (auto& member : batch.members) {
      auto label = pick(member, now);
      if (label == conditions_.size()) {
        context.filtered(member);
      } else {
        by_label[label].push_back(std::move(member));
      }
    }
  }

  /// A batch of `members`, stamped as batch() stamps one: its first member's source and time.
  static Message batch_of(Chunk members, bool dead_letter) {
    Message batch;
    batch.source = members.front().source;
    batch.created = members.front().created;
    batch.dead_letter = dead_letter ? 1 : 0;
    batch.members = std::move(members);
    return batch;
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
