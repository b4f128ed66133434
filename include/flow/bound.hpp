#pragma once
// The most messages (batch members one by one) and payload bytes a run of a
// pipeline can hold at once, derived from the file alone. `flow plan` prints
// it, the run summary sets the measured peaks beside it, and the property
// tests check every run against it. docs/runtime.md derives the formula.
#include <cstdint>
#include <optional>
#include <string>

#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow {

struct HoldBound {
  /// The formula's terms, in messages: what the edges hold (and the room
  /// reserved in them), what workers hold beyond it, what batches hold.
  std::uint64_t edges = 0, hands = 0, batches = 0;
  std::optional<std::string> unbounded_edge;  ///< an edge with no capacity: the terms bound nothing
  std::optional<std::uint64_t> in_flight;     ///< an explicit max_in_flight that caps the sum (no broadcast)

  std::optional<std::uint64_t> messages;       ///< the bound; nullopt: unbounded
  std::optional<std::uint64_t> payload_bytes;  ///< nullopt: unbounded, or a message size is not known from the file
};

/// The bound, with what each operator does to the count of messages (batches,
/// what it holds back, how many a worker takes) from its plan in `registry`.
HoldBound hold_bound(const Pipeline& pipeline, const OperatorRegistry& registry);

/// A term or a sum of the bound: "16", or "≥ 18446744073709551615" where it
/// saturated (every sum saturates at 2^64 - 1 instead of wrapping).
std::string count_text(std::uint64_t count);

/// "at most 16 messages (edge capacities 15 + workers' hands 1 + batch contents 0)", or why unbounded.
std::string messages_bound_text(const HoldBound& bound);
/// "at most 256B", or why not derivable.
std::string bytes_bound_text(const HoldBound& bound);

}  // namespace flow
