#pragma once
// One edge of a running pipeline: a bounded buffer of single messages with its
// overflow policy, the room producers have claimed in it (credit) and exact
// counters, all under the edge's own lock. It knows neither TBB nor the nodes
// around it: callers wake producer and consumer from what reserve(), offer()
// and take() report.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>

#include "runtime/exec/message_queue.hpp"
#include "flow/metrics.hpp"
#include "flow/model.hpp"

namespace flow::exec {

struct OfferResult {
  std::size_t accepted = 0;      ///< messages now held by the edge
  bool overflowed = false;       ///< `fail`: the edge was full; nothing was taken
  bool bytes_limited = false;    ///< `fail`: it was max_bytes, not capacity, that was reached
  bool unblocked = false;        ///< output parked earlier is all in now
  bool room_opened = false;      ///< room reserved and not used is free, and a producer worker waits for it
  bool out_of_room = false;      ///< credit: no room is left; the next take that opens some says so (room_opened)
};

struct TakeResult {
  std::size_t taken = 0;
  bool unblocked = false;        ///< the producer's parked output is all in: wake it
  bool room_opened = false;      ///< a producer found no room to reserve, and now there is: wake it
  bool drained = false;          ///< closed, and nothing left: the consumer will never get more
  bool emptied = false;          ///< nothing left for now (open or closed)
};

class EdgeBuffer {
 public:
  explicit EdgeBuffer(const Edge& edge);

  /// A bounded `block` edge gives credit: a producer reserves room before it
  /// takes input, and makes no more messages than it reserved. Other edges
  /// never make their producer wait, so they need none.
  bool gives_credit() const { return gives_credit_; }
  /// Reserves room for up to `want` messages (held + reserved + parked stays
  /// within capacity); returns how many. 0: the edge is full, and the next
  /// take() that opens room says so (room_opened). Without credit: `want`.
  std::size_t reserve(std::size_t want);
  /// Offers `messages` (emptied), made with `reserved` messages of room claimed
  /// by reserve() (0 without credit; an empty offer gives reserved room back,
  /// which may admit parked output): accepted ones are held; with `block`,
  /// those that do not fit (max_bytes, or more than reserved) are parked in the
  /// producer's name (not held, not yet `in`) until the consumer makes room;
  /// with a drop policy the discarded ones go to `dropped` (already counted).
  OfferResult offer(Chunk& messages, Chunk& dropped, std::size_t reserved = 0);

  /// Moves up to `max` held messages to the end of `out`, then admits parked ones into the room made.
  TakeResult take(Chunk& out, std::size_t max);

  /// The producer has finished: nothing more will be offered.
  void close();
  /// Closed and holding nothing: the consumer will never get more from it.
  bool drained() const;
  /// Messages the consumer could take now or soon (held and parked).
  std::size_t waiting() const;
  /// Room a producer fed from outside may count on now: capacity less what is
  /// held, reserved and parked; nullopt without a capacity.
  std::optional<std::size_t> free_room() const;
  /// Counts `messages` that arrived for this edge and were refused before
  /// being offered (a source answered 429): in and dropped both grow.
  void refuse(std::size_t messages);
  /// `n` messages the consumer just took were older than the edge's
  /// deadline: they count as expired, not as taken out.
  void expired(std::size_t n);
  /// `n` messages this edge dropped or shed were sent along a dead-letter route.
  void routed(std::size_t n);

  /// Producer output waits here (a `block` edge that was full). Read without
  /// the lock: a producer asks before every unit.
  bool has_parked() const;

  /// The counters, as EdgeMetrics (names are filled in by the caller).
  EdgeMetrics snapshot() const;

 private:
  std::size_t count_room() const;
  std::size_t credit_room() const;
  std::optional<std::uint64_t> byte_room() const;
  void admit(Chunk&& messages, std::uint64_t bytes);
  std::size_t admit_parked();  ///< moves parked messages into the room there is; returns how many
  void offer_block(Chunk& messages, std::size_t reserved, OfferResult& result);
  void offer_drop_newest(Chunk& messages, Chunk& dropped, OfferResult& result);
  void offer_drop_oldest(Chunk& messages, Chunk& dropped, OfferResult& result);
  void offer_fail(Chunk& messages, OfferResult& result);
  void note_state();  ///< times the blocked and full states
  bool wake_wanting();  ///< a producer that found no room is told once there is some

  const std::optional<std::uint64_t> capacity_;
  const std::optional<std::uint64_t> max_bytes_;
  const Overflow policy_;
  const bool gives_credit_;
  const bool dead_letter_;

  mutable std::mutex mutex_;
  MessageQueue held_;
  MessageQueue parked_;
  /// Set once, under the lock: drained() on an open edge (the common case,
  /// asked after every unit) then needs no lock.
  std::atomic<bool> closed_{false};
  /// !parked_.empty(), set under the lock by every change of parked_.
  std::atomic<bool> parked_now_{false};
  bool bytes_refused_ = false;  ///< the last offer hit max_bytes (the edge counts as full)
  std::uint64_t reserved_ = 0;  ///< room claimed by producer workers that have not offered yet
  bool wanting_ = false;        ///< a producer found no room to reserve

  std::uint64_t in_ = 0, out_ = 0, dropped_ = 0, expired_ = 0, routed_ = 0;
  std::uint64_t high_water_ = 0, high_water_bytes_ = 0;
  std::chrono::nanoseconds blocked_{0}, full_{0};
  std::optional<Clock::time_point> blocked_since_, full_since_;
};

}  // namespace flow::exec
