#include "runtime/check/clock_notes.hpp"

#include <fmt/format.h>

namespace flow::checker {

void note_virtual_clock(Reporter& reporter, const Pipeline& pipeline, const OperatorRegistry& registry) {
  if (pipeline.clock != ClockKind::Virtual) return;
  for (const auto& node : pipeline.nodes) {
    // A child process or a service works in real time, whatever the simulated clock says.
    for (const auto& call : node.chain) {
      auto plan = registry.plan(call);
      if (!plan || plan->outside_call.empty()) continue;
      reporter.error(call.location, call.name.size(),
                     fmt::format("{} {} waits on {}, which works in real time: the virtual clock cannot "
                                 "simulate it; expected clock=real",
                                 to_string(node.kind), node.name, plan->outside_call));
    }
    if (node.kind != NodeKind::Source || node.chain.empty()) continue;
    const auto& call = node.chain.front();
    auto plan = registry.plan(call);
    if (!plan || plan->outside_input.empty()) continue;
    // Simulated time jumps to the next timer whenever no worker has work: a
    // listener's senders would find a run that is over before they connect.
    // A network listener names its address with a scheme (listen's plan).
    if (plan->outside_input.find("://") != std::string::npos) {
      reporter.error(call.location, call.name.size(),
                     fmt::format("source {} listens on {}, which the virtual clock cannot wait for: "
                                 "run it on the real clock (clock=real)",
                                 node.name, plan->outside_input));
      continue;
    }
    reporter.warning(
        call.location, call.name.size(),
        fmt::format("source {} reads {} under the virtual clock: waiting for input takes "
                    "no simulated time, so every line arrives at the simulated instant it is read",
                    node.name, plan->outside_input));
  }
}

}  // namespace flow::checker
