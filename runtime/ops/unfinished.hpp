#pragma once
// Internal to flow: a source that holds input bytes it has not made into
// messages yet (read()'s unfinished line) says how many, and the runtime
// counts them as payload alive (--memory-limit, peak_payload_bytes). Not a
// member of the public SourceOperator: that would change the plugin ABI.
#include <cstdint>

namespace flow::ops {

class HoldsUnfinished {
 public:
  /// How much the bytes held changed since the last call (negative: fewer).
  virtual std::int64_t take_held_change() = 0;

 protected:
  ~HoldsUnfinished() = default;
};

}  // namespace flow::ops
