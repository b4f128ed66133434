#pragma once
// The only TBB wiring of the runtime: a task arena sized by `threads`, one
// flow graph, and one function_node per pipeline node that runs the node's
// worker body for each activation. Messages never travel on TBB edges: they
// live in our EdgeBuffers, and activations are put into a node's
// function_node directly (see docs/runtime.md for why).
#include <memory>
#include <vector>

#include "runtime/exec/node_runner.hpp"
#include "runtime/exec/virtual_clock.hpp"

namespace flow::exec {

class GraphBuilder {
 public:
  /// `threads` = 0: one per core. `blocking_threads` more are added for
  /// operators that block their thread (Operator::blocks), so that their
  /// waits leave the cores to the rest. With a virtual clock, every task
  /// counts as work on it and runs with it as its thread's clock.
  GraphBuilder(int threads, int blocking_threads, VirtualClock* clock);
  ~GraphBuilder();
  GraphBuilder(const GraphBuilder&) = delete;
  GraphBuilder& operator=(const GraphBuilder&) = delete;

  /// Makes a function_node for every runner and gives each runner its spawn hook.
  void build(const std::vector<std::unique_ptr<NodeRunner>>& runners);
  /// Runs `work` inside the graph's arena, as one piece of work on the
  /// virtual clock if there is one (it leaves on the arena's thread, which then
  /// drives the clock).
  void execute(const std::function<void()>& work);
  /// Waits for every task of the graph; call before the runners go away.
  void wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flow::exec
