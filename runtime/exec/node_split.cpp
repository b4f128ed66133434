// Splitting a node's work by content: labeled outputs (route: each message
// leaves by the first label whose condition holds) and keyed partitions
// (partition=by: the messages of one key go to one worker, in order).
// docs/routing.md says what a user sees.
#include <fmt/format.h>

#include <algorithm>

#include "runtime/exec/node_runner.hpp"

namespace flow::exec {

bool NodeRunner::routes_given(const Unit& unit, std::size_t op) {
  bool valid = unit.routes.size() == unit.messages.size();
  for (std::size_t i = 0; valid && i < unit.routes.size(); ++i)
    valid = unit.routes[i] < label_outputs_.size();
  if (valid) return true;
  // Only an operator that is not flow's route can get it wrong; the run cannot tell where its messages go.
  state_.fail(failure(unit, op,
                      fmt::format("it gave {} output labels for {} messages (of {} labels)",
                                  unit.routes.size(), unit.messages.size(), label_outputs_.size())
                          .c_str()));
  return false;
}

void NodeRunner::emit_routed(Chunk& messages, std::size_t reserved,
                             const std::vector<std::uint32_t>& routes) {
  // One chunk per label, each in the order the messages came, so every edge keeps their order.
  std::vector<Chunk> split(label_outputs_.size());
  for (std::size_t i = 0; i < messages.size(); ++i) split[routes[i]].push_back(std::move(messages[i]));
  messages.clear();
  // Several edges from one label each get every message of it (a broadcast
  // within the label): each copy is a message of its own from here on.
  SourceTally copies = state_.tally();
  for (std::size_t label = 0; label < split.size(); ++label) {
    for (std::size_t k = 1; k < label_outputs_[label].size(); ++k) copies.add_all(split[label]);
  }
  if (copies.total() != 0) state_.produced(copies, false);
  // Every output is offered once, its share or nothing: what it reserved and does not need goes back.
  for (std::size_t label = 0; label < split.size(); ++label) {
    const auto& edges = label_outputs_[label];
    for (std::size_t k = 0; k + 1 < edges.size(); ++k) {
      Chunk copy = split[label];
      offer(edges[k], copy, reserved);
    }
    if (!edges.empty()) offer(edges.back(), split[label], reserved);
  }
}

std::size_t NodeRunner::partition_of(const Message& message) const {
  // FNV-1a over the key's text (the fields' text, each ended by a unit
  // separator): the same key lands on the same partition in every run and on
  // every machine, unlike std::hash. A field the message lacks is "".
  std::uint64_t hash = 14695981039346656037ULL;
  auto mix = [&hash](char c) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  };
  for (const auto& name : node_.partition_by) {
    if (auto value = message.fields.find(name)) {
      // The key's text as field_text writes it, without making a string per message.
      if (const auto* text = std::get_if<std::string_view>(&*value)) {
        for (char c : *text) mix(c);
      } else if (const auto* integer = std::get_if<std::int64_t>(&*value)) {
        const fmt::format_int digits(*integer);
        for (char c : std::string_view(digits.data(), digits.size())) mix(c);
      } else {
        for (char c : field_text(*value)) mix(c);
      }
    }
    mix('\x1f');
  }
  return static_cast<std::size_t>(hash % partitions_.size());
}

// A batch has no fields, so every batch would have the empty key and one
// worker all of them; splitting it by its members' keys would give out more
// messages than the room reserved for it. The run says so instead.
void NodeRunner::refuse_batch() const {
  state_.fail(
      fmt::format("{} {} takes batches, but partition=by({}) keys single messages: put unbatch() "
                  "before it, or batch() after it",
                  to_string(node_.kind), node_.name, fmt::join(node_.partition_by, ", ")));
}

bool NodeRunner::claim_partition(Unit& unit, std::size_t max) {
  for (std::size_t looked = 0; looked < partitions_.size(); ++looked) {
    auto index = (next_partition_ + looked) % partitions_.size();
    auto& partition = partitions_[index];
    if (partition.busy || partition.queue.empty()) continue;
    auto count = std::min(max, partition.queue.size());
    // A key's messages come between other keys': a failure names the right one.
    unit.first = partition.numbers.front();
    unit.scattered = partition.numbers[count - 1] - unit.first + 1 != count;
    for (std::size_t i = 0; i < count; ++i) {
      unit.messages.push_back(std::move(partition.queue.front()));
      partition.queue.pop_front();
      partition.numbers.pop_front();
    }
    partition.busy = true;
    unit.partition = static_cast<std::ptrdiff_t>(index);
    // The room reserved when they were taken goes with them; a worker's hand took one without any.
    unit.reserved = std::min(count, partition_room_);
    partition_room_ -= unit.reserved;
    partitioned_.fetch_sub(count, std::memory_order_acq_rel);
    next_partition_ = index + 1;
    return true;
  }
  return false;
}

void NodeRunner::release_partition(const Unit& unit) {
  std::lock_guard lock(take_mutex_);
  partitions_[static_cast<std::size_t>(unit.partition)].busy = false;
  // The worker that releases goes on to look for work (step), so what waits
  // in this partition is never left without one.
}

NodeRunner::Step NodeRunner::take_partitioned() {
  Unit unit;
  const std::size_t want = unit_size();
  bool claimed = false;
  {
    std::lock_guard lock(take_mutex_);
    claimed = claim_partition(unit, want);
  }
  if (!claimed) {
    // Queued messages whose partitions are all held: take no more until one is free.
    if (partitioned_.load(std::memory_order_acquire) >= partition_cap_) return Step::Idle;
    if (room_.waiting() && !unit_limit_.hand) return Step::Idle;  // the full edge wakes this node
    const Room room = reserve_room(want);
    const std::size_t take = room.messages > 0 ? room.messages : unit_limit_.hand ? 1 : 0;
    if (take == 0) return Step::Idle;
    Chunk taken;
    InputState inputs;
    std::size_t kept = 0;
    auto input_epoch = input_.epoch();
    {
      // Taking and queueing are one step, so each partition's queue is in input order.
      std::lock_guard lock(take_mutex_);
      // The queues never pass their cap: partitioned_ changes only under this lock.
      auto queued = partitioned_.load(std::memory_order_relaxed);
      if (queued < partition_cap_) inputs = take_input(taken, std::min(take, partition_cap_ - queued));
      kept = std::min(room.per_edge, taken.size());
      // in_ changes only here, under this lock: it numbers the messages as they are taken.
      auto number = in_.load(std::memory_order_relaxed);
      for (auto& message : taken) {
        if (message.is_batch()) refuse_batch();
        auto& partition = partitions_[partition_of(message)];
        partition.queue.push_back(std::move(message));
        partition.numbers.push_back(number++);
      }
      partitioned_.fetch_add(taken.size(), std::memory_order_acq_rel);
      partition_room_ += kept;
      in_.fetch_add(taken.size(), std::memory_order_relaxed);
      claimed = claim_partition(unit, want);
    }
    if (kept < room.per_edge) release_outputs(room.per_edge - kept);
    if (inputs.emptied && !inputs.drained) {
      input_.wait(input_epoch);
    } else {
      input_.found();
    }
    if (!claimed) return taken.empty() && inputs.shed == 0 ? Step::Idle : Step::Progress;
  }
  // More partitions may have work: recruit another worker while this one works.
  if (partitioned_.load(std::memory_order_acquire) > 0) schedule();
  unit.taken = unit.messages.size();
  unit.started = Clock::now();
  return run_unit(unit);
}

}  // namespace flow::exec
