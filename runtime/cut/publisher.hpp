#pragma once
// The producing end of a cut edge: the cut_publish sink. Each chunk goes out
// as asynchronous publishes (one round trip per chunk, not per message), and
// what the stream refuses as full meets the edge's policy: block retries with
// backoff (the sink stays busy, the hand-off in front of it fills, and the
// producers block), drop_newest counts a drop, fail fails the run.
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "flow/operator.hpp"
#include "flow/model.hpp"
#include "runtime/cut/counters.hpp"
#include "runtime/cut/nats.hpp"
#include "runtime/cut/presence.hpp"
#include "runtime/cut/streams.hpp"

namespace flow::cut {

class Publisher final : public Operator {
 public:
  Publisher(const Connection& connection, const Pipeline& whole, EdgeId edge, CutCounters& counters, Presence& presence);

  void apply(Chunk& messages, OperatorContext& context) override;
  /// The input has ended and every publish is acknowledged: say so to the consumers.
  void finish() override;

 private:
  enum class Outcome { Pending, Stored, Full, Failed };
  struct Round;

  /// Publishes the messages at `indexes`, waits for the server's answers.
  void publish_round(const Chunk& messages, const std::vector<std::size_t>& indexes, std::vector<Outcome>& outcomes);
  static void on_ack(jsCtx* js, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure);
  [[noreturn]] void fail_full(std::size_t stored) const;

  const Pipeline& whole_;
  EdgeId edge_;
  Overflow policy_;
  CutNames names_;
  CutCounters& counters_;
  Presence& presence_;
  NatsPtr<jsCtx> js_;
  std::mutex mutex_;                                   ///< guards the fields below, shared with on_ack
  std::unordered_map<natsMsg*, std::size_t> waiting_;  ///< published, not yet answered → index in the chunk
  std::vector<Outcome>* outcomes_ = nullptr;
  std::string last_error_;
};

}  // namespace flow::cut
