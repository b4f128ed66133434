#pragma once
// A message as it moves through a running pipeline.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "flow/clock.hpp"
#include "flow/payload.hpp"

namespace flow {

struct Message {
  Payload payload;
  std::vector<Message> members;  ///< non-empty: this message is a batch (made by `batch`)
  std::uint32_t source = 0;      ///< NodeId of the source that made it (a batch: its first member's)
  Clock::time_point created{};   ///< when the source made it, for end-to-end latency

  bool is_batch() const { return !members.empty(); }
  /// Payload bytes held: the payload, or the members' payloads for a batch.
  std::size_t bytes() const { return is_batch() ? batch_bytes() : payload.size(); }
  /// Messages it stands for at a sink: 1, or the number of members of a batch (recursively).
  std::size_t count() const;

 private:
  std::size_t batch_bytes() const;
};

/// Copies the message's views (a batch: its members') out of their shared
/// blocks, for a message that will be held long.
void detach_payloads(Message& message);

/// Messages moved together between nodes and through an operator chain.
using Chunk = std::vector<Message>;

}  // namespace flow
