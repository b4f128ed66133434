#include "runtime/exec/builder.hpp"

#include <tbb/flow_graph.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cstdint>
#include <thread>

namespace flow::exec {

namespace {

// ThreadSanitizer cannot see the synchronisation inside libtbb (it is not
// instrumented): a put happens before its task, a task before wait_for_all
// returns. Under TSan, make those edges visible with one atomic; otherwise
// these compile to nothing.
#if defined(__SANITIZE_THREAD__)
std::atomic<std::uint64_t> tsan_handoff{0};
void handoff_release() { tsan_handoff.fetch_add(1, std::memory_order_acq_rel); }
void handoff_acquire() { tsan_handoff.fetch_add(0, std::memory_order_acq_rel); }
#else
void handoff_release() {}
void handoff_acquire() {}
#endif

}  // namespace

struct GraphBuilder::Impl {
  Impl(int threads, VirtualClock* virtual_clock)
      // The caller's thread only waits and monitors, so every slot goes to TBB workers.
      : control(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads) + 1),
        arena(threads, 0),
        clock(virtual_clock) {
    // execute() may hand the lambda to a worker thread: hand its effects back visibly to TSan too.
    auto make_graph = [this] {
      handoff_acquire();
      graph = std::make_unique<tbb::flow::graph>();
      handoff_release();
    };
    handoff_release();
    arena.execute(make_graph);
    handoff_acquire();
  }

  tbb::global_control control;
  tbb::task_arena arena;
  VirtualClock* clock;
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

GraphBuilder::GraphBuilder(int threads, int blocking_threads, VirtualClock* clock)
    : impl_(std::make_unique<Impl>(resolve_threads(threads) + blocking_threads, clock)) {}

GraphBuilder::~GraphBuilder() {
  wait();
  impl_->nodes.clear();
}

void GraphBuilder::build(const std::vector<std::unique_ptr<NodeRunner>>& runners) {
  for (const auto& runner : runners) {
    NodeRunner* target = runner.get();
    VirtualClock* clock = impl_->clock;
    // Unlimited: the runner itself keeps at most `workers` activations alive,
    // so the node's own queue never grows and no put is ever rejected.
    auto node = std::make_unique<tbb::flow::function_node<Activation, tbb::flow::continue_msg>>(
        *impl_->graph, tbb::flow::unlimited, [target, clock](const Activation& activation) {
          handoff_acquire();
          {
            ClockScope scope(clock);
            target->run_task(activation);
            if (clock) clock->leave();
          }
          handoff_release();
          return tbb::flow::continue_msg{};
        });
    auto* raw = node.get();
    runner->set_spawn([raw, clock](const Activation& activation) {
      if (clock) clock->enter();
      handoff_release();
      raw->try_put(activation);
    });
    impl_->nodes.push_back(std::move(node));
  }
}

void GraphBuilder::execute(const std::function<void()>& work) {
  VirtualClock* clock = impl_->clock;
  auto counted = [&work, clock] {
    handoff_acquire();
    {
      ClockScope scope(clock);
      if (clock) clock->enter();
      work();
      if (clock) clock->leave();
    }
    handoff_release();
  };
  handoff_release();
  impl_->arena.execute(counted);
  handoff_acquire();
}

void GraphBuilder::wait() {
  tbb::flow::graph* graph = impl_->graph.get();
  auto wait_all = [graph] {
    handoff_acquire();
    graph->wait_for_all();
    handoff_release();
  };
  handoff_release();  // after the lambda exists: execute() may run it on a worker
  impl_->arena.execute(wait_all);
  handoff_acquire();
}

}  // namespace flow::exec
