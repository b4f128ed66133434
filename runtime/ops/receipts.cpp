// The table of live receipts: a message holds a receipt's 4-byte number, and
// the number leads here. Receipts are few (one per message taken from a cut
// edge and not yet done with), so making one may take a lock; finding one
// must not, as every copy of such a message does it.
#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "flow/message.hpp"

namespace flow {
namespace {

constexpr std::uint32_t kBlockBits = 12;
constexpr std::uint32_t kBlockSize = 1u << kBlockBits;
constexpr std::uint32_t kBlocks = 1024;  // 4 M receipts alive at once

class ReceiptTable {
 public:
  std::uint32_t add(Receipt* receipt) {
    std::lock_guard lock(mutex_);
    std::uint32_t handle = 0;
    if (!free_.empty()) {
      handle = free_.back();
      free_.pop_back();
    } else {
      handle = next_++;
      if (handle >= kBlocks * kBlockSize) throw std::length_error("more than 4 M receipts alive at once");
      auto& block = blocks_[handle >> kBlockBits];
      if (block.load(std::memory_order_relaxed) == nullptr) {
        owned_.push_back(std::make_unique<std::atomic<Receipt*>[]>(kBlockSize));
        block.store(owned_.back().get(), std::memory_order_release);
      }
    }
    slot(handle).store(receipt, std::memory_order_release);
    return handle;
  }

  void remove(std::uint32_t handle) {
    std::lock_guard lock(mutex_);
    slot(handle).store(nullptr, std::memory_order_relaxed);
    free_.push_back(handle);
  }

  // Whoever holds the handle holds a reference: the slot cannot change under it.
  Receipt* find(std::uint32_t handle) { return slot(handle).load(std::memory_order_acquire); }

 private:
  std::atomic<Receipt*>& slot(std::uint32_t handle) {
    return blocks_[handle >> kBlockBits].load(std::memory_order_acquire)[handle & (kBlockSize - 1)];
  }

  std::mutex mutex_;
  std::array<std::atomic<std::atomic<Receipt*>*>, kBlocks> blocks_{};
  std::vector<std::unique_ptr<std::atomic<Receipt*>[]>> owned_;
  std::vector<std::uint32_t> free_;
  std::uint32_t next_ = 1;  // 0 means "no receipt"
};

ReceiptTable& table() {
  static ReceiptTable receipts;
  return receipts;
}

}  // namespace

Receipt::Receipt() : handle_(table().add(this)) {}

Receipt::~Receipt() { table().remove(handle_); }

void Receipt::release() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) done();
}

Receipt& receipt_at(std::uint32_t handle) { return *table().find(handle); }

}  // namespace flow
