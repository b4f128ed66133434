#pragma once
// What an operator tells the planner about itself. `flow plan`'s rates and
// bottleneck, its bound on what a run holds, and the checks that depend on
// what an operator does (a batch that can never fill, standard input under the
// virtual clock, two writers of one file) read this description, never the
// operator's name: an operator of your own that fills it in is planned exactly
// like a built-in. Plain data, computed from a resolved call by
// OperatorSpec::plan (registry.hpp).
#include <cstdint>
#include <optional>
#include <string>

#include "flow/operator.hpp"

namespace flow {

/// Messages an operator keeps from one call to the next until enough have
/// come (batch). The bound counts what it holds; the checker warns when an
/// explicit max_in_flight stops the sources before it ever lets go.
struct HoldBack {
  /// It lets them go once it holds this many (batch: max), so it holds up to release_at − 1.
  std::uint64_t release_at = 1;
  bool deadline = false;          ///< it also lets them go after a time (batch: `within` is given)
  std::string count_argument;     ///< the argument that sets release_at ("max"), named in warnings
  std::string deadline_argument;  ///< the argument that would set a deadline ("within"); "" when it has none
};

/// What an operator does to the size of each payload, for the payload bound.
enum class PayloadChange {
  Keeps,    ///< leaves it as it came (grep, upper, a sink)
  Sets,     ///< makes it OperatorPlan::payload_bytes (generate's size)
  Adds,     ///< makes it OperatorPlan::payload_bytes longer (prefix)
  Unknown,  ///< makes it a size the file does not tell (read, replace): the payload bound is not derivable
};

/// The planner's description of one operator call. Every member's default is
/// "has no such effect"; a message is what the operator takes (after `batch`,
/// a whole batch), and the planner counts the members.
struct OperatorPlan {
  /// A worker's time per message (delay, spin: the duration, or a
  /// distribution's mean). The node sustains workers / this.
  std::optional<double> seconds_per_message;
  /// At most this many messages per second, all the node's workers together:
  /// a stage's cap (throttle's rate), a source's own pace (generate's rate,
  /// or burst / every).
  std::optional<double> rate_limit_per_s;
  /// A source: how many messages it makes in all (generate's count), for the
  /// predicted run time.
  std::optional<std::uint64_t> count;
  /// The share of messages it lets through, 0 to 1 (sample's probability).
  double passes = 1;

  /// What the operator's cost() returns for this call: how many messages the
  /// runtime hands a worker at once (Operator::Cost). nullopt: not said; the
  /// bound then lets each worker hold one message in hand, as for any
  /// operator it knows nothing of.
  std::optional<Operator::Cost> cost;
  /// What the operator's expands() returns: it is handed one message at a time.
  bool expands = false;

  /// It turns up to this many messages into one batch message (batch: max).
  std::optional<std::uint64_t> groups;
  /// It gives out the members of each batch (unbatch): one batch level less.
  bool ungroups = false;
  /// What it keeps from one call to the next, when it keeps anything.
  std::optional<HoldBack> holds_back;

  PayloadChange payload = PayloadChange::Keeps;
  std::uint64_t payload_bytes = 0;  ///< the size for Sets, the growth for Adds

  /// What it reads from outside the pipeline that only one reader can have and
  /// that may keep it waiting: "standard input" for read("-"); "" when none.
  /// Two such readers of one input are an error, the virtual clock gets a
  /// warning, and `flow tune` refuses it (its runs could not all see it).
  std::string outside_input;
  /// What it calls outside the pipeline and waits for in real time (http's
  /// URL, "the program python3" for exec); "" when none. The virtual clock cannot wait for
  /// it: the checker refuses it there.
  std::string outside_call;
  /// The file it writes (write's path); "" when none. Two writers of one file
  /// are an error.
  std::string writes_file;
  /// A source that never ends by itself says why ("generate without count");
  /// "" when it ends. `flow tune` then needs a --duration.
  std::string endless;
};

}  // namespace flow
