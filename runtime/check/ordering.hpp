#pragma once
// The warning for lines a multi-worker node may reorder on their way to a
// file or standard output.
#include <map>
#include <string>

#include "flow/model.hpp"
#include "runtime/check/reporter.hpp"

namespace flow::checker {

/// What the file wrote of a node's `workers` and `ordered` (on the node or in
/// a defaults statement): the model keeps only their values.
struct OrderingSyntax {
  SourceLocation workers_at;  ///< of `workers=N`; unknown when --set gave it
  std::size_t workers_width = 1;
  bool ordered_written = false;  ///< `ordered=` given: an explicit false is a choice, not an oversight
};

/// Warns at the `workers` of each node (not a sink) with more than one worker,
/// `ordered` not written, from which a path leads to a `write` or `stdout`
/// sink: its workers finish in any order, so the lines of the output can come
/// in another order than the input's.
void warn_reordering(Reporter& reporter, const Pipeline& pipeline,
                     const std::map<std::string, OrderingSyntax>& syntax);

}  // namespace flow::checker
