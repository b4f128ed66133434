#pragma once
// Internal to runtime/calls: exec's operators (docs/calls.md): a pool of
// long-lived children answering lines (a stage), children taking lines as
// the last command of a shell pipeline does (a sink), and one process per
// message (per=message, either role).
#include <chrono>
#include <memory>
#include <string>

#include "flow/operator.hpp"
#include "runtime/calls/exec_child.hpp"

namespace flow::calls {

/// What every exec operator knows of its call.
struct ExecConfig {
  ChildSetup setup;                   ///< argv and environment
  std::string label;                  ///< the node's name, before each line of the child's stderr
  std::chrono::milliseconds timeout;  ///< the longest wait for an answer, a write, an exit
  bool restart = false;               ///< start a new child when one dies (line mode)
  bool per_message = false;           ///< one process per message
};

std::unique_ptr<Operator> make_exec_stage(ExecConfig config);
std::unique_ptr<Operator> make_exec_sink(ExecConfig config);

}  // namespace flow::calls
