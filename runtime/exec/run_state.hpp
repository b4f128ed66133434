#pragma once
// What every node of one run shares: the clock, the first failure, the stop
// flags, the messages in flight (max_in_flight: reservations included), the
// messages and payload bytes alive (memory_limit, peaks), the per-source
// balance and the count of finished nodes. Counters on the hot path are relaxed
// atomics added to once per chunk, never per message.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "flow/model.hpp"
#include "flow/message.hpp"

namespace flow::exec {

/// Why a message left the pipeline. Expired: shed by a deadline and not
/// routed on; DeadLettered: delivered at a sink after a dead-letter route.
enum class Exit { Delivered, Dropped, Filtered, Errors, Expired, DeadLettered };

/// Messages counted per source, for one chunk: batch members count one by one,
/// each for the source that made it. Their payload bytes are counted too.
class SourceTally {
 public:
  explicit SourceTally(const std::vector<int>& source_index) : index_(&source_index) {}
  void add(const Message& message);
  void add_all(const Chunk& messages) {
    for (const auto& message : messages) add(message);
  }
  void add_to(std::size_t source, std::uint64_t n, std::uint64_t bytes = 0);
  std::uint64_t total() const { return total_; }
  std::uint64_t bytes() const { return bytes_; }
  const std::vector<std::uint64_t>& per_source() const { return counts_; }

 private:
  const std::vector<int>* index_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t bytes_ = 0;
};

class RunState {
 public:
  RunState(const Pipeline& pipeline, std::optional<std::uint64_t> memory_limit);

  const Pipeline& pipeline() const { return pipeline_; }
  Clock::time_point start() const { return start_; }
  double elapsed_s() const;

  /// Records the run's failure; the first one wins. Every worker stops soon after.
  void fail(std::string error);
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  /// The same as failed(), in a flag that outlives the run: receipts told
  /// after it (messages let go at the end of a failed run) read it.
  std::shared_ptr<const std::atomic<bool>> failure_flag() const { return failure_flag_; }
  std::optional<std::string> error() const;

  /// A sink's reader has gone (EPIPE): stops the sources so the run drains and
  /// ends BrokenPipe (unless it fails); `what` names the sink. The first one wins.
  void reader_gone(std::string what);
  /// What reader_gone said, if it was called.
  std::optional<std::string> reader_gone_note() const;

  void stop_sources() { stop_sources_.store(true, std::memory_order_release); }
  bool sources_stopped() const { return stop_sources_.load(std::memory_order_acquire); }

  /// A new tally for a chunk.
  SourceTally tally() const { return SourceTally(source_index_); }
  /// Index of node `id` among the sources, or -1.
  int source_index(NodeId id) const { return source_index_[id]; }
  std::size_t source_count() const { return source_nodes_.size(); }
  NodeId source_node(std::size_t index) const { return source_nodes_[index]; }

  /// Reserves room for up to `want` new messages under max_in_flight; returns how many.
  std::size_t reserve(std::size_t want);
  /// Settles a reservation once a source knows how many messages it made.
  void settle(std::size_t reserved, std::size_t used);
  /// Counts messages made by a source (already reserved) or by a fan-out copy (not reserved).
  void produced(const SourceTally& tally, bool reserved);
  /// Counts the messages an operator that is not flow's own gave out beyond
  /// those it took (fan-out: `made`, per source, not reserved) and its change
  /// of the payload bytes alive; passing the memory limit fails the run naming `who`.
  void made(const SourceTally& made, std::int64_t bytes, const std::string& who);
  /// Source `source` refused `n` messages at the door (its edge was full under
  /// a drop policy): produced and dropped at once, never alive or in flight.
  void refused(std::size_t source, std::uint64_t n);
  /// Counts messages leaving the pipeline, freeing their room in flight.
  void retire(const SourceTally& tally, Exit why);
  /// An operator (`who`: "stage x (operator prefix)") changed the payload bytes
  /// of the messages it worked on by `delta`.
  void resized(std::int64_t delta, const std::string& who);
  /// How many messages (a source) or input messages (a stage whose operator
  /// makes messages) `node` may still take, each making `message_bytes` (the
  /// most seen so far; nullopt before the first) under the memory limit:
  /// SIZE_MAX without a limit, 1 while the size is unknown, 0 fails the run naming the node.
  std::size_t memory_room(std::optional<std::uint64_t> message_bytes, const Node& node);
  bool memory_limited() const { return memory_limit_.has_value(); }
  /// An operator's call is about to allocate `bytes` more (negative: it freed
  /// some): false, and nothing counted, when that would take the payload alive
  /// and what calls allocate past the memory limit (AllocationGuard).
  bool allocating(std::int64_t bytes);
  /// Fails the run for a call of `who` that had `allocated` bytes when `allocating` refused it `bytes` more.
  void allocation_refused(const std::string& who, std::int64_t allocated, std::size_t bytes);
  /// Messages alive (made and not yet delivered, dropped, filtered or failed; batch
  /// members one by one), and their payload bytes: now, and the most at once.
  std::uint64_t peak_messages() const { return peak_messages_.load(std::memory_order_relaxed); }
  std::uint64_t peak_payload_bytes() const { return peak_bytes_.load(std::memory_order_relaxed); }
  /// Called when room in flight opens again after being used up.
  void on_room(std::function<void()> wake_sources) { wake_sources_ = std::move(wake_sources); }
  /// Called before the sources are stopped for a reader gone (reader_gone):
  /// the sources fed from outside are told, as for Ctrl-C.
  void on_stopping(std::function<void()> tell_sources) { tell_sources_ = std::move(tell_sources); }
  std::int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

  struct Balance {
    std::atomic<std::uint64_t> produced{0}, delivered{0}, dropped{0}, filtered{0}, errors{0};
    std::atomic<std::uint64_t> expired{0}, dead_lettered{0};
  };
  const Balance& balance(std::size_t source) const { return balance_[source]; }

  /// A node has finished (its outputs are closed).
  void node_finished();
  /// Waits until every node has finished or the run failed, at most until
  /// `deadline` in real time (also under the virtual clock). True when over.
  bool wait_until_over(std::chrono::steady_clock::time_point deadline);
  bool over() const;

 private:
  void freed(std::uint64_t n);
  bool over_locked() const;
  /// `who` names the operator when one changed the bytes (the failure says so).
  void grow(std::int64_t messages, std::int64_t bytes, const std::string* who = nullptr);
  std::uint64_t bytes_alive() const;

  const Pipeline& pipeline_;
  const Clock::time_point start_ = Clock::now();
  const std::uint64_t max_in_flight_;  ///< 0 = no limit
  const std::optional<std::uint64_t> memory_limit_;

  std::atomic<bool> failed_{false};
  std::shared_ptr<std::atomic<bool>> failure_flag_ = std::make_shared<std::atomic<bool>>(false);
  std::atomic<bool> stop_sources_{false};
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> alive_messages_{0}, alive_bytes_{0};
  std::atomic<std::int64_t> allocating_{0};  ///< net bytes allocated by guarded calls now running
  std::atomic<std::uint64_t> peak_messages_{0}, peak_bytes_{0};
  std::function<void()> wake_sources_;
  std::function<void()> tell_sources_;

  std::vector<int> source_index_;
  std::vector<NodeId> source_nodes_;
  std::unique_ptr<Balance[]> balance_;

  mutable std::mutex mutex_;  ///< guards error_, reader_gone_ and finished_, with over_
  std::condition_variable over_;
  std::optional<std::string> error_;
  std::optional<std::string> reader_gone_;
  std::size_t finished_ = 0;
};

}  // namespace flow::exec
