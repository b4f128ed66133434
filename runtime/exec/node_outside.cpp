// A source fed from outside the pipeline (a followed file, a socket, HTTP):
// what the runtime offers it (wake-ups, the room on its output, a count of
// what it refused at the door), and how it is stopped so that it drains what
// it took before the run ends.
#include <algorithm>

#include "runtime/exec/node_runner.hpp"

namespace flow::exec {

void NodeRunner::Outside::wake() {
  std::lock_guard lock(mutex_);
  if (open_) runner_.schedule();
}

std::optional<std::size_t> NodeRunner::Outside::room() const {
  std::optional<std::size_t> least;
  for (const EdgeBuffer* output : runner_.outputs_) {
    if (auto room = output->free_room()) least = std::min(least.value_or(SIZE_MAX), *room);
  }
  return least;
}

Overflow NodeRunner::Outside::policy() const {
  const auto& outputs = runner_.node_.outputs;
  return outputs.empty() ? Overflow::Block : runner_.state_.pipeline().edges[outputs[0]].overflow;
}

std::optional<std::uint64_t> NodeRunner::Outside::capacity() const {
  const auto& outputs = runner_.node_.outputs;
  return outputs.empty() ? std::nullopt : runner_.state_.pipeline().edges[outputs[0]].capacity;
}

void NodeRunner::Outside::refused(std::size_t messages) {
  if (messages == 0) return;
  runner_.state_.refused(static_cast<std::size_t>(runner_.state_.source_index(runner_.id_)), messages);
  runner_.in_.fetch_add(messages, std::memory_order_relaxed);
  runner_.out_.fetch_add(messages, std::memory_order_relaxed);
  if (!runner_.outputs_.empty()) runner_.outputs_[0]->refuse(messages);
}

void NodeRunner::Outside::open() {
  std::lock_guard lock(mutex_);
  open_ = true;
}

void NodeRunner::Outside::close() {
  std::lock_guard lock(mutex_);
  open_ = false;
}

void NodeRunner::attach_source() {
  if (!ops_.source) return;
  outside_ = std::make_unique<Outside>(*this);
  ops_.source->attach(*outside_);
}

NodeRunner::~NodeRunner() {
  if (outside_) outside_->close();
  ops_.source.reset();  // joins the source's own threads while the runner is whole
}

void NodeRunner::stop_source() {
  if (!ops_.source || stop_told_.exchange(true)) return;
  // Before the run's stop flag is set: a worker that sees the flag must already see draining_.
  if (ops_.source->stop()) draining_.store(true, std::memory_order_release);
}

void NodeRunner::open_source() {
  // Attached only now, with the edges connected: a source's own threads may
  // ask for the room on its output from the moment it has the context.
  attach_source();
  if (outside_) outside_->open();
}

void NodeRunner::close_source() {
  if (outside_) outside_->close();
}

}  // namespace flow::exec
