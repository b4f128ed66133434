#include "runtime/check/limits.hpp"

#include <fmt/format.h>

namespace flow::checker {
namespace {

// In the operator's own words: `batch(max=100)`, and the argument that would
// give it a deadline (`within`), so the advice names what to write.
std::string hang_warning(const OperatorCall& call, const HoldBack& holds, const std::string& node,
                         std::uint64_t in_flight) {
  auto what = holds.count_argument.empty()
                  ? fmt::format("{}({})", call.name, holds.release_at)
                  : fmt::format("{}({}={})", call.name, holds.count_argument, holds.release_at);
  if (holds.deadline_argument.empty()) {
    return fmt::format(
        "{} in {} lets messages go only once {} have come and max_in_flight is {}: once {} messages "
        "wait in it the sources stop and it never fills; raise max_in_flight to at least {}",
        what, node, holds.release_at, in_flight, in_flight, holds.release_at);
  }
  return fmt::format(
      "{} in {} has no `{}` and max_in_flight is {}: once {} messages wait in it the sources stop "
      "and it never fills; give it a `{}`",
      what, node, holds.deadline_argument, in_flight, in_flight, holds.deadline_argument);
}

}  // namespace

void check_limits(Reporter& reporter, const Pipeline& pipeline, const OperatorRegistry& registry) {
  if (!pipeline.max_in_flight_explicit) return;
  for (const auto& node : pipeline.nodes) {
    for (const auto& call : node.chain) {
      auto plan = registry.plan(call);
      if (!plan || !plan->holds_back || plan->holds_back->deadline) continue;
      // It holds up to release_at - 1 waiting for one more, which never comes
      // once max_in_flight of them wait.
      if (plan->holds_back->release_at <= pipeline.max_in_flight) continue;
      reporter.warning(call.location, call.name.size(),
                       hang_warning(call, *plan->holds_back, node.name, pipeline.max_in_flight));
    }
  }
}

}  // namespace flow::checker
