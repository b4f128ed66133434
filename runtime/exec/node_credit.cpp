// A node's credit: the room it reserves on its bounded `block` output edges
// before it takes (or pulls) a unit, gives back when the unit needs less, and
// waits for, without a task, when there is none.
#include <algorithm>

#include "runtime/exec/node_runner.hpp"

namespace flow::exec {

std::size_t NodeRunner::deal_width() const {
  return node_.fanout == Fanout::RoundRobin && outputs_.size() > 1 ? outputs_.size() : 1;
}

NodeRunner::Room NodeRunner::reserve_room(std::size_t want) {
  // Dealt in turn, a unit of `width` × n messages gives each edge n.
  auto width = deal_width();
  auto per_edge = reserve_outputs((want + width - 1) / width);
  return {per_edge, std::min(want, per_edge * width)};
}

std::size_t NodeRunner::keep_room(const Room& room, std::size_t used) {
  auto width = deal_width();
  auto needed = std::min(room.per_edge, (used + width - 1) / width);
  if (needed < room.per_edge) release_outputs(room.per_edge - needed);
  return needed;
}

std::size_t NodeRunner::reserve_outputs(std::size_t want) {
  if (outputs_.empty()) return want;
  auto epoch = room_.epoch();
  std::size_t granted = outputs_.size() == 1 ? outputs_[0]->reserve(want) : reserve_each(want);
  if (granted == 0) {
    room_.wait(epoch);
  } else {
    room_.found();
  }
  return granted;
}

std::size_t NodeRunner::reserve_each(std::size_t want) {
  // The same room on every edge that gives credit (a broadcast copies to each);
  // an edge that grants less lowers it for all, and the others give the difference back.
  std::vector<std::size_t> got(outputs_.size(), 0);
  std::size_t granted = want;
  for (std::size_t k = 0; k < outputs_.size() && granted > 0; ++k) {
    got[k] = outputs_[k]->reserve(granted);
    granted = std::min(granted, got[k]);
  }
  Chunk none;
  for (std::size_t k = 0; k < outputs_.size(); ++k) {
    if (got[k] > granted) offer(k, none, got[k] - granted);
  }
  return granted;
}

void NodeRunner::release_outputs(std::size_t count) {
  if (count == 0) return;
  Chunk none;
  for (std::size_t k = 0; k < outputs_.size(); ++k) offer(k, none, count);
}

void NodeRunner::on_room() {
  room_.arrived();
  // With nothing to take the task would find no work, and the input's arrival
  // starts it; a batch due to be flushed needs only the room.
  if (input_.waiting() && !flush_wanted_.load(std::memory_order_acquire)) return;
  start_worker();
}

}  // namespace flow::exec
