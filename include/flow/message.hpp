#pragma once
// A message as it moves through a running pipeline.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "flow/clock.hpp"
#include "flow/fields.hpp"
#include "flow/payload.hpp"

namespace flow {

/// Told when a message, and every copy and batch made of it, is done with:
/// delivered at a sink, dropped by a policy, filtered, or destroyed at the end
/// of a run. A cut edge acknowledges the JetStream message it took then
/// (docs/distributed.md), so a message is acknowledged only once its part has
/// finished with it.
class Receipt {
 public:
  Receipt();
  Receipt(const Receipt&) = delete;
  Receipt& operator=(const Receipt&) = delete;
  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release();
  /// A message holding it left the pipeline undelivered: dropped by an edge's
  /// policy or an operator, or failed (on_error, a broken stream). Filtered
  /// messages are not lost: the pipeline chose not to keep them.
  void lose() { lost_.store(true, std::memory_order_relaxed); }
  /// Whether any holder was lost; read in done(), after every holder let go.
  bool lost() const { return lost_.load(std::memory_order_relaxed); }
  /// Its number in the table of live receipts, never 0 (what a message holds).
  std::uint32_t handle() const { return handle_; }

 protected:
  virtual ~Receipt();
  /// The last holder let go; the receipt owns itself from here (delete this).
  virtual void done() = 0;

 private:
  std::atomic<std::uint32_t> refs_{1};
  std::atomic<bool> lost_{false};
  std::uint32_t handle_;
};

/// The live receipt numbered `handle` (Receipt::handle).
Receipt& receipt_at(std::uint32_t handle);

/// A counted reference to a Receipt; empty for nearly every message. It holds
/// the receipt's 4-byte number, not a pointer, so it fits in the padding of a
/// Message and a message in one process pays nothing for it in size.
class ReceiptRef {
 public:
  ReceiptRef() = default;
  /// Takes over the one reference a new Receipt starts with.
  explicit ReceiptRef(Receipt* receipt) : handle_(receipt->handle()) {}
  ReceiptRef(const ReceiptRef& other) : handle_(other.handle_) {
    if (handle_ != 0) receipt_at(handle_).retain();
  }
  ReceiptRef(ReceiptRef&& other) noexcept : handle_(other.handle_) { other.handle_ = 0; }
  ReceiptRef& operator=(ReceiptRef other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  ~ReceiptRef() {
    if (handle_ != 0) receipt_at(handle_).release();
  }
  explicit operator bool() const { return handle_ != 0; }
  /// The receipt held (there must be one).
  Receipt& get() const { return receipt_at(handle_); }

 private:
  std::uint32_t handle_ = 0;
};

struct Message {
  Payload payload;
  std::vector<Message> members;  ///< non-empty: this message is a batch (made by `batch`)
  /// NodeId of the source that made it (a batch: its first member's).
  std::uint32_t source : 31 = 0;
  /// Sent along a dead-letter route (docs/dead_letters.md): a sink that
  /// delivers it counts it dead-lettered, not delivered. A bit beside
  /// `source`, so it takes no room of its own.
  std::uint32_t dead_letter : 1 = 0;
  ReceiptRef receipt;            ///< set by a source that must know when the message is done (cut_consume)
  Clock::time_point created{};   ///< when the source made it, for end-to-end latency
  /// Named fields beside the payload (docs/fields.md); empty until a parser sets some.
  FieldsRef fields;

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

/// Marks the receipts of `message` (a batch: of its members) lost (Receipt::lose).
void mark_lost(const Message& message);
/// mark_lost for every message of `messages`.
void mark_lost(const Chunk& messages);

}  // namespace flow
