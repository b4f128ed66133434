#pragma once
// The consuming end of a cut edge: a thread that pulls from the edge's
// durable consumer into a small buffer, and the cut_consume source that hands
// the buffer to the runtime. Each message taken carries a Receipt: it is
// acknowledged when the part is done with it, or given back (nak) when the
// part stops without finishing it. The input ends when every producer of the
// edge has closed and the stream holds nothing more for this process. A
// durable consumer that is gone (deleted, or a server back without its store)
// fails the part: waiting on it would be waiting forever.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>

#include "flow/model.hpp"
#include "flow/operator.hpp"
#include "runtime/cut/counters.hpp"
#include "runtime/cut/nats.hpp"
#include "runtime/cut/presence.hpp"
#include "runtime/cut/streams.hpp"

namespace flow::cut {

class Consumer {
 public:
  /// `prefetch`: the most messages taken ahead of the runtime (the hand-off's capacity).
  Consumer(const Connection& connection, const Pipeline& whole, EdgeId edge, CutCounters& counters,
           Presence& presence, std::size_t prefetch);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  /// The first call starts taking from the stream: a part whose operators
  /// cannot be made (a locked file) fails before it has taken anything.
  SourcePull pull(Chunk& out, std::size_t max, Clock::time_point now);
  /// Tells JetStream that what this process holds is still being worked on
  /// (it would deliver it again after kAckWaitMs otherwise).
  void keep_alive();
  /// From now on, messages let go of are given back, not acknowledged: the
  /// run failed or stopped before finishing them.
  void abandon();
  /// Stops pulling; what is left in the buffer is given back.
  void stop();
  /// Every producer has closed and the stream held nothing more for this process.
  bool input_over();
  /// What the presence bucket says of this process: "open", or "ending" once
  /// it has seen its input end and finishes what it holds.
  const char* presence_state() const { return ending_.load() ? "ending" : "open"; }

 private:
  class Taken;
  void fetch_loop();
  /// Waits for room in the buffer; 0 when the fetcher is to end.
  int wait_for_room();
  /// After a pull that brought nothing: true when the fetcher is done, its
  /// input over or its durable consumer gone.
  bool look(bool idle);
  /// The server has said twice, a look apart, that the consumer or its stream does not exist.
  bool consumer_gone();
  void take(natsMsg* msg);
  bool input_ended();
  void settle(Taken* taken);

  const Pipeline& whole_;
  EdgeId edge_;
  CutNames names_;
  CutCounters& counters_;
  Presence& presence_;
  jsCtx* js_;
  NatsPtr<natsSubscription> subscription_;
  std::size_t prefetch_;
  bool started_ = false;             ///< the fetcher runs; only pull() and stop() touch it, never at once
  Clock::time_point quiet_since_{};  ///< the last pull that had messages; only pull() touches it
  std::chrono::steady_clock::time_point next_look_{};  ///< the fetcher's next look at the consumer
  int missing_ = 0;                                    ///< looks in a row that found the consumer gone

  std::mutex mutex_;  ///< guards the buffer and the flags
  std::condition_variable room_;
  std::deque<Message> buffer_;
  bool ended_ = false;
  bool stopping_ = false;
  std::optional<std::string> gone_;  ///< the consumer is gone: the error pull() fails the run with
  std::uint64_t highest_gap_ = 0;    ///< drop_oldest: stream sequence minus delivery sequence, at most
  std::uint64_t gap_before_ = 0;     ///< the same when this process opened the consumer: earlier runs' drops
  bool warned_dead_ = false;         ///< said once that every producer has died
  std::atomic<bool> ending_{false};

  std::mutex outstanding_mutex_;  ///< guards outstanding_ and abandoned_; acks happen under it
  std::unordered_set<Taken*> outstanding_;
  bool abandoned_ = false;

  std::thread fetcher_;
};

}  // namespace flow::cut
