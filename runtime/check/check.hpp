#pragma once
// Syntax tree → checked graph model. Resolves names, applies defaults (DOT
// semantics: a defaults statement applies to what is declared after it), types
// every attribute and operator argument, and checks the topology.
#include <optional>
#include <string>
#include <vector>

#include "grammar/syntax_tree.hpp"
#include "flow/diagnostic.hpp"
#include "flow/load.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow {

/// Checks a parsed file. Reports every error it can, not only the first.
CheckResult check(std::shared_ptr<const SourceFile> source, const syntax::File& file,
                  const OperatorRegistry& registry, const std::vector<Override>& overrides = {});


}  // namespace flow
