#pragma once
// `flow plan`: the resolved topology with every default shown, the bounds on
// what a run can hold, and the predicted rates and bottleneck.
#include <string>

#include "flow/model.hpp"
#include "flow/predict.hpp"
#include "flow/registry.hpp"

namespace flow {

/// The plan as text: a header with the pipeline's attributes, then four parts:
///   nodes:  every node with its kind, full operator chain and all attributes
///           (`part=` only when it has one);
///   edges:  every edge with capacity, overflow and max_bytes;
///   (only for a file with `part=`: each part with its nodes, then each cut
///   edge with the parts it joins and its settings);
///   bounds: the most messages and payload bytes alive at once (bound.hpp),
///           and max_in_flight when the file sets it;
///   rates:  each node's sustainable rate and predicted load, then one line
///           `bottleneck: NAME at R messages/s (why); end-to-end T messages/s at the sinks`
///           (or `bottleneck: none ...` when no operator limits the flow).
/// `registry`: the one the pipeline was loaded with; its operators' plans
/// give the rates and bounds, their argument specs the way calls are written.
std::string to_plan(const Pipeline& pipeline, const OperatorRegistry& registry);

/// The `bottleneck:` line of the plan, without a newline.
std::string bottleneck_line(const PlanPrediction& prediction);

}  // namespace flow
