#include "flow/payload.hpp"

#include <new>
#include <ostream>

namespace flow {

SharedBytes* SharedBytes::make(std::size_t capacity) {
  void* memory = ::operator new(sizeof(SharedBytes) + capacity);
  return new (memory) SharedBytes(capacity);
}

void SharedBytes::release() {
  // acq_rel: the last holder must see every other holder's reads as done.
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    this->~SharedBytes();
    ::operator delete(this);
  }
}

std::ostream& operator<<(std::ostream& out, const Payload& payload) { return out << payload.view(); }

}  // namespace flow
