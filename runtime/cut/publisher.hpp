#pragma once
// The producing end of a cut edge: the cut_publish sink. Each chunk goes out
// as asynchronous publishes (one round trip per chunk, not per message), and
// what the stream refuses as full meets the edge's policy: block retries with
// backoff (the sink stays busy, the hand-off in front of it fills, and the
// producers block), drop_newest counts a drop, fail fails the run. Once the
// run is stopped (SIGTERM, Ctrl-C), a full stream is tried for kStopGrace
// more; what it still refuses then is counted as not published, and the part
// ends as any stopped run does.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "flow/model.hpp"
#include "flow/operator.hpp"
#include "runtime/cut/counters.hpp"
#include "runtime/cut/nats.hpp"
#include "runtime/cut/presence.hpp"
#include "runtime/cut/streams.hpp"

namespace flow::cut {

class Publisher final : public Operator {
 public:
  /// `interrupt`: the run's stop flag (Ctrl-C), so a full stream does not hold the part past it.
  /// `hand_back`: called before messages that could not be published are let
  /// go, so those a cut edge into the part delivered are given back to it.
  Publisher(const Connection& connection, const Pipeline& whole, EdgeId edge, CutCounters& counters,
            Presence& presence, const std::atomic<bool>* interrupt, std::function<void()> hand_back);
  ~Publisher() override;
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  void apply(Chunk& messages, OperatorContext& context) override;
  /// The input has ended and every publish is acknowledged: say so to the consumers.
  void finish() override;

 private:
  enum class Outcome { Pending, Stored, Full, Failed };
  struct Round;

  /// Publishes the messages at `indexes`, waits for the server's answers.
  void publish_round(const Chunk& messages, const std::vector<std::size_t>& indexes,
                     std::vector<Outcome>& outcomes);
  void send_all(const Chunk& messages, const std::vector<std::size_t>& indexes,
                std::vector<Outcome>& outcomes);
  static void on_ack(jsCtx* js, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure);
  [[noreturn]] void fail_full(std::size_t stored) const;
  [[noreturn]] void fail(const std::string& why, std::size_t stored) const;
  /// Waits for the answers still owed (or takes their messages back) and forgets the round.
  void end_round();
  /// The run is stopped and kStopGrace has passed since this edge first saw it.
  bool past_stop_grace();
  /// Takes out of `messages` those marked dropped or not published, counting each.
  void let_go(Chunk& messages, const std::vector<bool>& dropped, const std::vector<bool>& unpublished,
              OperatorContext& context);

  const Pipeline& whole_;
  EdgeId edge_;
  Overflow policy_;
  CutNames names_;
  CutCounters& counters_;
  Presence& presence_;
  const std::atomic<bool>* interrupt_;
  std::function<void()> hand_back_;
  std::atomic<std::int64_t> stop_deadline_ns_{0};  ///< steady clock; 0 until the stop is seen
  std::int64_t largest_message_ = 0;  ///< the server's largest payload, less than this is refused at once
  std::mutex mutex_;                  ///< guards the fields below, shared with on_ack
  std::unordered_map<natsMsg*, std::size_t> waiting_;  ///< published, not yet answered → index in the chunk
  std::vector<Outcome>* outcomes_ = nullptr;
  std::string last_error_;
  NatsPtr<jsCtx> js_;  ///< last: destroyed first, so no answer comes in after the fields it writes are gone
};

}  // namespace flow::cut
