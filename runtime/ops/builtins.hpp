#pragma once
// Internal to runtime/ops: the factories of the built-in operators (one .cpp
// per family). They read their arguments with flow/arguments.hpp, as a user's
// operator does.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

#include "flow/arguments.hpp"
#include "flow/model.hpp"
#include "flow/operator.hpp"
#include "flow/planning.hpp"

namespace flow::ops {

using flow::optional_arg;
using flow::optional_decimal;
using flow::required_arg;

/// "" when `pattern` compiles as an RE2 regex, else RE2's error message.
std::string regex_error(const std::string& pattern);
/// "" when `rewrite` is a valid replacement for `pattern`, else why not.
std::string rewrite_error(const std::string& pattern, const std::string& rewrite);

// sources.cpp
std::unique_ptr<SourceOperator> make_generate(const OperatorCall& call);
// read.cpp
std::unique_ptr<SourceOperator> make_read(const OperatorCall& call);

// timing.cpp
std::unique_ptr<Operator> make_delay(const OperatorCall& call);
std::unique_ptr<Operator> make_spin(const OperatorCall& call);
std::unique_ptr<Operator> make_throttle(const OperatorCall& call);

// batching.cpp
std::unique_ptr<Operator> make_batch(const OperatorCall& call);
std::unique_ptr<Operator> make_unbatch(const OperatorCall& call);

// text.cpp
std::unique_ptr<Operator> make_grep(const OperatorCall& call);
std::unique_ptr<Operator> make_replace(const OperatorCall& call);
std::unique_ptr<Operator> make_upper(const OperatorCall& call);
std::unique_ptr<Operator> make_lower(const OperatorCall& call);
std::unique_ptr<Operator> make_prefix(const OperatorCall& call);
std::unique_ptr<Operator> make_sample(const OperatorCall& call);

// sinks.cpp
std::unique_ptr<Operator> make_discard(const OperatorCall& call);
std::unique_ptr<Operator> make_stdout(const OperatorCall& call);
std::unique_ptr<Operator> make_write(const OperatorCall& call);
/// write() in a part (flow run --part): appends, and refuses a file another process writes.
std::unique_ptr<Operator> make_part_write(const OperatorCall& call);

// plans.cpp: what each built-in tells the planner (flow/planning.hpp)
/// grep, upper, lower, discard, stdout: cheap, with no effect the planner counts.
OperatorPlan plan_cheap(const OperatorCall& call);
OperatorPlan plan_generate(const OperatorCall& call);
OperatorPlan plan_read(const OperatorCall& call);
OperatorPlan plan_delay(const OperatorCall& call);
OperatorPlan plan_spin(const OperatorCall& call);
OperatorPlan plan_throttle(const OperatorCall& call);
OperatorPlan plan_batch(const OperatorCall& call);
OperatorPlan plan_unbatch(const OperatorCall& call);
OperatorPlan plan_replace(const OperatorCall& call);
OperatorPlan plan_prefix(const OperatorCall& call);
OperatorPlan plan_sample(const OperatorCall& call);
OperatorPlan plan_write(const OperatorCall& call);

}  // namespace flow::ops
