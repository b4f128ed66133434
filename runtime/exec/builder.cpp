#include "runtime/exec/builder.hpp"

#include <tbb/flow_graph.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <thread>

namespace flow::exec {

struct GraphBuilder::Impl {
  explicit Impl(int threads)
      // The caller's thread only waits and monitors, so every slot goes to TBB workers.
      : control(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads) + 1),
        arena(threads, 0) {
    arena.execute([this] { graph = std::make_unique<tbb::flow::graph>(); });
  }

  tbb::global_control control;
  tbb::task_arena arena;
  std::unique_ptr<tbb::flow::graph> graph;  ///< made inside the arena, so its tasks run there
  std::vector<std::unique_ptr<tbb::flow::function_node<Activation, tbb::flow::continue_msg>>> nodes;
};

namespace {

int resolve_threads(int threads) {
  if (threads > 0) return threads;
  auto cores = static_cast<int>(std::thread::hardware_concurrency());
  return cores > 0 ? cores : 1;
}

}  // namespace

GraphBuilder::GraphBuilder(int threads) : impl_(std::make_unique<Impl>(resolve_threads(threads))) {}

GraphBuilder::~GraphBuilder() {
  wait();
  impl_->nodes.clear();
}

void GraphBuilder::build(const std::vector<std::unique_ptr<NodeRunner>>& runners) {
  for (const auto& runner : runners) {
    NodeRunner* target = runner.get();
    // Unlimited: the runner itself keeps at most `workers` activations alive,
    // so the node's own queue never grows and no put is ever rejected.
    auto node = std::make_unique<tbb::flow::function_node<Activation, tbb::flow::continue_msg>>(
        *impl_->graph, tbb::flow::unlimited, [target](const Activation& activation) {
          target->work(activation);
          return tbb::flow::continue_msg{};
        });
    auto* raw = node.get();
    runner->set_spawn([raw](const Activation& activation) { raw->try_put(activation); });
    impl_->nodes.push_back(std::move(node));
  }
}

void GraphBuilder::wait() {
  impl_->arena.execute([this] { impl_->graph->wait_for_all(); });
}

}  // namespace flow::exec
