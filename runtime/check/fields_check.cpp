#include "runtime/check/fields_check.hpp"

#include <fmt/format.h>

#include <string_view>
#include <utility>
#include <vector>

#include "flow/fields.hpp"
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

void check_expression(Reporter& reporter, const OperatorCall& call, const ArgumentSpec* argument,
                      const Expression& expression, SourceLocation at, const KnownFields* known) {
  std::vector<Diagnostic> diagnostics;
  auto compiled = compile_expression(expression.text, at, known, diagnostics);
  for (auto& diagnostic : diagnostics)
    reporter.error(diagnostic.location, diagnostic.width, diagnostic.message);
  if (compiled != nullptr && argument != nullptr && argument->condition && !compiled->is_condition()) {
    reporter.error(at, expression.text.size(),
                   fmt::format("{}() wants a condition such as 'status >= 500'; '{}' gives {}", call.name,
                               expression.text, describe(compiled->type())));
  }
}

// The names a call reads outside expressions (OperatorSpec::reads) that the
// fields known cannot hold: an error under each, as in an expression.
void check_reads(Reporter& reporter, const OperatorCall& call, const OperatorSpec& spec,
                 const std::map<std::string, ArgumentSite>& written, const KnownFields& known) {
  if (!spec.reads || !known.complete) return;
  std::vector<FieldRead> reads;
  // As with `fields`: a call the hook cannot read (a bad argument, reported already) reads nothing.
  try {
    reads = spec.reads(call);
  } catch (const std::exception&) {
    return;
  }
  for (const auto& read : reads) {
    if (known.types.count(read.name) != 0) continue;
    auto site = written.find(read.argument);
    auto [at, width] = site == written.end() ? std::pair{call.location, call.name.size()}
                                             : site->second.inside(read.offset, read.name.size());
    reporter.error(at, width, unknown_field_message(read.name, known));
  }
}

void check_call(Reporter& reporter, const OperatorCall& call, const OperatorSpec* spec,
                const std::map<std::string, ArgumentSite>& written, const KnownFields* known, bool rejected) {
  for (const auto& [key, site] : written) {
    auto value = call.args.find(key);
    if (value == call.args.end()) continue;
    const auto* expression = std::get_if<Expression>(&value->second);
    if (expression == nullptr) continue;
    check_expression(reporter, call, spec == nullptr ? nullptr : spec_of(*spec, key), *expression, site.at,
                     known);
  }
  if (spec != nullptr && known != nullptr && !rejected) check_reads(reporter, call, *spec, written, *known);
}

// Each field of `by(a, b)` and where it starts in that text, in order
// (read_partition read the same text into the node's partition_by).
std::vector<NameAt> key_fields(std::string_view text) {
  constexpr std::string_view kOpen = "by(";
  if (!text.starts_with(kOpen) || !text.ends_with(')')) return {};
  auto fields = split_field_names(text.substr(kOpen.size(), text.size() - kOpen.size() - 1));
  for (auto& field : fields) field.offset += kOpen.size();
  return fields;
}

// partition=by(usr) where `usr` cannot be there keys every message as "":
// one partition, the node serial.
void check_partition_fields(Reporter& reporter, const Node& node,
                            const std::optional<syntax::Literal>& written, const KnownFields& known) {
  if (!known.complete || node.kind == NodeKind::Source) return;
  std::vector<NameAt> fields;
  if (written) fields = key_fields(written->text);
  for (std::size_t i = 0; i < node.partition_by.size(); ++i) {
    const auto& name = node.partition_by[i];
    if (known.types.count(name) != 0) continue;
    SourceLocation at = written ? written->location : node.location;
    std::size_t width = written ? written->width : node.name.size();
    bool found = i < fields.size() && fields[i].name == name;
    if (found && written->text.find('\n') > fields[i].offset && at.known()) {
      at.column += fields[i].offset;
      at.offset += fields[i].offset;
      width = name.size();
    }
    reporter.error(at, width, unknown_field_message(name, known));
  }
}

}  // namespace

void apply_field_change(KnownFields& known, const OperatorRegistry& registry, const OperatorCall& call) {
  const auto* spec = registry.find(call.name);
  if (spec == nullptr || (!spec->fields && !spec->fields_given)) return;
  FieldChange change;
  // As a validator's: a call the function cannot read tells nothing of the fields.
  try {
    change = spec->fields_given ? spec->fields_given(call, known) : spec->fields(call);
  } catch (const std::exception&) {
    known.complete = false;
    return;
  }
  // count and aggregate make messages of their own: what came in is gone,
  // and what goes out is exactly their list, whatever came in.
  if (change.replaces) known = KnownFields{{}, true};
  for (const auto& name : change.removes) known.types.erase(name);
  if (change.sets_unknown) {
    // Any field may now hold what the input gave it: parse_json may replace a number with text.
    known.complete = false;
    for (auto& entry : known.types) entry.second = FieldType::Any;
  }
  for (const auto& [name, type] : change.sets) known.types.insert_or_assign(name, type);
}

KnownFields known_fields_at_start(const Pipeline& pipeline, const OperatorRegistry& registry, NodeId id) {
  return FieldsWalk(pipeline, registry).at_start(id);
}

void check_fields(Reporter& reporter, const Pipeline& pipeline, const OperatorRegistry& registry,
                  const FieldSites& sites, bool file_complete) {
  FieldsWalk walk(pipeline, registry);
  static const NodeSites none;
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    const auto& node = pipeline.nodes[id];
    auto found = sites.find(node.name);
    const auto& written = found == sites.end() ? none : found->second;
    KnownFields known = file_complete ? walk.at_start(id) : KnownFields{{}, false};
    if (!node.partition_by.empty()) check_partition_fields(reporter, node, written.partition, known);
    for (std::size_t index = 0; index < node.chain.size(); ++index) {
      const auto& call = node.chain[index];
      auto at = written.calls.find(index);
      if (at != written.calls.end())
        check_call(reporter, call, registry.find(call.name), at->second, &known,
                   written.rejected.count(index) != 0);
      apply_field_change(known, registry, call);
    }
  }
}

}  // namespace flow::checker
