// A hand-written oneTBB flow graph of the same shapes as the flow workloads:
// input_node -> limiter_node -> function_nodes -> sink, the sink decrementing
// the limiter. With --chunk 1 each TBB task carries one message (the naive
// design); with --chunk 16 or 64 each task carries that many (the limit for a
// design that batches between TBB nodes while counting single messages).
//
// usage: bench-tbb WORKLOAD COUNT SIZE IN_FLIGHT CHUNK WORKERS
// Prints one JSON line: delivered, elapsed seconds, messages/s.
#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>

namespace {

namespace tf = oneapi::tbb::flow;
using Clock = std::chrono::steady_clock;

/// What flows between nodes: a payload and its creation time, like flow's messages.
struct Message {
  std::string payload;
  Clock::time_point created;
};

/// A unit of TBB work holding several messages; passed by pointer so that no
/// node copies it (function_node bodies take their input by const reference).
using Chunk = std::vector<Message>;

struct Config {
  std::string workload;
  std::uint64_t count = 0;
  std::size_t size = 8;
  int in_flight = 192;
  std::size_t chunk = 1;
  int workers = 1;
};

/// Zero-work or CPU-bound work on one message.
void burn(std::chrono::microseconds duration) {
  const auto until = Clock::now() + duration;
  while (Clock::now() < until) {
  }
}

/// How a unit is made, counted, worked on and freed: one Message by value, or
/// a heap Chunk by pointer.
struct SingleUnits {
  using Unit = Message;
  std::size_t size;
  Unit make(std::uint64_t& remaining) const {
    --remaining;
    return Message{std::string(size, 'x'), Clock::now()};
  }
  static std::uint64_t messages(const Unit&) { return 1; }
  static void spin(const Unit&, std::chrono::microseconds d) { burn(d); }
  static std::uint64_t release(const Unit& unit) { return unit.payload.size(); }
};

struct ChunkedUnits {
  using Unit = Chunk*;
  std::size_t size;
  std::size_t chunk;
  Unit make(std::uint64_t& remaining) const {
    const auto n = std::min<std::uint64_t>(chunk, remaining);
    remaining -= n;
    auto* unit = new Chunk();
    unit->reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) unit->push_back(Message{std::string(size, 'x'), Clock::now()});
    return unit;
  }
  static std::uint64_t messages(const Unit& unit) { return unit->size(); }
  static void spin(const Unit& unit, std::chrono::microseconds d) {
    for (std::size_t i = 0; i < unit->size(); ++i) burn(d);
  }
  static std::uint64_t release(const Unit& unit) {
    std::uint64_t bytes = 0;
    for (const auto& m : *unit) bytes += m.payload.size();
    delete unit;
    return bytes;
  }
};

/// The nodes every shape shares: a bounded source and a counting sink.
template <typename Units>
struct Ends {
  using Unit = typename Units::Unit;
  tf::graph& g;
  Units units;
  std::uint64_t remaining;
  std::uint64_t delivered = 0;
  std::uint64_t bytes = 0;
  tf::input_node<Unit> source;
  tf::limiter_node<Unit, int> limiter;
  tf::function_node<Unit, int> sink;

  Ends(tf::graph& graph, Units u, std::uint64_t count, int in_flight)
      : g(graph),
        units(u),
        remaining(count),
        source(graph,
               [this](oneapi::tbb::flow_control& fc) -> Unit {
                 if (remaining == 0) {
                   fc.stop();
                   return Unit{};
                 }
                 return units.make(remaining);
               }),
        limiter(graph, static_cast<std::size_t>(in_flight)),
        sink(graph, tf::serial, [this](const Unit& unit) {
          delivered += Units::messages(unit);
          bytes += Units::release(unit);
          return 1;
        }) {
    tf::make_edge(source, limiter);
    tf::make_edge(sink, limiter.decrementer());
  }
};

template <typename Units>
std::uint64_t run_hops(const Config& config, Units units, int in_flight) {
  using Unit = typename Units::Unit;
  tf::graph g;
  Ends<Units> ends(g, units, config.count, in_flight);
  auto pass = [](const Unit& unit) { return unit; };
  tf::function_node<Unit, Unit> hop1(g, tf::serial, pass);
  tf::function_node<Unit, Unit> hop2(g, tf::serial, pass);
  tf::make_edge(ends.limiter, hop1);
  tf::make_edge(hop1, hop2);
  tf::make_edge(hop2, ends.sink);
  ends.source.activate();
  g.wait_for_all();
  return ends.delivered;
}

template <typename Units>
std::uint64_t run_fanout(const Config& config, Units units, int in_flight) {
  using Unit = typename Units::Unit;
  using Deal = tf::multifunction_node<Unit, std::tuple<Unit, Unit, Unit, Unit>>;
  tf::graph g;
  Ends<Units> ends(g, units, config.count, in_flight);
  std::uint64_t next = 0;
  Deal deal(g, tf::serial, [&next](const Unit& unit, typename Deal::output_ports_type& ports) {
    switch (next++ % 4) {
      case 0: std::get<0>(ports).try_put(unit); break;
      case 1: std::get<1>(ports).try_put(unit); break;
      case 2: std::get<2>(ports).try_put(unit); break;
      default: std::get<3>(ports).try_put(unit); break;
    }
  });
  auto pass = [](const Unit& unit) { return unit; };
  std::vector<std::unique_ptr<tf::function_node<Unit, Unit>>> branches;
  for (int i = 0; i < 4; ++i) branches.push_back(std::make_unique<tf::function_node<Unit, Unit>>(g, tf::serial, pass));
  tf::make_edge(ends.limiter, deal);
  tf::make_edge(tf::output_port<0>(deal), *branches[0]);
  tf::make_edge(tf::output_port<1>(deal), *branches[1]);
  tf::make_edge(tf::output_port<2>(deal), *branches[2]);
  tf::make_edge(tf::output_port<3>(deal), *branches[3]);
  for (auto& branch : branches) tf::make_edge(*branch, ends.sink);
  ends.source.activate();
  g.wait_for_all();
  return ends.delivered;
}

template <typename Units>
std::uint64_t run_spin(const Config& config, Units units, int in_flight) {
  using Unit = typename Units::Unit;
  tf::graph g;
  Ends<Units> ends(g, units, config.count, in_flight);
  tf::function_node<Unit, Unit> work(g, static_cast<std::size_t>(config.workers), [](const Unit& unit) {
    Units::spin(unit, std::chrono::microseconds(10));
    return unit;
  });
  tf::make_edge(ends.limiter, work);
  tf::make_edge(work, ends.sink);
  ends.source.activate();
  g.wait_for_all();
  return ends.delivered;
}

template <typename Units>
std::uint64_t run_workload(const Config& config, Units units, int in_flight) {
  if (config.workload == "hops") return run_hops(config, units, in_flight);
  if (config.workload == "fanout") return run_fanout(config, units, in_flight);
  if (config.workload == "spin") return run_spin(config, units, in_flight);
  fmt::print(stderr, "bench-tbb: unknown workload '{}'\n", config.workload);
  std::exit(2);
}

Config parse_args(int argc, char** argv) {
  if (argc != 7) {
    fmt::print(stderr, "usage: bench-tbb hops|fanout|spin COUNT SIZE IN_FLIGHT CHUNK WORKERS\n");
    std::exit(2);
  }
  Config config;
  config.workload = argv[1];
  config.count = std::strtoull(argv[2], nullptr, 10);
  config.size = std::strtoull(argv[3], nullptr, 10);
  config.in_flight = std::atoi(argv[4]);
  config.chunk = std::max<std::size_t>(1, std::strtoull(argv[5], nullptr, 10));
  config.workers = std::max(1, std::atoi(argv[6]));
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  const Config config = parse_args(argc, argv);
  const auto started = Clock::now();
  std::uint64_t delivered = 0;
  if (config.chunk == 1) {
    delivered = run_workload(config, SingleUnits{config.size}, config.in_flight);
  } else {
    // The limiter counts chunks; keep the same number of messages in flight,
    // but at least two units per worker so that no worker starves.
    const int units = std::max<int>(static_cast<int>(config.in_flight / config.chunk), 2 * config.workers + 2);
    delivered = run_workload(config, ChunkedUnits{config.size, config.chunk}, units);
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  if (delivered != config.count) {
    fmt::print(stderr, "bench-tbb: delivered {} of {}\n", delivered, config.count);
    return 1;
  }
  fmt::print("{{\"program\":\"tbb\",\"workload\":\"{}\",\"chunk\":{},\"delivered\":{},\"elapsed_s\":{:.6f},"
             "\"messages_per_s\":{:.1f}}}\n",
             config.workload, config.chunk, delivered, elapsed, static_cast<double>(delivered) / elapsed);
  return 0;
}
