#pragma once
// A message as it moves through a running pipeline.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "flow/clock.hpp"
#include "flow/payload.hpp"

namespace flow {

/// Told when a message, and every copy and batch made of it, is done with:
/// delivered at a sink, dropped by a policy, filtered, or destroyed at the end
/// of a run. A cut edge acknowledges the JetStream message it took then
/// (docs/distributed.md), so a message is acknowledged only once its part has
/// finished with it.
class Receipt {
 public:
  Receipt() = default;
  Receipt(const Receipt&) = delete;
  Receipt& operator=(const Receipt&) = delete;
  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) done();
  }

 protected:
  virtual ~Receipt() = default;
  /// The last holder let go; the receipt owns itself from here (delete this).
  virtual void done() = 0;

 private:
  std::atomic<std::uint32_t> refs_{1};
};

/// A counted reference to a Receipt; empty for nearly every message.
class ReceiptRef {
 public:
  ReceiptRef() = default;
  /// Takes over the one reference a new Receipt starts with.
  explicit ReceiptRef(Receipt* receipt) : receipt_(receipt) {}
  ReceiptRef(const ReceiptRef& other) : receipt_(other.receipt_) {
    if (receipt_ != nullptr) receipt_->retain();
  }
  ReceiptRef(ReceiptRef&& other) noexcept : receipt_(other.receipt_) { other.receipt_ = nullptr; }
  ReceiptRef& operator=(ReceiptRef other) noexcept {
    std::swap(receipt_, other.receipt_);
    return *this;
  }
  ~ReceiptRef() {
    if (receipt_ != nullptr) receipt_->release();
  }
  explicit operator bool() const { return receipt_ != nullptr; }

 private:
  Receipt* receipt_ = nullptr;
};

struct Message {
  Payload payload;
  std::vector<Message> members;  ///< non-empty: this message is a batch (made by `batch`)
  std::uint32_t source = 0;      ///< NodeId of the source that made it (a batch: its first member's)
  Clock::time_point created{};   ///< when the source made it, for end-to-end latency
  ReceiptRef receipt;            ///< set by a source that must know when the message is done (cut_consume)

  bool is_batch() const { return !members.empty(); }
  /// Payload bytes held: the payload, or the members' payloads for a batch.
  std::size_t bytes() const { return is_batch() ? batch_bytes() : payload.size(); }
  /// Messages it stands for at a sink: 1, or the number of members of a batch (recursively).
  std::size_t count() const;

 private:
  std::size_t batch_bytes() const;
};

/// Copies the message's views (a batch: its members') out of their shared
/// blocks, for a message that will be held long.
void detach_payloads(Message& message);

/// Messages moved together between nodes and through an operator chain.
using Chunk = std::vector<Message>;

}  // namespace flow
