#pragma once
// A flow message as the bytes of one JetStream message. Our own small frame
// rather than NATS headers: headers cost a parse per message on both sides.
//   frame   = 0xF1 0x01 (flow, frame version 1)
//             created (8 bytes, little-endian ns since the Unix epoch) body
//   body    = 0x00 payload                       a plain message
//           | 0x01 count (4 bytes) member*       a batch
//   member  = length (4 bytes) body
// `created` crosses as wall-clock time, so end-to-end latency spans the
// parts (between machines, as exact as their clocks agree).
#include <optional>
#include <string>
#include <string_view>

#include "flow/message.hpp"

namespace flow::cut {

std::string encode(const Message& message);
/// nullopt when `bytes` is not a frame (a message some other program put on the subject).
std::optional<Message> decode(std::string_view bytes);

}  // namespace flow::cut
