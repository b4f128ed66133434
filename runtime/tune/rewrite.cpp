#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "flow/diagnostic.hpp"
#include "flow/load.hpp"
#include "flow/tune.hpp"
#include "grammar/parser.hpp"
#include "runtime/tune/text_edits.hpp"

namespace flow::tune {
namespace {

/// (from, to) as the file writes them: from is `r.errors` for an edge from a
/// labeled output (route), as a knob's target and the syntax name it.
using EdgeKey = std::pair<std::string, std::string>;

/// What the written file must say.
struct Wanted {
  std::map<EdgeKey, std::uint64_t> capacity;     ///< every tuned edge's capacity
  std::set<EdgeKey> write;                       ///< those the text must be changed to give
  std::map<std::string, std::uint64_t> workers;  ///< node → workers, those to write
};

// The edges a chain statement declares, in the order the checker adds them.
std::vector<EdgeKey> edges_of(const syntax::EdgeChain& chain) {
  std::vector<EdgeKey> edges;
  for (std::size_t step = 0; step + 1 < chain.steps.size(); ++step) {
    for (const auto& from : chain.steps[step].nodes) {
      for (const auto& to : chain.steps[step + 1].nodes) edges.emplace_back(from.text, to.text);
    }
  }
  return edges;
}

// The blanks that start the line holding byte `at`.
std::string indentation_at(const std::string& text, std::size_t at) {
  auto line = text.rfind('\n', at == 0 ? 0 : at - 1);
  line = (line == std::string::npos || at == 0) ? 0 : line + 1;
  auto end = line;
  while (end < at && (text[end] == ' ' || text[end] == '\t')) ++end;
  return text.substr(line, end - line);
}

// The line break of the line holding byte `at`: a file with CRLF lines keeps them.
std::string line_break_at(const std::string& text, std::size_t at) {
  auto end = text.find('\n', at);
  return end != std::string::npos && end > 0 && text[end - 1] == '\r' ? "\r\n" : "\n";
}

// One statement per edge in place of the chain, each with the chain's
// attributes and its own capacity where it changes.
Edit split_chain(const std::string& text, const syntax::EdgeChain& chain, const Wanted& wanted) {
  std::string out;
  auto indent = indentation_at(text, chain.steps.front().span.begin);
  auto line_break = line_break_at(text, chain.steps.front().span.begin);
  for (const auto& edge : edges_of(chain)) {
    bool write = wanted.write.count(edge) != 0;
    auto capacity = write ? fmt::format("capacity={}", wanted.capacity.at(edge)) : std::string();
    std::vector<std::string> attributes;
    for (const auto& attribute : chain.attributes) {
      bool replace = write && attribute.key.text == "capacity";
      attributes.push_back(replace ? std::exchange(capacity, std::string())
                                   : attribute_text(text, attribute));
    }
    if (!capacity.empty()) attributes.push_back(capacity);
    if (!out.empty()) out += line_break + indent;
    out += fmt::format("{} -> {}", edge.first, edge.second);
    if (!attributes.empty()) out += fmt::format(" [{}]", fmt::join(attributes, ", "));
  }
  auto end = chain.attribute_list ? chain.attribute_list->end : chain.steps.back().span.end;
  return {chain.steps.front().span.begin, end, out};
}

void edit_chain(const std::string& text, const syntax::EdgeChain& chain, const Wanted& wanted,
                std::vector<Edit>& edits) {
  auto edges = edges_of(chain);
  bool changes =
      std::any_of(edges.begin(), edges.end(), [&](const EdgeKey& e) { return wanted.write.count(e) != 0; });
  if (!changes) return;
  // One value for every edge of the statement: the statement's own attribute says it.
  std::optional<std::uint64_t> common;
  bool uniform = true;
  for (const auto& edge : edges) {
    auto found = wanted.capacity.find(edge);
    if (found == wanted.capacity.end() || (common && *common != found->second)) uniform = false;
    if (found != wanted.capacity.end()) common = found->second;
  }
  if (uniform && common) {
    edits.push_back(set_attribute(chain.attributes, chain.attribute_list, chain.steps.back().span.end,
                                  "capacity", fmt::format("{}", *common)));
  } else {
    edits.push_back(split_chain(text, chain, wanted));
  }
}

std::vector<Edit> edits_for(const std::string& text, const syntax::File& file, const Wanted& wanted) {
  std::vector<Edit> edits;
  for (const auto& statement : file.statements) {
    if (const auto* chain = std::get_if<syntax::EdgeChain>(&statement))
      edit_chain(text, *chain, wanted, edits);
    if (const auto* node = std::get_if<syntax::NodeDecl>(&statement)) {
      auto found = wanted.workers.find(node->name.text);
      if (found == wanted.workers.end()) continue;
      edits.push_back(set_attribute(node->attributes, node->attribute_list, node->chain_end, "workers",
                                    fmt::format("{}", found->second)));
    }
  }
  return edits;
}

std::optional<EdgeId> find_edge(const Pipeline& pipeline, const EdgeKey& key) {
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) {
    const auto& edge = pipeline.edges[id];
    const auto& from = pipeline.nodes[edge.from].name;
    auto leaves = edge.output.empty() ? from : fmt::format("{}.{}", from, edge.output);
    if (leaves == key.first && pipeline.nodes[edge.to].name == key.second) return id;
  }
  return std::nullopt;
}

/// The value a pipeline gives a knob, or nullopt when it has no such edge or node.
std::optional<std::uint64_t> value_in(const Pipeline& pipeline, const Knob& knob, const EdgeKey& edge) {
  if (knob.kind == Knob::Kind::Workers) {
    auto id = pipeline.find_node(knob.target);
    return id ? std::optional<std::uint64_t>(pipeline.nodes[*id].workers) : std::nullopt;
  }
  auto id = find_edge(pipeline, edge);
  return id ? pipeline.edges[*id].capacity : std::nullopt;
}

Rewritten failed(std::string message) {
  return Rewritten{std::nullopt, {Diagnostic{Severity::Error, SourceLocation{}, std::move(message), 0}}};
}

// The rewritten text's first error, on one line: the caller has no copy of
// that text to draw a caret in, so the place is said in the message.
std::string first_error(const SourceFile& file, const std::vector<Diagnostic>& diagnostics) {
  for (const auto& diagnostic : diagnostics) {
    if (diagnostic.severity != Severity::Error) continue;
    if (!diagnostic.location.known()) return diagnostic.message;
    return fmt::format("{}:{}:{}: {}", file.name, diagnostic.location.line, diagnostic.location.column,
                       diagnostic.message);
  }
  return "no pipeline";
}

}  // namespace

Rewritten rewrite(const SourceFile& file, const OperatorRegistry& registry, const std::vector<Knob>& knobs,
                  const Setting& setting) {
  auto original = load(std::make_shared<SourceFile>(file), registry);
  if (!original.pipeline) return Rewritten{std::nullopt, std::move(original.diagnostics)};
  const Pipeline& as_written = *original.pipeline;
  std::vector<EdgeKey> keys;
  for (const auto& knob : knobs) {
    auto split = knob.target.find("->");
    keys.emplace_back(knob.target.substr(0, split),
                      split == std::string::npos ? "" : knob.target.substr(split + 2));
  }
  auto parsed = parse(file);
  // A knob is written where the file gives it another value. Should a change
  // move a value the file left to a default (workers past 128 raise the
  // default capacity of their input), the next round writes that one too.
  std::set<std::size_t> forced;
  for (int round = 1;; ++round) {
    Wanted wanted;
    for (std::size_t k = 0; k < knobs.size(); ++k) {
      bool write = forced.count(k) != 0 || value_in(as_written, knobs[k], keys[k]) != setting[k];
      if (knobs[k].kind == Knob::Kind::Workers) {
        if (write) wanted.workers[knobs[k].target] = setting[k];
        continue;
      }
      wanted.capacity[keys[k]] = setting[k];
      if (write) wanted.write.insert(keys[k]);
    }
    auto text = apply_edits(file.text, edits_for(file.text, parsed.file, wanted));
    auto rewritten = std::make_shared<SourceFile>(SourceFile{file.name, text});
    auto written = load(rewritten, registry);
    if (!written.pipeline) {
      return failed("the rewritten file does not check: " + first_error(*rewritten, written.diagnostics));
    }
    std::vector<std::size_t> wrong;
    for (std::size_t k = 0; k < knobs.size(); ++k) {
      if (value_in(*written.pipeline, knobs[k], keys[k]) != setting[k]) wrong.push_back(k);
    }
    if (wrong.empty()) return Rewritten{std::move(text), {}};
    forced.insert(wrong.begin(), wrong.end());
    if (round == 3) {
      return failed(fmt::format("the rewritten file does not give {} the value {}",
                                knobs[wrong.front()].label, setting[wrong.front()]));
    }
  }
}

}  // namespace flow::tune
