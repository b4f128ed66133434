// Dead-letter routes and deadlines (docs/dead_letters.md): what an edge
// drops, what a deadline sheds and what an operator fails on can go on to
// another node along a dead-letter edge, which never makes its producer wait.
#include <algorithm>

#include "runtime/exec/node_runner.hpp"

namespace flow::exec {
namespace {

// The mark a sink reads to count a delivery dead-lettered; a batch's members carry it too.
void mark_dead_letter(Message& message) {
  message.dead_letter = 1;
  for (auto& member : message.members) mark_dead_letter(member);
}

}  // namespace

void NodeRunner::connect_dead_letters(std::vector<EdgeBuffer*> edges, std::vector<NodeRunner*> consumers) {
  dead_letters_ = std::move(edges);
  dead_letter_consumers_ = std::move(consumers);
  for (EdgeId e : node_.inputs) {
    const auto& deadline = state_.pipeline().edges[e].deadline;
    input_deadlines_.emplace_back(deadline ? deadline->value : Clock::duration{0});
    sheds_ = sheds_ || deadline.has_value();
  }
  if (node_.deadline) deadline_ = node_.deadline->value;
  sheds_ = sheds_ || node_.deadline.has_value();
}

void NodeRunner::route(NodeId target, Chunk& messages) {
  if (messages.empty()) return;
  const auto& routes = node_.dead_letter_outputs;
  std::size_t k = 0;
  while (k + 1 < routes.size() && state_.pipeline().edges[routes[k]].to != target) ++k;
  for (auto& message : messages) mark_dead_letter(message);
  Chunk dropped;
  // No credit: a full dead-letter edge drops (drop_newest), it never makes this node wait.
  OfferResult result = dead_letters_[k]->offer(messages, dropped, 0);
  if (!dropped.empty()) {
    SourceTally tally = state_.tally();
    tally.add_all(dropped);
    state_.retire(tally, Exit::Dropped);
    mark_lost(dropped);
  }
  if (result.accepted > 0) dead_letter_consumers_[k]->on_input();
}

void NodeRunner::drop(std::size_t output, Chunk& dropped) {
  const Edge& edge = state_.pipeline().edges[node_.outputs[output]];
  if (edge.dropped_to) {
    outputs_[output]->routed(dropped.size());
    route(*edge.dropped_to, dropped);
    return;
  }
  SourceTally tally = state_.tally();
  tally.add_all(dropped);
  state_.retire(tally, Exit::Dropped);
  mark_lost(dropped);
}

void NodeRunner::route_failed(Chunk& failed) {
  dead_lettered_.fetch_add(failed.size(), std::memory_order_relaxed);
  route(*node_.errors_to, failed);
}

std::size_t NodeRunner::shed_expired(std::size_t input, Chunk& out, std::size_t from, Clock::time_point now) {
  auto edge_deadline = input_deadlines_[input];
  Chunk on_edge, on_node;
  auto kept = from;
  for (auto i = from; i < out.size(); ++i) {
    auto age = now - out[i].created;
    if (edge_deadline.count() > 0 && age > edge_deadline) {
      on_edge.push_back(std::move(out[i]));
    } else if (deadline_.count() > 0 && age > deadline_) {
      on_node.push_back(std::move(out[i]));
    } else {
      if (kept != i) out[kept] = std::move(out[i]);
      ++kept;
    }
  }
  if (on_edge.empty() && on_node.empty()) return 0;
  out.resize(kept);
  const Edge& edge = state_.pipeline().edges[node_.inputs[input]];
  auto shed = [&](Chunk& messages, const std::optional<NodeId>& to) {
    if (messages.empty()) return;
    if (to) {
      route(*to, messages);
      return;
    }
    SourceTally tally = state_.tally();
    tally.add_all(messages);
    state_.retire(tally, Exit::Expired);
    mark_lost(messages);
  };
  if (!on_edge.empty()) {
    inputs_[input]->expired(on_edge.size());
    if (edge.expired_to) inputs_[input]->routed(on_edge.size());
    shed(on_edge, edge.expired_to);
  }
  auto by_node = on_node.size();
  if (by_node > 0) {
    expired_.fetch_add(by_node, std::memory_order_relaxed);
    if (node_.expired_to) dead_lettered_.fetch_add(by_node, std::memory_order_relaxed);
    shed(on_node, node_.expired_to);
  }
  return by_node;
}

}  // namespace flow::exec
