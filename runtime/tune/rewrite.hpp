#pragma once
// `flow tune --write OUT.flow`: the file's own text with only the tuned values
// changed. Comments and layout are kept: an edge or node that already says
// `capacity=`/`workers=` gets that number replaced where it stands; one that
// does not gets the attribute added to its statement's `[...]` (or a new
// `[...]` after it). A chain statement whose edges now need different
// capacities, `a -> b -> c` with a->b 50 and b->c 1, is split into one
// statement per edge in its place, since an attribute on a chain applies to
// every edge of it.
#include <optional>
#include <string>
#include <vector>

#include "flow/source_location.hpp"
#include "flow/registry.hpp"
#include "runtime/tune/knobs.hpp"

namespace flow::tune {

/// The text of `file` with each knob set to its value in `setting`. Checks
/// the result: it must load, and give every knob exactly that value (else
/// nullopt and `error` says which did not).
std::optional<std::string> rewrite(const SourceFile& file, const OperatorRegistry& registry,
                                   const std::vector<Knob>& knobs, const Setting& setting,
                                   std::string& error);

}  // namespace flow::tune
