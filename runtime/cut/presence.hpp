#pragma once
// Which processes are producing into, and consuming from, each cut edge, in a
// JetStream key-value bucket per pipeline. It is how the end of input crosses
// a cut: a consuming part ends once every producer of its edges has closed
// and the streams are drained (docs/distributed.md, "End of input").
//   key   = FROM.TO.p.INSTANCE (a producer) or FROM.TO.c.INSTANCE (a consumer)
//   value = "open" (put again every second while the process lives), "ending"
//           (a consumer that has seen its input end and finishes what it
//           holds; also renewed) or "closed"
// An "open" entry not renewed for kStaleAfter belongs to a process that died.
#include <chrono>
#include <string>
#include <string_view>

#include "runtime/cut/nats.hpp"

namespace flow::cut {

inline constexpr std::chrono::seconds kHeartbeat{1};
inline constexpr std::chrono::seconds kStaleAfter{4};

enum class Side { Producer, Consumer };

/// What the bucket says of one side of one edge.
struct Census {
  int alive = 0;   ///< open and renewed lately
  int ending = 0;  ///< a consumer finishing what it holds, renewed lately
  int closed = 0;  ///< finished cleanly
  int dead = 0;    ///< open but not renewed: the process died (kill -9) or lost its server
};

class Presence {
 public:
  /// Opens the pipeline's bucket, creating it when `create` (a part); a
  /// reader (`flow status`) that finds none sees no process at all.
  Presence(jsCtx* js, const std::string& bucket, bool create = true);

  /// Puts this process's entry for `edge` (a CutNames::presence prefix).
  /// `state`: "open", "ending" or "closed".
  void announce(const std::string& edge, Side side, const std::string& instance, std::string_view state);
  Census census(const std::string& edge, Side side);
  /// Deletes the side's entries that are not alive: a new run's first producer
  /// forgets the last run's; the last consumer to finish forgets the edge.
  void forget_finished(const std::string& edge, Side side);

 private:
  template <typename Visit>
  void for_each_entry(const std::string& edge, Side side, Visit visit);

  NatsPtr<kvStore> store_;
};

/// This process's name in the bucket: host, pid and start time.
const std::string& instance_name();

}  // namespace flow::cut
