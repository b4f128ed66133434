#include "runtime/check/fields_check.hpp"

#include <fmt/format.h>

#include <vector>

#include "runtime/check/arguments.hpp"

namespace flow::checker {
namespace {

enum class Visit { New, Visiting, Done };

class FieldsWalk {
 public:
  FieldsWalk(const Pipeline& pipeline, const OperatorRegistry& registry)
      : pipeline_(pipeline),
        registry_(registry),
        visits_(pipeline.nodes.size(), Visit::New),
        ends_(pipeline.nodes.size()) {}

  KnownFields at_start(NodeId id) {
    KnownFields merged;
    if (pipeline_.nodes[id].kind == NodeKind::Source) return merged;
    bool fed = false;
    for (const auto& edge : pipeline_.edges) {
      if (edge.to != id) continue;
      if (edge.dead_letter) return KnownFields{{}, false};
      auto upstream = at_end(edge.from);
      if (fed) {
        merge(merged, upstream);
      } else {
        merged = std::move(upstream);
      }
      fed = true;
    }
    if (!fed) merged.complete = false;
    return merged;
  }

 private:
  KnownFields at_end(NodeId id) {
    if (visits_[id] == Visit::Done) return ends_[id];
    // A cycle (reported by the topology check) tells nothing.
    if (visits_[id] == Visit::Visiting) return KnownFields{{}, false};
    visits_[id] = Visit::Visiting;
    auto known = at_start(id);
    for (const auto& call : pipeline_.nodes[id].chain) apply_field_change(known, registry_, call);
    visits_[id] = Visit::Done;
    ends_[id] = known;
    return known;
  }

  // Two inputs: a name either carries is known (a message of the other
  // simply lacks it); a name typed differently on each is of any type.
  static void merge(KnownFields& into, const KnownFields& other) {
    into.complete = into.complete && other.complete;
    for (const auto& [name, type] : other.types) {
      auto [found, fresh] = into.types.emplace(name, type);
      if (!fresh && found->second != type) found->second = FieldType::Any;
    }
  }

  const Pipeline& pipeline_;
  const OperatorRegistry& registry_;
  std::vector<Visit> visits_;
  std::vector<KnownFields> ends_;
};

// The spec of argument `key`; a variadic one's values are keyed "name.N".
const ArgumentSpec* spec_of(const OperatorSpec& spec, const std::string& key) {
  if (const auto* found = find_argument(spec, key)) return found;
  auto dot = key.rfind('.');
  return dot == std::string::npos ? nullptr : find_argument(spec, key.substr(0, dot));
}

const char* describe(FieldType type) {
  switch (type) {
    case FieldType::Text:
      return "text";
    case FieldType::Integer:
      return "an integer";
    case FieldType::Decimal:
      return "a decimal";
    case FieldType::Any:
      break;
  }
  return "a value";
}

void check_call(Reporter& reporter, const OperatorCall& call, const OperatorSpec* spec,
                const std::map<std::string, SourceLocation>& written, const KnownFields* known) {
  for (const auto& [key, at] : written) {
    auto value = call.args.find(key);
    if (value == call.args.end()) continue;
    const auto* expression = std::get_if<Expression>(&value->second);
    if (expression == nullptr) continue;
    std::vector<Diagnostic> diagnostics;
    auto compiled = compile_expression(expression->text, at, known, diagnostics);
    for (auto& diagnostic : diagnostics)
      reporter.error(diagnostic.location, diagnostic.width, diagnostic.message);
    const auto* argument = spec == nullptr ? nullptr : spec_of(*spec, key);
    if (compiled != nullptr && argument != nullptr && argument->condition && !compiled->is_condition()) {
      reporter.error(at, expression->text.size(),
                     fmt::format("{}() wants a condition such as 'status >= 500'; '{}' gives {}", call.name,
                                 expression->text, describe(compiled->type())));
    }
  }
}

}  // namespace

void apply_field_change(KnownFields& known, const OperatorRegistry& registry, const OperatorCall& call) {
  const auto* spec = registry.find(call.name);
  if (spec == nullptr || !spec->fields) return;
  FieldChange change;
  // As a validator's: a call the function cannot read tells nothing of the fields.
  try {
    change = spec->fields(call);
  } catch (const std::exception&) {
    known.complete = false;
    return;
  }
  for (const auto& name : change.removes) known.types.erase(name);
  for (const auto& [name, type] : change.sets) known.types.insert_or_assign(name, type);
  if (change.sets_unknown) known.complete = false;
}

KnownFields known_fields_at_start(const Pipeline& pipeline, const OperatorRegistry& registry, NodeId id) {
  return FieldsWalk(pipeline, registry).at_start(id);
}

void check_expressions(Reporter& reporter, const Pipeline& pipeline, const OperatorRegistry& registry,
                       const ExpressionSites& sites, bool file_complete) {
  FieldsWalk walk(pipeline, registry);
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    const auto& node = pipeline.nodes[id];
    auto found = sites.find(node.name);
    if (found == sites.end() || found->second.empty()) continue;
    KnownFields known = file_complete ? walk.at_start(id) : KnownFields{{}, false};
    for (std::size_t index = 0; index < node.chain.size(); ++index) {
      const auto& call = node.chain[index];
      auto written = found->second.find(index);
      if (written != found->second.end())
        check_call(reporter, call, registry.find(call.name), written->second, &known);
      apply_field_change(known, registry, call);
    }
  }
}

}  // namespace flow::checker
