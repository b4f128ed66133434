#pragma once
// Checks that no two nodes share a stream they would corrupt.
#include "runtime/check/reporter.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow::checker {

/// An error at the second reader of one outside input such as `read("-")`
/// (two readers would split standard input's lines between them at random),
/// and at the second writer of one file such as `write(PATH)` (two writers
/// would cut each other's lines), and at a `write(PATH)` of the file a
/// `read()` reads (it would empty it before a line is read); what an operator
/// reads and writes comes from its plan in `registry`, a file read from
/// read()'s path. Paths are compared after resolving `.`, `..` and symbolic
/// links, and a read and a write also by device and inode (a hard link);
/// character devices such as /dev/null may be written by any number of sinks.
void check_conflicts(Reporter& reporter, const Pipeline& pipeline, const OperatorRegistry& registry);

}  // namespace flow::checker
