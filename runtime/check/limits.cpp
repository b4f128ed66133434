#include "runtime/check/limits.hpp"

#include <fmt/format.h>

#include <variant>

namespace flow::checker {

void check_limits(Reporter& reporter, const Pipeline& pipeline) {
  if (!pipeline.max_in_flight_explicit) return;
  for (const auto& node : pipeline.nodes) {
    for (const auto& call : node.chain) {
      if (call.name != "batch" || call.args.count("within")) continue;
      auto max = call.args.find("max");
      if (max == call.args.end() || !std::holds_alternative<std::int64_t>(max->second)) continue;
      auto wanted = std::get<std::int64_t>(max->second);
      if (wanted <= 0 || static_cast<std::uint64_t>(wanted) <= pipeline.max_in_flight) continue;
      reporter.warning(call.location, call.name.size(),
                       fmt::format("batch(max={}) in {} has no `within` and max_in_flight is {}: once {} messages "
                                   "wait in it the sources stop and it never fills; give it a `within`",
                                   wanted, node.name, pipeline.max_in_flight, pipeline.max_in_flight));
    }
  }
}

}  // namespace flow::checker
