// run_part: one part of a pipeline, joined to the others by its cut edges.
#include <fmt/format.h>

#include <condition_variable>
#include <map>
#include <thread>

#include "flow/distributed.hpp"
#include "flow/parts.hpp"
#include "runtime/cut/consumer.hpp"
#include "runtime/cut/publisher.hpp"
#include "runtime/cut/say.hpp"
#include "runtime/ops/builtins.hpp"

namespace flow {
namespace {

using namespace flow::cut;

/// A cut_consume source: the runtime's view of a Consumer the part owns.
class ConsumeSource final : public SourceOperator {
 public:
  explicit ConsumeSource(Consumer& consumer) : consumer_(consumer) {}
  SourcePull pull(Chunk& out, std::size_t max, Clock::time_point now) override {
    return consumer_.pull(out, max, now);
  }

 private:
  Consumer& consumer_;
};

/// A producer's presence: "open" while it runs, "closed" once its input ended.
struct ProducerPresence {
  std::mutex mutex;
  bool closed = false;
};

/// A cut_publish sink that says "closed" on finish and no "open" after it.
class PublishSink final : public Operator {
 public:
  PublishSink(std::unique_ptr<Publisher> publisher, ProducerPresence& presence)
      : publisher_(std::move(publisher)), presence_(presence) {}
  void apply(Chunk& messages, OperatorContext& context) override { publisher_->apply(messages, context); }
  void finish() override {
    std::lock_guard lock(presence_.mutex);
    presence_.closed = true;
    publisher_->finish();
  }

 private:
  std::unique_ptr<Publisher> publisher_;
  ProducerPresence& presence_;
};

std::int64_t edge_argument(const OperatorCall& call) {
  return std::get<std::int64_t>(call.args.at("edge"));
}

class PartRun {
 public:
  PartRun(const Pipeline& whole, const PartOptions& options)
      : whole_(whole),
        options_(options),
        local_(part_pipeline(whole, options.part)),
        connection_(options.nats_url, fmt::format("flow {} part {}", whole.name, options.part)),
        presence_(connection_.jetstream(), presence_bucket(whole)) {}
  ~PartRun() { stop_keeper(); }
  PartRun(const PartRun&) = delete;
  PartRun& operator=(const PartRun&) = delete;

  RunMetrics run(const OperatorRegistry& registry, RunOptions run_options) {
    interrupt_ = run_options.interrupt;
    open_edges(registry);
    keeper_ = std::thread([this] { keep(); });
    auto report = run_options.on_report;
    if (report) {
      run_options.on_report = [this, report](const RunMetrics& snapshot) {
        auto patched = snapshot;
        patch(patched);
        report(patched);
      };
    }
    auto caller_over = run_options.on_over;
    run_options.on_over = [this, caller_over](RunStatus status) {
      // Before the run lets go of what it holds: a failed or stopped run gives it back.
      if (status != RunStatus::Ok) abandon_consumers();
      if (caller_over) caller_over(status);
    };
    auto metrics = flow::run(local_.pipeline, with_cut_operators(registry), run_options);
    close(metrics.status == RunStatus::Ok);
    patch(metrics);
    say_unpublished();
    return metrics;
  }

 private:
  // How many messages a consuming process takes ahead from a cut edge. A
  // message it has taken stays in the stream, unacknowledged, until it is
  // done: a process that took more than it can work on would hold them from
  // the other processes of its part (scale-out), and from the stream's
  // capacity. A node that works a message at a time (delay, spin) takes one
  // per worker; a cheap one, chunks of up to kLargestChunk.
  std::size_t take_ahead(const OperatorRegistry& registry, const Node& consumer, const Edge& edge) const {
    auto plan = consumer.chain.empty() ? std::nullopt : registry.plan(consumer.chain.front());
    bool one_at_a_time = plan && plan->cost && *plan->cost != Operator::Cost::Cheap;
    auto most = std::min<std::uint64_t>(edge.capacity.value_or(kLargestChunk), kLargestChunk);
    if (one_at_a_time) most = std::min<std::uint64_t>(most, static_cast<std::uint64_t>(consumer.workers));
    return static_cast<std::size_t>(std::max<std::uint64_t>(most, 1));
  }

  void open_edges(const OperatorRegistry& registry) {
    for (std::size_t local_edge = 0; local_edge < local_.edges.size(); ++local_edge) {
      auto whole_edge = local_.edges[local_edge];
      if (!is_cut(whole_, whole_edge)) continue;
      ensure_stream(connection_.jetstream(), whole_, whole_edge);
      counters_[whole_edge];
      const auto& edge = whole_.edges[whole_edge];
      auto names = names_of(whole_, whole_edge);
      if (whole_.nodes[edge.to].part == options_.part) {
        ensure_consumer(connection_.jetstream(), whole_, whole_edge);
        auto prefetch = take_ahead(registry, whole_.nodes[edge.to], edge);
        local_.pipeline.edges[local_edge].capacity = prefetch;
        consumers_[whole_edge] = std::make_unique<Consumer>(connection_, whole_, whole_edge,
                                                            counters_[whole_edge], presence_, prefetch);
      } else {
        // The first producer of a new run forgets the last run's finished ones.
        if (presence_.census(names.presence, Side::Producer).alive == 0) {
          presence_.forget_finished(names.presence, Side::Producer);
        }
        presence_.announce(names.presence, Side::Producer, instance_name(), "open");
        producers_[whole_edge];
      }
    }
  }

  // What this process took from cut edges and lets go of from now on goes
  // back to their streams: the run failed or stopped before finishing it, or
  // a stopped producer could not publish it.
  void abandon_consumers() {
    for (auto& [edge, consumer] : consumers_) consumer->abandon();
  }

  OperatorRegistry with_cut_operators(const OperatorRegistry& registry) {
    OperatorRegistry extended = registry;
    OperatorSpec publish;
    publish.name = kCutPublishOperator;
    publish.role = Role::Sink;
    publish.summary = "publishes to a cut edge's JetStream stream";
    publish.make = [this](const OperatorCall& call) -> std::unique_ptr<Operator> {
      auto edge = static_cast<EdgeId>(edge_argument(call));
      return std::make_unique<PublishSink>(
          std::make_unique<Publisher>(connection_, whole_, edge, counters_.at(edge), presence_, interrupt_,
                                      [this] { abandon_consumers(); }),
          producers_.at(edge));
    };
    extended.add(std::move(publish));
    OperatorSpec consume;
    consume.name = kCutConsumeOperator;
    consume.role = Role::Source;
    consume.summary = "takes from a cut edge's JetStream stream";
    consume.make_source = [this](const OperatorCall& call) -> std::unique_ptr<SourceOperator> {
      return std::make_unique<ConsumeSource>(*consumers_.at(static_cast<EdgeId>(edge_argument(call))));
    };
    extended.add(std::move(consume));
    append_to_files(extended);
    return extended;
  }

  // A part's write() appends and locks its file (ops::make_part_write): a
  // restarted part keeps what the killed one wrote, and a second process of
  // the part is refused. A plugin's own `write` is left alone.
  static void append_to_files(OperatorRegistry& registry) {
    const auto* write = registry.find("write");
    using Make = std::unique_ptr<Operator> (*)(const OperatorCall&);
    if (write == nullptr || write->make.target<Make>() == nullptr ||
        *write->make.target<Make>() != &ops::make_write) {
      return;
    }
    OperatorSpec appending = *write;
    appending.make = &ops::make_part_write;
    registry.add(std::move(appending));
  }

  // Every 200 ms: the streams' fill. Every second: this process's presence,
  // and progress acks for what it holds.
  void keep() {
    auto next_beat = std::chrono::steady_clock::now();
    std::unique_lock lock(keeper_mutex_);
    while (!keeper_stop_) {
      lock.unlock();
      sample_streams();
      if (std::chrono::steady_clock::now() >= next_beat) {
        heartbeat();
        next_beat += kHeartbeat;
      }
      lock.lock();
      keeper_wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return keeper_stop_; });
    }
  }

  void sample_streams() {
    for (auto& [edge, counters] : counters_) {
      jsStreamInfo* raw = nullptr;
      auto stream = names_of(whole_, edge).stream;
      if (js_GetStreamInfo(&raw, connection_.jetstream(), stream.c_str(), nullptr, nullptr) != NATS_OK) {
        continue;
      }
      NatsPtr<jsStreamInfo> info(raw);
      counters.saw_stream(info->State.Msgs, info->State.Bytes, info->State.LastSeq);
    }
  }

  void heartbeat() {
    try {
      for (auto& [edge, presence] : producers_) {
        std::lock_guard lock(presence.mutex);
        if (!presence.closed) {
          presence_.announce(names_of(whole_, edge).presence, Side::Producer, instance_name(), "open");
        }
      }
      for (auto& [edge, consumer] : consumers_) {
        presence_.announce(names_of(whole_, edge).presence, Side::Consumer, instance_name(),
                           consumer->presence_state());
        consumer->keep_alive();
      }
    } catch (const NatsError&) {
      // The server is away; the next beat tries again, and a consumer waits for it.
    }
  }

  void stop_keeper() {
    {
      std::lock_guard lock(keeper_mutex_);
      keeper_stop_ = true;
    }
    keeper_wake_.notify_all();
    if (keeper_.joinable()) keeper_.join();
  }

  // `clean`: the run ended by itself. Only then may the last consumer forget
  // the edge: after a stop the stream may still hold what a restart must take.
  void close(bool clean) {
    stop_keeper();
    // The last acknowledgements are on their way: let the server see them first.
    natsConnection_FlushTimeout(connection_.get(), 2000);
    sample_streams();
    for (auto& [edge, consumer] : consumers_) {
      bool drained = consumer->input_over();
      consumer->stop();
      auto presence = names_of(whole_, edge).presence;
      try {
        presence_.announce(presence, Side::Consumer, instance_name(), "closed");
        // The last consumer to finish forgets the edge: the next run starts clean.
        auto consumers = presence_.census(presence, Side::Consumer);
        if (clean && drained && consumers.alive == 0 && consumers.ending == 0) {
          presence_.forget_finished(presence, Side::Consumer);
          presence_.forget_finished(presence, Side::Producer);
        }
      } catch (const NatsError&) {
      }
    }
  }

  void patch(RunMetrics& metrics) const {
    for (std::size_t i = 0; i < metrics.nodes.size() && i < local_.nodes.size(); ++i) {
      metrics.nodes[i].remote = local_.nodes[i].stand_in;
    }
    for (std::size_t i = 0; i < metrics.edges.size() && i < local_.edges.size(); ++i) {
      auto whole_edge = local_.edges[i];
      auto found = counters_.find(whole_edge);
      if (found == counters_.end()) continue;
      auto& edge = metrics.edges[i];
      const auto& counters = found->second;
      edge.transport = "jetstream";
      edge.capacity = whole_.edges[whole_edge].capacity;
      edge.policy = whole_.edges[whole_edge].overflow;
      edge.dropped += counters.dropped.load();
      edge.redelivered = counters.redelivered.load();
      edge.held = counters.held.load();
      edge.bytes_held = counters.bytes_held.load();
      edge.high_water = std::max(edge.high_water, counters.high_water.load());
      // drop_oldest's drops are seen only by the consuming part: its `in` is
      // what the producers put into the stream during its run, as the
      // stream's sequence numbers count it, so in = out + dropped + held holds
      // on the edge as in one process. (With another policy, nothing is
      // dropped past the producers and the local count is the same.)
      if (consumers_.count(whole_edge) != 0 && edge.policy == Overflow::DropOldest) {
        auto last = counters.last_sequence.load(), base = counters.sequence_base.load();
        edge.in = last > base ? last - base : 0;
      }
      move_unpublished_to_errors(metrics, local_.pipeline.edges[i].to, counters);
    }
  }

  // The publisher let go of what it could not publish as dropped, so that the
  // runtime's balance holds; it was no policy's drop but a failure to deliver:
  // errors, at the stand-in sink and for the sources the messages came from.
  void move_unpublished_to_errors(RunMetrics& metrics, NodeId stand_in, const CutCounters& counters) const {
    auto unpublished = counters.unpublished();
    if (unpublished == 0) return;
    if (stand_in < metrics.nodes.size()) metrics.nodes[stand_in].errors += unpublished;
    for (auto [source, count] : counters.unpublished_by_source()) {
      auto* balance = source_balance(metrics, source);
      if (balance == nullptr) continue;
      auto moved = std::min(count, balance->dropped);
      balance->dropped -= moved;
      balance->errors += moved;
    }
  }

  // The balance of source node `source`; the runtime counts a message no source stamped for the first.
  SourceBalance* source_balance(RunMetrics& metrics, std::uint32_t source) const {
    if (metrics.sources.empty()) return nullptr;
    const auto& nodes = local_.pipeline.nodes;
    if (source < nodes.size() && nodes[source].kind == NodeKind::Source) {
      for (auto& balance : metrics.sources) {
        if (balance.name == nodes[source].name) return &balance;
      }
    }
    return &metrics.sources.front();
  }

  // A stopped producer says what it could not publish, once, on standard error.
  void say_unpublished() const {
    for (const auto& [edge, presence] : producers_) {
      auto count = counters_.at(edge).unpublished();
      if (count == 0) continue;
      say_on_stderr(fmt::format(
          "flow: edge {}: stopped with {} message{} not published (the stream stayed full, or the server "
          "away); they count as errors\n",
          whole_.edge_name(edge), count, count == 1 ? "" : "s"));
    }
  }

  const Pipeline& whole_;
  PartOptions options_;
  PartPipeline local_;
  Connection connection_;
  Presence presence_;
  std::map<EdgeId, CutCounters> counters_;
  std::map<EdgeId, ProducerPresence> producers_;
  std::map<EdgeId, std::unique_ptr<Consumer>> consumers_;
  const std::atomic<bool>* interrupt_ = nullptr;
  std::thread keeper_;
  std::mutex keeper_mutex_;
  std::condition_variable keeper_wake_;
  bool keeper_stop_ = false;
};

RunMetrics failed_part(const Pipeline& pipeline, const std::string& part, const std::string& error) {
  auto metrics = unstarted_metrics(part_pipeline(pipeline, part).pipeline);
  metrics.status = RunStatus::Failed;
  metrics.error = error;
  return metrics;
}

}  // namespace

RunMetrics run_part(const Pipeline& pipeline, const OperatorRegistry& registry, const RunOptions& run_options,
                    const PartOptions& options) {
  try {
    PartRun part(pipeline, options);
    return part.run(registry, run_options);
  } catch (const NatsError& e) {
    return failed_part(pipeline, options.part, e.what());
  }
}

}  // namespace flow
