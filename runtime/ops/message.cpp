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

void detach_payloads(Message& message) {
  message.payload.detach();
  for (auto& member : message.members) detach_payloads(member);
}

}  // namespace flow
