// Moving messages in and out of a node: taking from the input edges (fan-in)
// within the room reserved downstream (node_credit.cpp), emitting to the
// output edges (fan-out, ordered), and delivering at a sink.
#include <fmt/format.h>

#include <algorithm>

#include "runtime/exec/node_runner.hpp"

namespace flow::exec {

NodeRunner::Step NodeRunner::take_and_run() {
  Unit unit;
  std::size_t want = unit_size();
  // A foreign operator that makes messages takes no more than the memory limit leaves room for.
  if (has_foreign_ && (want = std::min(want, growth_room())) == 0) return Step::Idle;  // the run failed
  // Room downstream first: a worker never takes more than its outputs can hold,
  // except, in a node that works message by message, the one message in its
  // hand when there is none (a tokio task holds the message it received and
  // cannot send yet): so `workers` stays the node's concurrency, and the
  // message parks at emit if there is still no room.
  if (room_.waiting() && !unit_limit_.hand) return Step::Idle;  // the full edge wakes this node
  const Room room = reserve_room(want);
  const std::size_t take = room.messages > 0 ? room.messages : unit_limit_.hand ? 1 : 0;
  if (take == 0) return Step::Idle;
  bool looked = false;
  InputState inputs;
  auto input_epoch = input_.epoch();
  {
    // An ordered node numbers its units in the order it takes them.
    std::unique_lock lock(take_mutex_, std::defer_lock);
    if (ordered_) lock.lock();
    looked = !ordered_ || !window_full();
    if (looked) inputs = take_input(unit.messages, take);
    if (ordered_ && !unit.messages.empty()) unit.seq = next_seq_++;
  }
  unit.reserved = keep_room(room, unit.messages.size());
  // Inputs left empty: room opening downstream then starts no task that would
  // find nothing; input arriving does. Closed inputs never set it, or a flush
  // waiting for room would wait for input too.
  if (looked && inputs.emptied && !inputs.drained) {
    input_.wait(input_epoch);
  } else if (looked) {
    input_.found();
  }
  // Everything taken was too old (shed_expired): the inputs may hold more.
  if (unit.messages.empty() && inputs.shed > 0) return Step::Progress;
  if (unit.messages.empty()) return Step::Idle;
  unit.taken = unit.messages.size();
  unit.first = in_.fetch_add(unit.taken, std::memory_order_relaxed);
  unit.started = Clock::now();
  // More may be waiting: recruit another worker while this one works.
  if (node_.workers > 1 && unit.taken == want) schedule();
  return run_unit(unit);
}

bool NodeRunner::window_full() const {
  return next_seq_ - next_emit_.load(std::memory_order_acquire) >= static_cast<std::uint64_t>(node_.workers);
}

std::size_t NodeRunner::unit_size() const {
  if (!unit_limit_.share_backlog || node_.workers == 1) return unit_limit_.max;
  // A CPU-bound chain takes its share of the backlog, so that a few messages
  // still spread over every worker and a long backlog moves in fewer units.
  std::size_t waiting = 0;
  for (const auto* input : inputs_) waiting += input->waiting();
  return std::clamp<std::size_t>(waiting / static_cast<std::size_t>(node_.workers), 1, unit_limit_.max);
}

NodeRunner::InputState NodeRunner::take_input(Chunk& out, std::size_t max) {
  auto count = inputs_.size();
  auto start = next_input_.fetch_add(1, std::memory_order_relaxed);
  InputState state{true, true};
  std::size_t looked = 0;
  std::optional<Clock::time_point> now;
  for (; looked < count && out.size() < max; ++looked) {
    auto index = (start + looked) % count;
    auto had = out.size();
    TakeResult taken = inputs_[index]->take(out, max - out.size());
    if (sheds_ && taken.taken > 0) {
      if (!now) now = Clock::now();
      // Those the node's own deadline shed were taken by it: they count in its `in`.
      in_.fetch_add(shed_expired(index, out, had, *now), std::memory_order_relaxed);
      state.shed += taken.taken - (out.size() - had);
    }
    state.drained = state.drained && taken.drained;
    state.emptied = state.emptied && taken.emptied;
    if (taken.unblocked) producers_[index]->on_unblocked();
    if (taken.room_opened) producers_[index]->on_room();
  }
  // Inputs not looked at may hold messages, and may be open.
  if (looked < count) state = {false, false, state.shed};
  return state;
}

void NodeRunner::on_unblocked() {
  schedule();
}


bool NodeRunner::emit(Unit& unit) {
  if (!ordered_ || outputs_.empty()) {
    emit_chunk(unit.messages, unit.reserved, unit.routes);
    return false;
  }
  std::lock_guard lock(reorder_mutex_);
  if (unit.seq != next_emit_) {
    waiting_.emplace(unit.seq, std::move(unit));
    return false;
  }
  return emit_in_turn(std::move(unit));
}

bool NodeRunner::emit_in_turn(Unit unit) {
  // Units that finished early follow in order; an empty one (all filtered) still takes its turn.
  for (;;) {
    std::shared_ptr<Unit> suspended;
    if (!run_tail(unit, &suspended)) return false;  // the run failed
    if (suspended) return true;                    // resumed by the timer, still in its turn
    emit_chunk(unit.messages, unit.reserved, unit.routes);
    next_emit_.store(next_emit_.load() + 1);
    auto next = waiting_.find(next_emit_.load());
    if (next == waiting_.end()) return false;
    unit = std::move(next->second);
    waiting_.erase(next);
  }
}

void NodeRunner::emit_chunk(Chunk& messages, std::size_t reserved, const std::vector<std::uint32_t>& routes) {
  if (outputs_.empty()) {
    deliver(messages);
    return;
  }
  if (messages.empty()) {
    release_outputs(reserved);
    return;
  }
  out_.fetch_add(messages.size(), std::memory_order_relaxed);
  auto count = outputs_.size();
  if (!label_outputs_.empty()) {
    emit_routed(messages, reserved, routes);
  } else if (count == 1) {
    offer(0, messages, reserved);
  } else if (node_.fanout == Fanout::Broadcast) {
    // Each copy is a message of its own from here on: it enters the balance as produced.
    SourceTally copies = state_.tally();
    for (std::size_t k = 1; k < count; ++k) copies.add_all(messages);
    state_.produced(copies, false);
    for (std::size_t k = 0; k + 1 < count; ++k) {
      Chunk copy = messages;
      offer(k, copy, reserved);
    }
    offer(count - 1, messages, reserved);
  } else {
    std::vector<Chunk> dealt(count);
    auto turn = next_output_.fetch_add(messages.size(), std::memory_order_relaxed);
    for (auto& message : messages) dealt[turn++ % count].push_back(std::move(message));
    for (std::size_t k = 0; k < count; ++k) offer(k, dealt[k], reserved);
    messages.clear();
  }
}

void NodeRunner::offer(std::size_t output, Chunk& messages, std::size_t reserved) {
  EdgeBuffer& buffer = *outputs_[output];
  if (messages.empty() && (reserved == 0 || !buffer.gives_credit())) return;  // nothing to hand over or give back
  Chunk dropped;
  auto epoch = room_.epoch();
  OfferResult result = buffer.offer(messages, dropped, reserved);
  if (result.unblocked) on_unblocked();
  if (result.room_opened) on_room();
  if (result.out_of_room) room_.wait(epoch);
  if (!dropped.empty()) drop(output, dropped);
  if (result.overflowed) {
    EdgeId id = node_.outputs[output];
    const Edge& edge = state_.pipeline().edges[id];
    auto limit = result.bytes_limited ? fmt::format("max_bytes {}", edge.max_bytes.value_or(0))
                                      : fmt::format("capacity {}", edge.capacity.value_or(0));
    state_.fail(fmt::format("edge {} overflowed: {}, at {:.2f} s", state_.pipeline().edge_name(id), limit,
                            state_.elapsed_s()));
  }
  if (result.accepted > 0) consumers_[output]->on_input();
}

void NodeRunner::deliver(Chunk& messages) {
  auto now = Clock::now();
  SourceTally tally = state_.tally();
  SourceTally dead_lettered = state_.tally();  // what came along a dead-letter route
  std::uint64_t delivered = 0;
  // Messages of one pull share their creation time: record each run of equal times once.
  Clock::time_point run_created{};
  std::uint64_t run_length = 0;
  auto one = [&](const Message& message, auto& self) -> void {
    if (message.is_batch()) {  // delivered member by member, each with its own age
      for (const auto& member : message.members) self(member, self);
      return;
    }
    if (run_length > 0 && message.created != run_created) {
      delivery_latency_.record(now - run_created, run_length);
      run_length = 0;
    }
    run_created = message.created;
    ++run_length;
    (message.dead_letter ? dead_lettered : tally).add(message);
    ++delivered;
  };
  for (const auto& message : messages) one(message, one);
  if (run_length > 0) delivery_latency_.record(now - run_created, run_length);
  delivered_.fetch_add(delivered, std::memory_order_relaxed);
  out_.fetch_add(delivered, std::memory_order_relaxed);
  state_.retire(tally, Exit::Delivered);
  if (dead_lettered.total() != 0) state_.retire(dead_lettered, Exit::DeadLettered);
  messages.clear();
}

}  // namespace flow::exec
