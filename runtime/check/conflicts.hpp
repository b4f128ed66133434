#pragma once
// Checks that no two nodes share a stream they would corrupt.
#include "runtime/check/reporter.hpp"
#include "flow/model.hpp"

namespace flow::checker {

/// An error at the second `read("-")` (two readers would split standard
/// input's lines between them at random), and at the second `write(PATH)` of
/// one file (two writers would cut each other's lines). Paths are compared
/// after resolving `.`, `..` and symbolic links; character devices such as
/// /dev/null may be written by any number of sinks.
void check_conflicts(Reporter& reporter, const Pipeline& pipeline);

}  // namespace flow::checker
