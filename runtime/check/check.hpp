#pragma once
// Syntax tree → checked graph model. Resolves names, applies defaults (DOT
// semantics: a defaults statement applies to what is declared after it), types
// every attribute and operator argument, and checks the topology.
#include <optional>
#include <string>
#include <vector>

#include "grammar/syntax_tree.hpp"
#include "runtime/model/diagnostic.hpp"
#include "runtime/model/model.hpp"
#include "runtime/ops/registry.hpp"

namespace flow {

/// `--set NODE.KEY=VALUE`: a node attribute, or an argument of the first operator
/// in the node's chain that has one called KEY.
struct Override {
  std::string node;
  std::string key;
  std::string value;  ///< as typed, parsed with the language's value syntax
};

struct CheckResult {
  std::optional<Pipeline> pipeline;     ///< set when there is no error (warnings allowed)
  std::vector<Diagnostic> diagnostics;  ///< every error and warning found, in source order
};

/// Checks a parsed file. Reports every error it can, not only the first.
CheckResult check(std::shared_ptr<const SourceFile> source, const syntax::File& file,
                  const OperatorRegistry& registry, const std::vector<Override>& overrides = {});

/// Parse + check in one go (what every command does).
CheckResult load(std::shared_ptr<const SourceFile> source, const OperatorRegistry& registry,
                 const std::vector<Override>& overrides = {});

}  // namespace flow
