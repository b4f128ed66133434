#pragma once
// One node of a running pipeline: its operators, its worker slots and the
// protocol that keeps at most `workers` of them busy without ever blocking a
// thread. A worker slot is logical: it is held by a TBB task while it works,
// or by a Unit waiting on the timer (delay), never by a sleeping thread.
//
// Files: node_runner.cpp (scheduling, the worker loop, finishing),
// node_chain.cpp (the fused chain, errors, timer waits, flushes),
// node_credit.cpp (room reserved downstream, waiting for it),
// node_emit.cpp (taking, fan-out, ordered emission, edges, sinks),
// node_source.cpp (pulling from the source operator), node_foreign.cpp
// (counting what operators that are not flow's own make and keep).
#include <atomic>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/exec/edge.hpp"
#include "runtime/exec/foreign.hpp"
#include "runtime/exec/histogram.hpp"
#include "runtime/exec/run_state.hpp"
#include "runtime/exec/timer.hpp"
#include "runtime/exec/wait_flag.hpp"
#include "flow/metrics.hpp"
#include "flow/operator.hpp"

namespace flow::exec {

/// Messages on their way through a node's chain.
struct Unit {
  Chunk messages;
  std::size_t next_op = 0;       ///< index of the next operator to apply
  std::uint64_t seq = 0;         ///< emission order, for ordered nodes
  std::uint64_t first = 0;       ///< messages the node took before these (before the first, if scattered)
  std::size_t taken = 0;         ///< messages taken from the input for this unit
  std::size_t reserved = 0;      ///< room claimed on each output edge that gives credit
  std::size_t flush_most = 0;    ///< a flush unit: the most messages the flush may give (the room reserved)
  Clock::time_point started{};
  bool flushing = false;  ///< ordered tail: flush operator `next_op` at this unit's turn, then go on
  /// A node with labeled outputs: per message, the label it leaves by (route fills it).
  std::vector<std::uint32_t> routes;
  /// A partitioned node (partition=by): the partition this unit holds until it is emitted; -1: none.
  std::ptrdiff_t partition = -1;
  /// A partitioned unit whose messages were not taken one after another
  /// (other keys' came between): a failure names its first only.
  bool scattered = false;
};

/// What a TBB task hands a node: a fresh worker (null), or a unit whose timer
/// wait is over (owned by the task from then on). A plain pointer keeps the
/// activation trivially copyable inside TBB's recycled task objects.
struct Activation {
  Unit* resume = nullptr;
};

struct NodeOperators {
  std::unique_ptr<SourceOperator> source;         ///< set for a source node
  std::vector<std::unique_ptr<Operator>> chain;   ///< the rest of the chain, in order
};

class NodeRunner {
 public:
  /// How many messages a worker takes per unit: 1 for waiting or expanding
  /// chains and on_error=skip, up to 8 for CPU-bound ones (a share of the
  /// backlog), else up to 64; never more than the room its outputs give.
  struct UnitLimit {
    std::size_t max;
    bool share_backlog;  ///< take backlog / workers (at least 1), not simply up to `max`
    bool hand;           ///< works message by message: with no room downstream, a worker still takes one
  };

  NodeRunner(RunState& state, Timer& timer, NodeId id, NodeOperators operators);
  /// The source operator goes first: its threads may still wake this runner.
  ~NodeRunner();
  NodeRunner(const NodeRunner&) = delete;
  NodeRunner& operator=(const NodeRunner&) = delete;

  /// Wires the node to its edges; index k of `inputs` comes from `producers[k]`, of `outputs` goes to `consumers[k]`.
  void connect(std::vector<EdgeBuffer*> inputs, std::vector<NodeRunner*> producers,
               std::vector<EdgeBuffer*> outputs, std::vector<NodeRunner*> consumers);
  /// Wires the node's dead-letter edges (Node::dead_letter_outputs, in that
  /// order) and the runners they lead to.
  void connect_dead_letters(std::vector<EdgeBuffer*> edges, std::vector<NodeRunner*> consumers);
  /// How a worker gets started: puts an activation into the TBB graph.
  void set_spawn(std::function<void(const Activation&)> spawn) { spawn_ = std::move(spawn); }

  /// Makes sure a worker will look for work: starts one if a slot is free, else
  /// tells a busy one to look again; nothing while the node waits for room.
  void schedule();
  /// An input edge got messages or closed.
  void on_input();
  /// The body of the node's TBB task: its work, then that of any consumer it
  /// woke and held back for this thread (see Handoff in node_runner.cpp).
  void run_task(const Activation& activation) noexcept;

  const Node& node() const { return node_; }
  bool finished() const;
  /// Node counters so far (names and kind filled in).
  NodeMetrics metrics(double elapsed_s) const;
  const LatencyHistogram& delivery_latency() const { return delivery_latency_; }
  std::uint64_t delivered() const { return delivered_.load(std::memory_order_relaxed); }
  /// The graph is built: a source fed from outside may wake this runner from now on.
  void open_source();
  /// The sources are being stopped: a source fed from outside is told
  /// (SourceOperator::stop) and, if it drains what it took, pulled until exhausted.
  void stop_source();
  /// The run is over: a source fed from outside can wake this runner no more.
  void close_source();
  /// The source operator's expected count, for a source node.
  std::optional<std::uint64_t> expected() const { return ops_.source ? ops_.source->expected_count() : std::nullopt; }

 private:
  /// Blocked: a flush found no room downstream; the edge wakes the node when it has some.
  enum class Step { Progress, Idle, Suspended, Blocked };

  // node_runner.cpp
  void work(const Activation& activation) noexcept;
  Step step();
  bool claim_slot();    ///< takes a worker slot if one is free, else tells a busy worker to look again
  bool waits_for_room() const;  ///< only room opening downstream can give a worker something to do
  void hand_off_now();  ///< this worker goes on working: a consumer it held back gets a task of its own
  bool idle();  ///< true: the worker is done (slot released, or handed to a unit)
  void start_worker();
  bool inputs_done() const;
  bool blocked() const;  ///< an output edge holds this node's parked output: it takes nothing new
  void release_slot();
  void finish();
  void finish_operators();

  // node_chain.cpp
  Step run_unit(Unit& unit);
  Step continue_unit(std::unique_ptr<Unit> unit);
  /// Applies operators next_op..end-1; false when the run failed. A unit that
  /// must wait on the timer is moved into `*suspended`.
  bool run_ops(Unit& unit, std::size_t end, std::shared_ptr<Unit>* suspended);
  bool run_tail(Unit& unit, std::shared_ptr<Unit>* suspended);
  bool apply_one(Unit& unit, std::size_t op);
  /// An operator's stream failed: counts what it wrote and what it lost, then fails or stops the run.
  bool stream_failed(Unit& unit, std::size_t op, const StreamError& error);
  /// What an operator reported failed (OperatorContext::failed), by on_error.
  bool messages_failed(const Unit& unit, std::size_t op, Chunk& failed, const std::string& cause);
  void unit_done(Unit& unit);
  Step flush_due(bool everything);
  void arm_flush_timer();
  std::string failure(const Unit& unit, std::size_t op, const char* cause) const;
  /// Applies operator `op`; what it threw, if anything.
  std::exception_ptr call_apply(std::size_t op, Chunk& messages, OperatorContext& context) noexcept;
  /// Operator `op` threw `thrown` (not a refusal of the memory limit): on_error decides.
  /// `input`: the call's input as it was before it (on_error=NODE only).
  bool apply_failed(Unit& unit, std::size_t op, const std::exception_ptr& thrown, const SourceTally& before,
                    std::size_t messages_before, Chunk* input);

  // node_foreign.cpp
  /// Flushes operator `op` into `out`, `most` messages at most (the room
  /// reserved for them); a foreign one's output is counted (Ledger).
  void flush_operator(std::size_t op, Chunk& out, std::size_t most);
  /// After a call of foreign operator `op` that took `before` (`taken`
  /// messages) and left `out`: what it made and kept, counted (Ledger), and
  /// how much payload it makes per message taken (memory_room).
  void account_foreign(std::size_t op, const SourceTally& before, Chunk& out, const SourceTally& filtered,
                       const SourceTally& dropped, std::size_t taken);
  /// Under a memory limit, the input messages a node with a foreign operator
  /// may take, at the most payload it made per message so far (1 before it knows).
  std::size_t growth_room();
  /// At the node's end: what foreign operators still hold is gone with them (filtered).
  void retire_held();
  /// Whether calls of operator `op` are charged what they allocate (AllocationGuard).
  bool guarded(std::size_t op) const { return ledgers_[op] != nullptr && state_.memory_limited(); }
  /// A pull of the source operator, charged what it allocates when it is foreign.
  SourcePull pull_source(Chunk& out, std::size_t max, Clock::time_point now);

  // node_credit.cpp
  /// Room for a unit of up to `want` messages: `per_edge` reserved on each
  /// output that gives credit; `messages` the unit may hold (a round_robin
  /// node deals its unit out, so each edge needs only its share).
  struct Room {
    std::size_t per_edge = 0, messages = 0;
  };
  Room reserve_room(std::size_t want);
  /// Gives back what a unit of `used` messages does not need; returns what it keeps per edge.
  std::size_t keep_room(const Room& room, std::size_t used);
  std::size_t deal_width() const;                 ///< outputs a unit is dealt over: round_robin's, else 1
  std::size_t reserve_outputs(std::size_t want);  ///< credit on every output that gives it: the least granted
  std::size_t reserve_each(std::size_t want);     ///< reserve_outputs for several outputs
  void release_outputs(std::size_t count);        ///< gives back credit not used
  void on_room();  ///< an output edge that refused a reservation has room again

  // node_emit.cpp
  Step take_and_run();
  /// Ordered nodes: `workers` units are numbered and not yet emitted, so no
  /// more may start (the one emitting the oldest goes on). Caller holds take_mutex_.
  bool window_full() const;
  std::size_t unit_size() const;
  struct InputState {
    bool drained = false;  ///< every input is closed and empty
    bool emptied = false;  ///< every input is empty for now
    std::size_t shed = 0;  ///< messages taken and shed as expired (shed_expired)
  };
  /// Takes up to `max` from the inputs into `out`.
  InputState take_input(Chunk& out, std::size_t max);
  /// Sends the unit on; true when an ordered unit's tail waits on the timer, keeping its turn.
  bool emit(Unit& unit);
  bool emit_in_turn(Unit unit);  ///< caller holds reorder_mutex_ and it is this unit's turn
  void emit_chunk(Chunk& messages, std::size_t reserved, const std::vector<std::uint32_t>& routes);

  // node_split.cpp (docs/routing.md)
  /// Labeled outputs: each message to the edges of the label it took, in order; every output gets its credit back.
  void emit_routed(Chunk& messages, std::size_t reserved, const std::vector<std::uint32_t>& routes);
  /// After a routing operator: whether it gave one valid label per message (else the run fails).
  bool routes_given(const Unit& unit, std::size_t op);
  /// partition=by: takes input into the partitions (in input order, under
  /// take_mutex_), then works a unit of one partition no other worker holds.
  Step take_partitioned();
  /// Caller holds take_mutex_: moves up to `max` messages of a free partition
  /// into `unit`, which holds the partition until it is emitted; false: none.
  bool claim_partition(Unit& unit, std::size_t max);
  /// The unit was emitted: its partition is free for the next worker.
  void release_partition(const Unit& unit);
  std::size_t partition_of(const Message& message) const;
  /// A batch reached a partitioned node: fails the run, naming the node.
  void refuse_batch() const;
  void offer(std::size_t output, Chunk& messages, std::size_t reserved);
  void deliver(Chunk& messages);
  void on_unblocked();

  // node_route.cpp (docs/dead_letters.md)
  /// Sends `messages` (emptied) along the dead-letter edge to `target`:
  /// marked, offered without credit; what does not fit is dropped there.
  void route(NodeId target, Chunk& messages);
  /// Sheds the messages of `out[from..]`, just taken from input `input`, that
  /// are older than its edge's deadline or the node's (counted expired; routed
  /// by `expired=` or retired); returns how many the node's deadline shed.
  std::size_t shed_expired(std::size_t input, Chunk& out, std::size_t from, Clock::time_point now);
  /// Drops `dropped` by output edge `output` (already counted dropped on it):
  /// routed by its `dropped=`, else retired and their receipts lost.
  void drop(std::size_t output, Chunk& dropped);
  /// on_error=NODE: `failed` messages (emptied) go on to Node::errors_to.
  void route_failed(Chunk& failed);

  // node_source.cpp
  Step pull_and_run();
  bool claim_pull();    ///< true: this worker pulls; false: a request is left for the one pulling
  bool release_pull();  ///< true: another worker asked for a pull meanwhile
  std::uint64_t pull_claimed(Unit& unit);  ///< the pull itself, by the worker that claimed it; its payload bytes
  void arm_pull_timer(Clock::time_point again);
  /// Whether the source is done: exhausted, or stopped without a drain of its own.
  bool source_done() const;

  // node_outside.cpp
  /// The SourceContext a source is given. Its lock orders before the
  /// runner's: wake() schedules under it, so close() waits out a wake in progress.
  class Outside final : public SourceContext {
   public:
    explicit Outside(NodeRunner& runner) : runner_(runner) {}
    void wake() override;
    std::optional<std::size_t> room() const override;
    Overflow policy() const override;
    std::optional<std::uint64_t> capacity() const override;
    void refused(std::size_t messages) override;
    std::shared_ptr<const std::atomic<bool>> run_failed() const override { return runner_.state_.failure_flag(); }
    void open();   ///< the graph is built: wakes may start workers
    void close();  ///< the run is over: wakes do nothing

   private:
    NodeRunner& runner_;
    std::mutex mutex_;
    bool open_ = false;
  };
  void attach_source();

  RunState& state_;
  Timer& timer_;
  const Node& node_;
  const NodeId id_;
  NodeOperators ops_;
  const UnitLimit unit_limit_;
  const std::vector<bool> waits_;  ///< per operator of the chain: Cost::Wait, the only ones asked for ready_at
  const bool ordered_;
  /// Per operator of the chain: who it is (errors, crashes), and for a
  /// foreign one what it made and holds.
  std::vector<OperatorOrigin> origins_;
  std::vector<std::unique_ptr<Ledger>> ledgers_;  ///< null for flow's own operators
  bool has_foreign_ = false;                      ///< a ledger is set
  std::string node_note_;                         ///< "stage parse", while its worker runs no operator
  OperatorOrigin source_origin_;                  ///< a source's operator
  static constexpr std::uint64_t kGrowthUnknown = UINT64_MAX;
  /// The most payload bytes a call of a foreign operator made per message it
  /// took (memory limit; kGrowthUnknown before the first call).
  std::atomic<std::uint64_t> growth_{kGrowthUnknown};
  /// Ordered nodes: the operators from here on (the first that holds
  /// messages, and all after it) run in emission order, at each unit's turn;
  /// otherwise the chain's size.
  const std::size_t tail_from_;

  std::vector<EdgeBuffer*> inputs_, outputs_;
  std::vector<NodeRunner*> producers_, consumers_;
  /// Labeled outputs (Node::output_labels): per label, the indices of outputs_ that leave by it.
  std::vector<std::vector<std::size_t>> label_outputs_;
  std::function<void(const Activation&)> spawn_;

  mutable std::mutex sched_mutex_;  ///< guards active_, wake_, finished_
  int active_ = 0;                  ///< worker slots held (running or waiting on the timer)
  bool wake_ = false;               ///< something changed while every slot was held
  bool finished_ = false;

  /// An output edge has no room for this node: nothing but that room opening
  /// (on_room) lets it go on, so other wake-ups start no task.
  WaitFlag room_;
  /// A take found the inputs empty (and open): room alone starts no task, input does.
  WaitFlag input_;
  std::atomic<std::size_t> next_input_{0};
  std::atomic<std::size_t> next_output_{0};

  std::mutex take_mutex_;  ///< ordered nodes: taking and numbering are one step
  std::uint64_t next_seq_ = 0;
  std::mutex reorder_mutex_;
  std::atomic<std::uint64_t> next_emit_{0};  ///< written under reorder_mutex_, read when taking
  std::map<std::uint64_t, Unit> waiting_;  ///< ordered units that finished early, their tail not yet run
  std::atomic<bool> tail_flush_pending_{false};  ///< a flush waits for its turn in the ordered tail

  std::mutex flush_mutex_;
  std::atomic<bool> flush_wanted_{false};
  std::optional<Clock::time_point> flush_armed_;

  static constexpr int kPullFree = 0, kPulling = 1, kPullRequested = 2;
  std::atomic<int> pull_state_{kPullFree};  ///< sources: one pull at a time, and the requests made meanwhile
  std::mutex pull_mutex_;                   ///< guards next_pull_ and pull_armed_ against the pull timer
  std::atomic<bool> exhausted_{false};
  Clock::time_point next_pull_{};
  std::optional<Clock::time_point> pull_armed_;
  std::optional<std::uint64_t> largest_message_;  ///< payload bytes of the largest message pulled (memory_limit)

  std::atomic<std::uint64_t> in_{0}, out_{0}, errors_{0}, filtered_{0}, busy_ns_{0}, delivered_{0};
  LatencyHistogram work_latency_;
  LatencyHistogram delivery_latency_;
  // Last, so the members above keep the layout (the cache lines) they had
  // before sources fed from outside: bench/ab.sh's hops with two threads is
  // sensitive to where the hot counters fall.
  std::atomic<bool> stop_told_{false};  ///< SourceOperator::stop was called (once)
  std::atomic<bool> draining_{false};  ///< stopped, and the source drains what it took before it ends
  std::unique_ptr<Outside> outside_;   ///< set for a source node
  // Dead-letter routes and deadlines (node_route.cpp), after the hot members too.
  std::vector<EdgeBuffer*> dead_letters_;  ///< one per Node::dead_letter_outputs
  std::vector<NodeRunner*> dead_letter_consumers_;
  std::vector<Clock::duration> input_deadlines_;  ///< per input edge; zero: none
  Clock::duration deadline_{0};                   ///< the node's own; zero: none
  bool sheds_ = false;                            ///< an input edge or the node has a deadline
  std::atomic<std::uint64_t> expired_{0}, dead_lettered_{0};
  // partition=by (node_split.cpp): one FIFO per partition, worked by one
  // worker at a time; guarded by take_mutex_ but for the atomic count.
  struct Partition {
    std::deque<Message> queue;
    std::deque<std::uint64_t> numbers;  ///< per queued message: the node's count of messages taken before it
    bool busy = false;                  ///< a unit of it is being worked (or waits on the timer)
  };
  std::vector<Partition> partitions_;  ///< empty: the node is not partitioned
  std::size_t next_partition_ = 0;     ///< where the next claim starts looking: no partition starves
  std::size_t partition_room_ = 0;     ///< room reserved downstream (per credit edge) for the queued messages
  std::size_t partition_cap_ = 0;      ///< the most messages the queues hold before workers stop taking input
  std::atomic<std::size_t> partitioned_{0};  ///< messages in the queues
};

}  // namespace flow::exec
