#pragma once
// One JetStream stream and one durable pull consumer per cut edge: their
// names, and their creation (or the check that the ones there agree with the
// file) when a part starts.
#include <string>

#include "flow/model.hpp"
#include "runtime/cut/nats.hpp"

namespace flow::cut {

struct CutNames {
  std::string stream;    ///< "flow-PIPELINE-FROM-TO": also the durable consumer's name
  std::string subject;   ///< "flow.PIPELINE.FROM.TO"
  std::string presence;  ///< key prefix in the pipeline's presence bucket: "FROM.TO"
};

CutNames names_of(const Pipeline& pipeline, EdgeId edge);
/// The key-value bucket where the parts say which producers are running: "flow-PIPELINE".
std::string presence_bucket(const Pipeline& pipeline);

/// The stream's limits for the edge: capacity → max_msgs, max_bytes → max_bytes,
/// drop_oldest → discard=old, any other policy → discard=new; work-queue
/// retention, file storage.
void ensure_stream(jsCtx* js, const Pipeline& pipeline, EdgeId edge);
/// The durable pull consumer every process of the consuming part shares.
void ensure_consumer(jsCtx* js, const Pipeline& pipeline, EdgeId edge);

/// How long JetStream waits for an acknowledgement before it delivers a
/// message again; a part keeps what it holds longer alive with progress acks.
inline constexpr std::int64_t kAckWaitMs = 5000;

}  // namespace flow::cut
