#pragma once
// Operators whose code is not flow's own: a plugin's, or one a program
// registered itself. flow's built-ins report every message they remove and
// every change of payload size (OperatorContext); a foreign operator may also
// give out more messages than it took (a fan-out of its own) without a word,
// so the runtime counts what each call made and kept from the chunk itself,
// and names the operator and its plugin in errors and crashes.
#include <cstdint>
#include <mutex>
#include <string>
#include <typeinfo>
#include <vector>

#include "flow/model.hpp"
#include "runtime/exec/run_state.hpp"

namespace flow::exec {

/// An operator of a node's chain as the runtime tells it apart.
struct OperatorOrigin {
  /// Who it is, for errors and crash reports: "stage parse (operator
  /// reverse from plugin ./libreverse.so)"; "(operator grep)" for a built-in.
  std::string note;
  bool foreign = false;  ///< its code lies outside flow's library
};

/// The origin of the operator made for `node.chain[index]`, whose dynamic type is `type`.
OperatorOrigin origin_of(const Node& node, std::size_t index, const std::type_info& type);

/// What one call of a foreign operator did, counted from its chunk: each
/// source's messages before the call, after it, and those it reported
/// filtered or dropped. A message is made when more come out than went in
/// and were not reported; one that went in and neither came out nor was
/// reported is held (kept for a later call, as batch does) until it comes out
/// again, or, when the node finishes, counts as filtered.
class Ledger {
 public:
  struct Call {
    const SourceTally& before;
    const SourceTally& after;
    const SourceTally& filtered;
    const SourceTally& dropped;
  };
  struct Change {
    SourceTally made;        ///< messages given out beyond those taken and held, per source (no bytes)
    std::int64_t bytes = 0;  ///< change of the payload bytes alive
  };
  /// `made` is an empty tally to fill in.
  Change settle(const Call& call, SourceTally made);
  /// What it still holds when its node finishes, into the empty tally `into` (bytes too).
  SourceTally leftover(SourceTally into);

 private:
  std::mutex mutex_;                 ///< the node's workers call the operator at once
  std::vector<std::uint64_t> held_;  ///< per source
  std::uint64_t held_bytes_ = 0;
};

}  // namespace flow::exec
