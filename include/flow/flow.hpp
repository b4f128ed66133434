#pragma once
// flow as a library: the one header to include.
//
//   #include <flow/flow.hpp>
//
//   flow::OperatorRegistry registry = flow::builtin_operators();
//   registry.add(my_operator_spec());                  // your own operators
//   auto loaded = flow::load_file("pipeline.flow", registry);
//   if (!loaded.pipeline) { std::cerr << flow::render_all(*loaded.source, loaded.diagnostics); return 2; }
//   flow::RunMetrics metrics = flow::run(*loaded.pipeline, registry, {});
//   std::cout << flow::to_json(metrics);
//
// Errors: functions that can fail on their input (load, load_plugin,
// metrics_from_json, read_file, value_from_text, tune::parse_goal and
// tune::rewrite) report Diagnostics and never throw; a run reports its
// outcome in RunMetrics::status and error. See docs/library.md.
#include "flow/arguments.hpp"   // reading an operator's arguments in its factory
#include "flow/bottleneck.hpp"  // naming what holds a run back, from its metrics
#include "flow/bound.hpp"       // the most messages and bytes a pipeline can hold
#include "flow/clock.hpp"       // the run's clock, real or virtual
#include "flow/diagnostic.hpp"  // Diagnostic and its renderer
#include "flow/distributed.hpp"  // run_part, cut_status: one part of a pipeline on NATS JetStream
#include "flow/dot.hpp"         // Graphviz DOT of a pipeline, coloured by a run
#include "flow/load.hpp"        // .flow text → checked Pipeline
#include "flow/mermaid.hpp"     // Mermaid flowchart of a pipeline
#include "flow/message.hpp"     // Message, Chunk
#include "flow/metrics.hpp"     // RunMetrics
#include "flow/metrics_json.hpp"  // RunMetrics ↔ JSON
#include "flow/model.hpp"       // Pipeline, Node, Edge: plain data
#include "flow/operator.hpp"    // Operator, SourceOperator: what your operator implements
#include "flow/parts.hpp"       // parts and cut edges: a pipeline over several processes
#include "flow/payload.hpp"     // a message's bytes
#include "flow/plan.hpp"        // flow plan's text
#include "flow/planning.hpp"    // OperatorPlan: what an operator tells flow plan and the checks
#include "flow/plugin.hpp"      // operators from a shared library
#include "flow/predict.hpp"     // the planner's prediction
#include "flow/prometheus.hpp"  // RunMetrics as Prometheus text
#include "flow/read_file.hpp"   // an input file read whole, with a cap
#include "flow/registry.hpp"    // OperatorRegistry, OperatorSpec, builtin_operators
#include "flow/run.hpp"         // flow::run, RunOptions
#include "flow/tune.hpp"        // flow tune: goals, the search for the least capacities, the file rewritten
#include "flow/value.hpp"       // argument and attribute values
#include "flow/value_text.hpp"  // one value from text, as on a command line
#include "flow/version.hpp"     // FLOW_VERSION_*, flow::version()
