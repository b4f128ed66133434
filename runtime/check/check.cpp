#include "runtime/check/check.hpp"
#include "flow/read_file.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <type_traits>

#include "grammar/parser.hpp"
#include "runtime/check/attributes.hpp"
#include "runtime/check/clock_notes.hpp"
#include "runtime/check/conflicts.hpp"
#include "runtime/check/dead_letters.hpp"
#include "runtime/check/fields_check.hpp"
#include "runtime/check/follow_check.hpp"
#include "runtime/check/limits.hpp"
#include "runtime/check/ordering.hpp"
#include "runtime/check/overrides.hpp"
#include "runtime/check/reporter.hpp"
#include "runtime/check/resolve_edges.hpp"
#include "runtime/check/resolve_nodes.hpp"
#include "runtime/check/topology.hpp"

namespace flow {
namespace {

using checker::EdgeSettings;
using checker::PendingChain;
using checker::Reporter;
using Target = syntax::Defaults::Target;

std::string default_name(const SourceFile& source) {
  // A program without a file (`flow run -` names it "<stdin>") is named
  // without the brackets, which a summary or a JetStream name would carry.
  const auto& name = source.name;
  if (name.size() > 2 && name.front() == '<' && name.back() == '>') return name.substr(1, name.size() - 2);
  auto stem = std::filesystem::path(source.name).stem().string();
  return stem.empty() ? std::string("pipeline") : stem;
}

// The pipeline's name is part of every JetStream name of its cut edges: the
// streams flow-NAME-FROM-TO and the bucket flow-NAME, where NATS allows only
// letters, digits, '-' and '_'. A `pipeline` line's name is always such a
// word; one taken from the file's name may not be (my.pipe.flow, café.flow).
// A file without parts never meets NATS, so only a file with parts is held to it.
void check_nats_name(Reporter& reporter, const Pipeline& pipeline) {
  bool has_parts = std::any_of(pipeline.nodes.begin(), pipeline.nodes.end(),
                               [](const Node& node) { return !node.part.empty(); });
  bool fits = std::all_of(pipeline.name.begin(), pipeline.name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  if (!has_parts || fits) return;
  reporter.error(
      SourceLocation{}, 0,
      fmt::format("the pipeline is named '{}' after its file, and a pipeline with parts needs a name "
                  "NATS accepts (letters, digits, '-' and '_'): add a first line `pipeline NAME`, or "
                  "rename the file",
                  pipeline.name));
}

// Walks the statements in order: DOT semantics make a defaults statement apply
// only to what comes after it, so defaults are a running state of the walk.
class StatementWalker {
 public:
  StatementWalker(Reporter& reporter, const OperatorRegistry& registry, Pipeline& pipeline)
      : reporter_(reporter), registry_(registry), pipeline_(pipeline) {}

  void walk(const syntax::File& file) {
    for (std::size_t index = 0; index < file.statements.size(); ++index) {
      std::visit([&](const auto& statement) { visit(statement, index); }, file.statements[index]);
    }
  }

  std::vector<PendingChain> take_chains() { return std::move(chains_); }
  checker::Routes& routes() { return routes_; }
  const checker::FieldSites& sites() const { return sites_; }
  const std::map<std::string, checker::OrderingSyntax>& ordering() const { return ordering_; }

 private:
  void visit(const syntax::Header& header, std::size_t index) {
    if (header_line_ != 0) {
      reporter_.error(
          header.name.location, header.name.text.size(),
          fmt::format("only one pipeline header is allowed; the first is on line {}", header_line_));
      return;
    }
    header_line_ = header.name.location.line;
    if (index != 0) {
      reporter_.error(header.name.location, header.name.text.size(),
                      "the pipeline header must come before every other statement");
    }
    pipeline_.name = header.name.text;
    checker::apply_attributes(reporter_, "pipeline attribute", checker::pipeline_attribute_names(),
                              header.attributes, [this](const std::string& key, const Value& value) {
                                return checker::set_pipeline_attribute(pipeline_, key, value);
                              });
  }

  void visit(const syntax::Defaults& defaults, std::size_t /*index*/) {
    std::vector<syntax::Attribute> valid;
    if (defaults.target == Target::Edge) {
      EdgeSettings scratch;
      valid = checker::apply_attributes(reporter_, "edge attribute", checker::edge_attribute_names(),
                                        defaults.attributes,
                                        [&scratch](const std::string& key, const Value& value) {
                                          return checker::set_edge_attribute(scratch, key, value);
                                        });
    } else {
      Node scratch;
      valid = checker::apply_attributes(reporter_, "node attribute", checker::node_attribute_names(),
                                        defaults.attributes,
                                        [&scratch](const std::string& key, const Value& value) {
                                          return checker::set_node_attribute(scratch, key, value);
                                        });
    }
    // A later default overrides an earlier one key by key.
    for (auto& attribute : valid) defaults_[defaults.target][attribute.key.text] = std::move(attribute);
  }

  void visit(const syntax::NodeDecl& decl, std::size_t /*index*/) {
    checker::NodeRoutes routes;
    auto node = checker::resolve_node(reporter_, registry_, decl, defaults_for(target_of(decl.kind)), &routes,
                                      &sites_[decl.name.text]);
    auto [first, fresh] = declared_on_.emplace(decl.name.text, decl.name.location.line);
    if (!fresh) {
      reporter_.error(decl.name.location, decl.name.text.size(),
                      fmt::format("node '{}' is already declared on line {}", decl.name.text, first->second));
      return;
    }
    ordering_[decl.name.text] = ordering_of(decl);
    if (routes.errors || routes.expired) routes_.nodes.emplace(decl.name.text, std::move(routes));
    pipeline_.nodes.push_back(std::move(node));
  }

  // Where `workers` was written for the node (its own attribute wins over a
  // default, as in resolve_node), and whether `ordered` was.
  checker::OrderingSyntax ordering_of(const syntax::NodeDecl& decl) const {
    checker::OrderingSyntax ordering;
    auto note = [&ordering](const syntax::Attribute& attribute) {
      if (attribute.key.text == "ordered") ordering.ordered_written = true;
      if (attribute.key.text != "workers") return;
      ordering.workers_at = attribute.key.location;
      ordering.workers_width =
          attribute.value.location.offset + attribute.value.width - attribute.key.location.offset;
    };
    for (const auto& attribute : defaults_for(target_of(decl.kind))) note(attribute);
    for (const auto& attribute : decl.attributes) note(attribute);
    return ordering;
  }

  void visit(const syntax::EdgeChain& chain, std::size_t /*index*/) {
    PendingChain pending{&chain, {}};
    auto defaults = defaults_for(Target::Edge);
    for (const auto& attribute : defaults) {
      checker::set_edge_attribute(pending.settings, attribute.key.text, attribute.value.value);
    }
    auto applied =
        checker::apply_attributes(reporter_, "edge attribute", checker::edge_attribute_names(),
                                  chain.attributes, [&pending](const std::string& key, const Value& value) {
                                    return checker::set_edge_attribute(pending.settings, key, value);
                                  });
    checker::locate_routes(pending.settings, defaults);
    checker::locate_routes(pending.settings, applied);
    chains_.push_back(pending);
  }

  static Target target_of(NodeKind kind) {
    switch (kind) {
      case NodeKind::Source:
        return Target::Source;
      case NodeKind::Sink:
        return Target::Sink;
      case NodeKind::Stage:
        break;
    }
    return Target::Stage;
  }

  std::vector<syntax::Attribute> defaults_for(Target target) const {
    std::vector<syntax::Attribute> attributes;
    auto found = defaults_.find(target);
    if (found == defaults_.end()) return attributes;
    for (const auto& entry : found->second) attributes.push_back(entry.second);
    return attributes;
  }

  Reporter& reporter_;
  const OperatorRegistry& registry_;
  Pipeline& pipeline_;
  std::size_t header_line_ = 0;
  std::map<Target, std::map<std::string, syntax::Attribute>> defaults_;
  std::map<std::string, std::size_t> declared_on_;  ///< node name → line of its declaration
  std::vector<PendingChain> chains_;
  checker::Routes routes_;     ///< dead-letter routes as written, resolved once every edge is known
  checker::FieldSites sites_;  ///< where each node's arguments and partition= were written
  std::map<std::string, checker::OrderingSyntax>
      ordering_;  ///< node name → its workers and ordered as written
};

// `file_complete` is false when the parser dropped statements: then a name may
// be unknown, or a node unconnected, only because its statement did not parse,
// so the checks across statements are skipped.
CheckResult check_file(std::shared_ptr<const SourceFile> source, const syntax::File& file,
                       const OperatorRegistry& registry, const std::vector<Override>& overrides,
                       bool file_complete) {
  Reporter reporter;
  Pipeline pipeline;
  pipeline.file = source;
  pipeline.name = default_name(*source);
  StatementWalker walker(reporter, registry, pipeline);
  walker.walk(file);
  checker::apply_overrides(reporter, registry, pipeline, overrides, walker.routes());
  checker::derive_seeds(pipeline);
  checker::resolve_edges(reporter, pipeline, walker.take_chains(), file_complete, walker.routes());
  checker::apply_edge_overrides(reporter, pipeline, overrides, walker.routes());
  if (file_complete) checker::resolve_dead_letters(reporter, pipeline, walker.routes());
  if (file_complete) checker::check_topology(reporter, pipeline);
  checker::check_fields(reporter, pipeline, registry, walker.sites(), file_complete);
  checker::check_limits(reporter, pipeline, registry);
  checker::note_virtual_clock(reporter, pipeline, registry);
  checker::check_follow(reporter, pipeline);
  checker::check_conflicts(reporter, pipeline, registry);
  if (file_complete) checker::warn_reordering(reporter, pipeline, walker.ordering());
  check_nats_name(reporter, pipeline);

  CheckResult result;
  result.source = std::move(source);
  result.diagnostics = reporter.take();
  if (file_complete && !has_errors(result.diagnostics)) result.pipeline = std::move(pipeline);
  return result;
}

}  // namespace

CheckResult check(std::shared_ptr<const SourceFile> source, const syntax::File& file,
                  const OperatorRegistry& registry, const std::vector<Override>& overrides) {
  return check_file(std::move(source), file, registry, overrides, true);
}

CheckResult load(std::shared_ptr<const SourceFile> source, const OperatorRegistry& registry,
                 const std::vector<Override>& overrides) {
  auto parsed = parse(*source);
  bool complete = !has_errors(parsed.diagnostics);
  auto result = check_file(std::move(source), parsed.file, registry, overrides, complete);
  // Merge keeping source order; syntax errors first where two share a place.
  Reporter merged;
  for (auto& diagnostic : parsed.diagnostics) {
    if (diagnostic.severity == Severity::Error)
      merged.error(diagnostic.location, diagnostic.width, diagnostic.message);
    else
      merged.warning(diagnostic.location, diagnostic.width, diagnostic.message);
  }
  for (auto& diagnostic : result.diagnostics) {
    if (diagnostic.severity == Severity::Error)
      merged.error(diagnostic.location, diagnostic.width, diagnostic.message);
    else
      merged.warning(diagnostic.location, diagnostic.width, diagnostic.message);
  }
  result.diagnostics = merged.take();
  return result;
}

CheckResult load_string(const std::string& name, std::string text, const OperatorRegistry& registry,
                        const std::vector<Override>& overrides) {
  return load(std::make_shared<SourceFile>(SourceFile{name, std::move(text)}), registry, overrides);
}

CheckResult load_file(const std::string& path, const OperatorRegistry& registry,
                      const std::vector<Override>& overrides) {
  auto read = read_file(path, max_flow_file_bytes, "a .flow file");
  if (!read.text) return CheckResult{std::nullopt, std::move(read.diagnostics), nullptr};
  return load_string(path, std::move(*read.text), registry, overrides);
}

}  // namespace flow
