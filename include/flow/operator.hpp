#pragma once
// The interface between the runtime and an operator. Built-in operators and a
// user's own C++ operators implement it the same way and register in the
// OperatorRegistry (registry.hpp). Nothing here knows TBB.
#include <atomic>
#include <cstddef>
#include <memory>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "flow/message.hpp"
#include "flow/model.hpp"

namespace flow {

/// Thrown by an operator whose output stream failed for good (a sink's write:
/// ENOSPC, EFBIG, EIO, a closed descriptor). Every later write would fail too,
/// so the run fails whatever the node's on_error says. `written`: how many of
/// the chunk's first messages reached the stream in full before the error; the
/// runtime counts them delivered and the rest as errors.
class StreamError : public std::runtime_error {
 public:
  StreamError(const std::string& what, std::size_t written) : std::runtime_error(what), written_(written) {}
  std::size_t written() const { return written_; }

 private:
  std::size_t written_;
};

/// A StreamError whose cause is that the reader of a pipe has gone (EPIPE, as
/// in `flow run x.flow | head`). It is how GNU tools end too: not a failure of
/// the run but its end; the runtime stops the sources, drains (counting what
/// reaches this sink as errors) and ends the run with status BrokenPipe.
class BrokenPipe : public StreamError {
 public:
  using StreamError::StreamError;
};

/// What an operator may ask of the runtime while it works.
class OperatorContext {
 public:
  virtual ~OperatorContext() = default;
  /// Count `message` as filtered out by this operator (it is then not in the output).
  virtual void filtered(const Message& message) = 0;
  /// Report that this call changed the payload bytes of its messages by
  /// `delta` (replace, prefix): it keeps the payload bytes alive
  /// (memory_limit, peak_payload_bytes) exact.
  virtual void resized(std::int64_t delta) { (void)delta; }
  /// Count `message` as dropped under an overflow policy the operator carries
  /// out itself (a cut edge whose stream refused it: docs/distributed.md).
  virtual void dropped(const Message& message) { filtered(message); }
  /// Count `message`, which the operator removed from its chunk, as failed
  /// for `cause` (an HTTP call out of retries, a child that died holding it),
  /// while the rest of the chunk goes on. The node's on_error decides what
  /// follows: `fail` fails the run with the first cause, `skip` counts it as
  /// an error, a dead-letter route sends it on there (docs/dead_letters.md).
  /// Throwing from apply instead fails the whole chunk.
  virtual void failed(Message message, const std::string& cause) = 0;
  /// Whether the run has failed meanwhile (another node, a limit): an
  /// operator that waits inside apply (a retry's backoff, a slow call) gives
  /// up at once instead of finishing its wait for a run that is over.
  virtual bool stopping() const { return false; }
  /// Where the node has labeled outputs (Node::output_labels) and this
  /// operator ends its chain (route): the list the operator fills with, for
  /// each message it leaves in its chunk and in that order, the index of the
  /// label the message leaves by; the runtime splits the chunk by it
  /// (docs/routing.md). Null everywhere else. A per-unit list beside the
  /// chunk rather than a field of Message, which stays 88 bytes.
  virtual std::vector<std::uint32_t>* outputs() { return nullptr; }
};

/// A stage or sink operator. One instance per node, shared by the node's
/// workers: implementations that keep state must be thread-safe.
class Operator {
 public:
  virtual ~Operator() = default;

  /// Transforms `messages` in place (filter, rewrite, split, merge). Every message
  /// removed must be reported with `context.filtered`, every change of payload
  /// sizes with `context.resized`. A sink's last operator leaves
  /// in `messages` what it delivered. Throwing marks the chunk as failed (on_error).
  /// For an operator outside flow's library (a plugin's) the runtime also
  /// counts the chunk itself: messages given out beyond those taken are made
  /// (fan-out), missing ones are kept for a later call (docs/runtime.md).
  virtual void apply(Chunk& messages, OperatorContext& context) = 0;

  /// For operators that take time without using a CPU (delay, throttle): the
  /// earliest time `messages`, arriving at `now`, may go on to the next operator.
  /// The runtime waits on a timer, never on a sleeping worker thread. It asks
  /// only operators whose cost() is Cost::Wait. Under the virtual clock this
  /// is the only way to take time: Clock::now() stands still while apply runs.
  virtual std::optional<Clock::time_point> ready_at(const Chunk& messages, Clock::time_point now) {
    (void)messages; (void)now;
    return std::nullopt;
  }

  /// What each message costs a worker: it decides how many messages the
  /// runtime hands a worker at once.
  enum class Cost {
    Cheap,  ///< nanoseconds (text, batching): chunks of up to 64
    Cpu,    ///< burns CPU per message (spin): a few at a time from a backlog, else one, so every worker has work
    Wait,   ///< waits per message on the timer (delay, throttle): one at a time, so `workers` waits run at once
  };
  virtual Cost cost() const { return Cost::Cheap; }

  /// Operators whose apply blocks its thread while something outside works
  /// (a child process's pipes, an HTTP request) say so: the runtime gives
  /// each worker of the node a thread of its own on top of the cores, so
  /// `workers` calls wait at once without starving the other nodes.
  virtual bool blocks() const { return false; }

  /// Operators that may give out more messages than they take (unbatch) say so:
  /// the runtime then hands them one message at a time, so that what goes out
  /// beyond the room reserved downstream is at most one input's worth.
  virtual bool expands() const { return false; }

  /// Operators that keep messages from one call to the next (batch) say so:
  /// in an `ordered` node with several workers the runtime then applies them,
  /// and every operator after them, to units in the order the units were
  /// taken, so what they keep is in input order too.
  virtual bool holds_messages() const { return false; }

  /// For operators that hold messages back (batch): when the held ones must be
  /// flushed, and the flush itself. The runtime also flushes at end of input.
  virtual std::optional<Clock::time_point> flush_deadline() const { return std::nullopt; }
  virtual void flush(Chunk& out) { (void)out; }
  /// flush, giving out at most `most` messages: the runtime has room
  /// downstream for that many. An operator whose flush may give more (count:
  /// a row per key) keeps the rest for the next flush and its
  /// flush_deadline past meanwhile; the default gives everything.
  virtual void flush_some(Chunk& out, std::size_t most) {
    (void)most;
    flush(out);
  }
  /// Called when the node's input has ended, before its end-of-input flushes
  /// (maybe more than once): an operator that flushes by time (count's
  /// windows) gives up everything it holds from then on.
  virtual void input_ended() {}
  /// How much the payload bytes of what the last flush gave out differ from
  /// those of what it had held (count's new messages): flush has no
  /// OperatorContext to call resized on. The runtime asks after each flush.
  virtual std::int64_t flush_resized() { return 0; }

  /// Called once when the node's input has ended and its held messages are
  /// flushed, never after a failed run: a sink closes its stream here, so that
  /// an error the kernel reports only at close (a full disk over NFS) fails the
  /// run instead of passing unseen. Throwing fails the run naming the node.
  virtual void finish() {}

  /// What the operator counts of its own (HTTP requests, retries, answers
  /// by status; child restarts), by name: shown per node in the metrics
  /// (`nodes[].counts`), the summary and /metrics, as a source's are.
  /// Called from any thread while the run goes on: keep them in atomics.
  virtual std::vector<std::pair<std::string, std::uint64_t>> counts() const { return {}; }
};

/// What a source produced in one pull.
struct SourcePull {
  bool exhausted = false;                    ///< no more messages, ever (may come with the last ones appended)
  std::optional<Clock::time_point> next_at;  ///< nothing now: pull again at this time (rate, burst)
  /// Nothing now, and the source will call SourceContext::wake when it has
  /// something (a followed file grew, a socket was readable): no retry timer.
  bool wait = false;
};

/// What the runtime offers a source fed from outside the pipeline (a followed
/// file, a socket, HTTP requests): a way to be pulled again when input
/// arrives, a view of the room on its output, and a count for what it refuses
/// before it enters. Every method may be called from any thread, until the
/// run ends; after that, wake() does nothing.
class SourceContext {
 public:
  virtual ~SourceContext() = default;
  /// Input arrived: the runtime pulls again soon (never from inside this call).
  virtual void wake() = 0;
  /// Messages the output edges would take now without blocking or dropping
  /// (capacity less what is held, reserved and parked; the least over the
  /// outputs); nullopt when no output is bounded.
  virtual std::optional<std::size_t> room() const = 0;
  /// The overflow policy of the first output edge: what a full edge does.
  virtual Overflow policy() const = 0;
  /// The capacity of the first output edge, if bounded.
  virtual std::optional<std::uint64_t> capacity() const = 0;
  /// `messages` (of `bytes` payload) arrived and were refused because the
  /// output edge was full under a drop policy (an HTTP request answered 429):
  /// counted as produced by this source and dropped at its first output edge,
  /// so the edge's `in = out + dropped` and the source's balance hold.
  virtual void refused(std::size_t messages) = 0;
  /// Set once the run has failed, and readable after it ended: a receipt told
  /// then (messages let go at the end of a failed run) must not take them
  /// for delivered (a checkpoint, an acknowledgement).
  virtual std::shared_ptr<const std::atomic<bool>> run_failed() const = 0;
};

/// The first operator of a source node.
class SourceOperator {
 public:
  virtual ~SourceOperator() = default;
  /// Appends at most `max` new messages to `out` (payload, and `created` where
  /// the source knows a message's arrival time; the runtime stamps `source`,
  /// and `created` as the pull's time where it is left unset). Called by one
  /// thread at a time.
  virtual SourcePull pull(Chunk& out, std::size_t max, Clock::time_point now) = 0;
  /// Messages the source will produce in all, when known (for progress reports).
  virtual std::optional<std::uint64_t> expected_count() const { return std::nullopt; }

  /// Called once before the first pull; `context` outlives every later call.
  /// A source fed from outside keeps it to wake the runtime (SourcePull::wait).
  virtual void attach(SourceContext& context) { (void)context; }
  /// The sources are being stopped (Ctrl-C, SIGTERM, --duration), called from
  /// the thread that stops them, maybe while a pull runs on another. A source
  /// fed from outside stops taking input (closes its sockets, stops
  /// following) and returns true: the runtime then keeps pulling until it
  /// says `exhausted`, so what it took is not lost. It must not wait for the
  /// pipeline. The default, false: the runtime stops pulling at once.
  virtual bool stop() { return false; }
  /// What the source counts of its own (HTTP answers, connections, rotated
  /// files), by name: shown per node in the metrics, the summary and /metrics.
  virtual std::vector<std::pair<std::string, std::uint64_t>> counts() const { return {}; }
};

}  // namespace flow
