#include "flow/message.hpp"

namespace flow {

std::size_t Message::batch_bytes() const {
  std::size_t total = payload.size();
  for (const auto& member : members) total += member.bytes();
  return total;
}

std::size_t Message::count() const {
  if (!is_batch()) return 1;
  std::size_t total = 0;
  for (const auto& member : members) total += member.count();
  return total;
}

void mark_lost(const Message& message) {
  if (message.receipt) message.receipt.get().lose();
  for (const auto& member : message.members) mark_lost(member);
}

void mark_lost(const Chunk& messages) {
  for (const auto& message : messages) mark_lost(message);
}

void detach_payloads(Message& message) {
  message.payload.detach();
  for (auto& member : message.members) detach_payloads(member);
}

}  // namespace flow
