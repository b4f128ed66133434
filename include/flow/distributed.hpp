#pragma once
// Running one part of a pipeline whose parts run in separate processes,
// joined by cut edges on NATS JetStream (docs/distributed.md).
#include <string>
#include <vector>

#include "flow/metrics.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"
#include "flow/run.hpp"

namespace flow {

struct PartOptions {
  std::string part;      ///< a name parts_of(pipeline) lists
  std::string nats_url;  ///< e.g. "nats://127.0.0.1:4222"
};

/// Runs the nodes of `options.part` (flow/parts.hpp), creating or checking
/// the stream of each of its cut edges. The metrics are the part's: its own
/// nodes, stand-ins for the far ends of its cut edges (`remote`), and its
/// edges, the cut ones with `transport` "jetstream" and the stream's fill.
/// Never throws for a failed run; a server it cannot reach, or a stream that
/// disagrees with the file, is a failed run whose error says so.
RunMetrics run_part(const Pipeline& pipeline, const OperatorRegistry& registry, const RunOptions& run_options,
                    const PartOptions& options);

/// One cut edge as its stream holds it now, for `flow status`.
struct CutEdgeStatus {
  std::string edge;      ///< "a -> b"
  std::string from_part, to_part;
  std::string stream;
  bool exists = false;   ///< the stream has been created (a part has started)
  std::uint64_t held = 0;
  std::optional<std::uint64_t> capacity;
  std::uint64_t bytes_held = 0;
  std::uint64_t taken = 0;     ///< delivered to the consuming part and not yet acknowledged
  int producers = 0;     ///< producing processes alive now
  int consumers = 0;     ///< consuming processes alive now
};

/// Every cut edge of `pipeline` as the server at `nats_url` holds it; throws
/// std::runtime_error when the server cannot be reached or has no JetStream.
std::vector<CutEdgeStatus> cut_status(const Pipeline& pipeline, const std::string& nats_url);

/// `nats_url` (one URL or a comma-separated list) fit to print: the password
/// or token of each URL replaced by `***`, as in `nats://user:***@host:4222`.
/// Every message flow prints about a server shows its URL this way.
std::string redacted_nats_url(const std::string& nats_url);

}  // namespace flow
