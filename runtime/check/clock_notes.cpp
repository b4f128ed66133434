#include "runtime/check/clock_notes.hpp"

#include <fmt/format.h>

#include <variant>

namespace flow::checker {
namespace {

bool reads_standard_input(const OperatorCall& call) {
  if (call.name != "read") return false;
  auto path = call.args.find("path");
  if (path == call.args.end()) return false;
  const auto* text = std::get_if<std::string>(&path->second);
  return text != nullptr && *text == "-";
}

}  // namespace

void note_virtual_clock(Reporter& reporter, const Pipeline& pipeline) {
  if (pipeline.clock != ClockKind::Virtual) return;
  for (const auto& node : pipeline.nodes) {
    if (node.kind != NodeKind::Source || node.chain.empty() || !reads_standard_input(node.chain.front())) continue;
    const auto& call = node.chain.front();
    reporter.warning(call.location, call.name.size(),
                     fmt::format("source {} reads standard input under the virtual clock: waiting for input takes "
                                 "no simulated time, so every line arrives at the simulated instant it is read",
                                 node.name));
  }
}

}  // namespace flow::checker
