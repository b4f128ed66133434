#include "runtime/check/follow_check.hpp"

#include <fmt/format.h>

namespace flow::checker {
namespace {

bool follows(const OperatorCall& call) {
  if (call.name != "read") return false;
  auto found = call.args.find("follow");
  const auto* flag = found == call.args.end() ? nullptr : std::get_if<bool>(&found->second);
  return flag != nullptr && *flag;
}

}  // namespace

void check_follow(Reporter& reporter, Pipeline& pipeline) {
  for (auto& node : pipeline.nodes) {
    // A restart goes on where the last run stopped: emptying the output
    // would throw away what the killed run delivered (and checkpointed).
    if (!pipeline.state.empty() && node.kind == NodeKind::Sink) {
      for (auto& call : node.chain) {
        if (call.name == "write") call.args["append"] = true;
      }
    }
    if (node.kind != NodeKind::Source || node.chain.empty() || !follows(node.chain.front())) continue;
    auto& call = node.chain.front();
    if (pipeline.clock == ClockKind::Virtual) {
      reporter.error(call.location, call.name.size(),
                     fmt::format("source {} follows a file under the virtual clock: a followed file grows in "
                                 "real time; expected clock=real (or read without follow=true)",
                                 node.name));
      continue;
    }
    // One file per node: two followers of one file keep their own offsets.
    if (!pipeline.state.empty())
      call.args["state"] = fmt::format("{}/{}.follow.json", pipeline.state, node.name);
  }
}

}  // namespace flow::checker
