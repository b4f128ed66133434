#pragma once
// From .flow text to a checked pipeline: parse, resolve, type and check,
// with every problem found reported as a Diagnostic (rendered by render()).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flow/diagnostic.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow {

/// `--set NODE.KEY=VALUE`: a node attribute, or an argument of the first
/// operator in the node's chain that has one called KEY; `pipeline.KEY` for a
/// pipeline attribute; `FROM->TO.KEY` (in `node`) for an edge attribute.
struct Override {
  std::string node;
  std::string key;
  std::string value;  ///< as typed, parsed with the language's value syntax
};

struct CheckResult {
  std::optional<Pipeline> pipeline;     ///< set when there is no error (warnings allowed)
  std::vector<Diagnostic> diagnostics;  ///< every error and warning found, in source order
  std::shared_ptr<const SourceFile> source;  ///< what they point into (render_all); null when unread
};

/// Parses and checks `source` against the operators of `registry`. Reports
/// every error it can, not only the first; never throws for bad input.
CheckResult load(std::shared_ptr<const SourceFile> source, const OperatorRegistry& registry,
                 const std::vector<Override>& overrides = {});

/// load() of `text`, named `name` in diagnostics (e.g. "inline.flow").
CheckResult load_string(const std::string& name, std::string text, const OperatorRegistry& registry,
                        const std::vector<Override>& overrides = {});

/// load() of the file at `path`, read by read_file (flow/read_file.hpp). A
/// file that cannot be read (missing, unreadable, over max_flow_file_bytes,
/// 16 MiB) gives one diagnostic without a location.
CheckResult load_file(const std::string& path, const OperatorRegistry& registry,
                      const std::vector<Override>& overrides = {});

}  // namespace flow
