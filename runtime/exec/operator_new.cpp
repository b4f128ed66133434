// The library's global operator new and delete (running.hpp): in a file of
// their own, which sees no operator that promises not to throw.
#include <malloc.h>

#include <cstdlib>
#include <new>

#include "runtime/exec/running.hpp"

// The library's operator new and delete: malloc and free, as the standard
// library's, and while a guarded call runs on this thread (Running), every
// block is charged to its guard by its usable size, which the free gives back
// whether the delete knows the size or not. A sanitizer's own operator new
// comes first and leaves these unused (the guard then counts nothing).
void* operator new(std::size_t size) {
  while (true) {
    void* block = std::malloc(size == 0 ? 1 : size);  // NOLINT(cppcoreguidelines-no-malloc)
    if (block != nullptr) {
      if (auto* guard = flow::exec::running_guard; guard != nullptr) [[unlikely]] {
        try {
          guard->charge(malloc_usable_size(block));
        } catch (...) {
          std::free(block);  // NOLINT(cppcoreguidelines-no-malloc)
          throw;
        }
      }
      return block;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void operator delete(void* block) noexcept {
  if (block == nullptr) return;
  if (auto* guard = flow::exec::running_guard; guard != nullptr) [[unlikely]]
    guard->refund(malloc_usable_size(block));
  std::free(block);  // NOLINT(cppcoreguidelines-no-malloc)
}

void operator delete(void* block, std::size_t /*size*/) noexcept {
  operator delete(block);
}
