#pragma once
// What read(follow=true) needs of the pipeline: the real clock, and where its
// checkpoints go when the pipeline has a state directory.
#include "flow/model.hpp"
#include "runtime/check/reporter.hpp"

namespace flow::checker {

/// Refuses read(follow=true) under clock=virtual (a followed file grows in
/// real time: the simulated clock would stand still while it waits), and
/// hands each followed read its checkpoint file in the pipeline's `state`
/// directory (DIR/NODE.follow.json), as its internal argument `state`. With
/// a state directory, write() appends (its internal argument `append`): a
/// restart must not empty what the run before it delivered.
void check_follow(Reporter& reporter, Pipeline& pipeline);

}  // namespace flow::checker
