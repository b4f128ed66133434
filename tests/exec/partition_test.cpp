// Keyed partitions in the runtime (partition=by, docs/routing.md): the
// messages of one key are worked by one worker at a time, in the order the
// node took them, so each key's order holds at the node's output while
// different keys run side by side.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <map>
#include <regex>

#include "support.hpp"

namespace flow::test {
namespace {

/// s makes `count` numbers, each keyed `user` = "u" + n % keys; w waits
/// (n % 5) × `us` per message with 4 workers; k collects.
RunMetrics run_keyed(const std::shared_ptr<Recorder>& seen, long count, std::int64_t keys, bool partitioned,
                     ClockKind clock, std::int64_t us) {
  auto registry = test_registry(seen);
  PipelineBuilder b;
  b.clock(clock);
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{count}}}));
  b.node(s).chain.push_back(call("key_mod", {{"k", keys}}));
  auto w = b.stage("w", {call("wait_mod", {{"us", us}})}, 4);
  if (partitioned) b.node(w).partition_by = {"user"};
  auto k = b.sink("k", {call("collect", {{"sink", std::int64_t{0}}})});
  b.edge(s, w, 16);
  b.edge(w, k, 16);
  auto metrics = run_guarded(b.get(), registry);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  return metrics;
}

/// Per key, the numbers in the order the sink got them.
std::map<std::string, std::vector<long>> by_key(Recorder& seen) {
  std::map<std::string, std::vector<long>> keyed;
  for (std::size_t i = 0; i < seen.collected[0].size(); ++i)
    keyed[seen.collected_users[0][i]].push_back(seen.collected[0][i]);
  return keyed;
}

bool every_key_in_order(Recorder& seen) {
  for (const auto& [key, numbers] : by_key(seen)) {
    if (!std::is_sorted(numbers.begin(), numbers.end())) return false;
  }
  return true;
}

std::vector<long> sorted_numbers(Recorder& seen) {
  auto numbers = seen.collected[0];
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

std::vector<long> iota(long count) {
  std::vector<long> numbers;
  for (long n = 0; n < count; ++n) numbers.push_back(n);
  return numbers;
}

}  // namespace

TEST_CASE("partition=by keeps each key's order through 4 workers whose time per message varies",
          "[runtime][partition]") {
  for (auto clock : {ClockKind::Virtual, ClockKind::Real}) {
    auto seen = std::make_shared<Recorder>();
    // Three keys: a key's next message is at most 3 behind, so 4 workers hold several of one key at once.
    auto metrics = run_keyed(seen, 400, 3, true, clock, clock == ClockKind::Virtual ? 1000 : 200);
    CHECK(sorted_numbers(*seen) == iota(400));  // each once
    CHECK(every_key_in_order(*seen));
    CHECK(by_key(*seen).size() == 3);
    CHECK(node_metrics(metrics, "w").in == 400);
    CHECK(node_metrics(metrics, "w").out == 400);
  }
}

TEST_CASE("partition=by still runs different keys side by side", "[runtime][partition]") {
  // Virtual clock: 400 messages of (n % 5) ms on average 2 ms each are 800 ms
  // of waits; 7 keys over 4 workers finish in well under half of that.
  auto seen = std::make_shared<Recorder>();
  auto metrics = run_keyed(seen, 400, 7, true, ClockKind::Virtual, 1000);
  // The keys' partitions as docs/routing.md says: FNV-1a of the key's text
  // and a unit separator, mod the workers. Each partition waits its own
  // messages' time in turn; the partitions run side by side.
  std::map<std::uint64_t, double> partition_s;
  for (long n = 0; n < 400; ++n) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (char c : fmt::format("u{}\x1f", n % 7)) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
    partition_s[hash % 4] += static_cast<double>(n % 5) * 0.001;
  }
  double longest = 0;
  for (const auto& [partition, seconds] : partition_s) longest = std::max(longest, seconds);
  CHECK(partition_s.size() > 1);
  CHECK(metrics.elapsed_s >= longest - 1e-6);
  CHECK(metrics.elapsed_s < 0.8 - 1e-6);
  // One key: one partition, worked by one worker at a time: every wait in turn.
  auto hot = std::make_shared<Recorder>();
  auto one_key = run_keyed(hot, 400, 1, true, ClockKind::Virtual, 1000);
  CHECK(one_key.elapsed_s >= 0.8 - 1e-9);
  CHECK(every_key_in_order(*hot));
}

TEST_CASE("without partition=by the same workers reorder a key: the check above can see it",
          "[runtime][partition]") {
  auto seen = std::make_shared<Recorder>();
  run_keyed(seen, 400, 3, false, ClockKind::Virtual, 1000);
  CHECK(sorted_numbers(*seen) == iota(400));
  CHECK_FALSE(every_key_in_order(*seen));
}

TEST_CASE("partition=by with a cheap chain and a route keeps each key's order on each output",
          "[runtime][partition][route]") {
  auto seen = std::make_shared<Recorder>();
  auto registry = test_registry(seen);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{5000}}}));
  b.node(s).chain.push_back(call("key_mod", {{"k", std::int64_t{13}}}));
  auto r = b.stage("r", {call("route_mod", {{"k", std::int64_t{2}}})}, 4);
  b.node(r).partition_by = {"user"};
  b.node(r).output_labels = {"a", "b"};
  auto ka = b.sink("ka", {call("collect", {{"sink", std::int64_t{0}}})});
  auto kb = b.sink("kb", {call("collect", {{"sink", std::int64_t{1}}})});
  b.edge(s, r, 64);
  b.edge_at(b.edge(r, ka, 16)).output = "a";
  b.edge_at(b.edge(r, kb, 16)).output = "b";
  auto metrics = run_guarded(b.get(), registry);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  for (std::int64_t sink : {0, 1}) {
    std::map<std::string, std::vector<long>> keyed;
    const auto& numbers = seen->collected[sink];
    for (std::size_t i = 0; i < numbers.size(); ++i)
      keyed[seen->collected_users[sink][i]].push_back(numbers[i]);
    for (const auto& [key, list] : keyed) CHECK(std::is_sorted(list.begin(), list.end()));
    CHECK(numbers.size() == 2500);
  }
}

namespace {

/// s makes 100 numbers keyed "u" + n % 3; w, 4 workers partitioned by that
/// key, runs `chain`, and fails on "37" and on "74", the 38th and the 75th
/// messages it takes ("0" is filtered); the run names the first to fail.
RunMetrics run_failing(std::vector<OperatorCall> chain) {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}}));
  b.node(s).chain.push_back(call("key_mod", {{"k", std::int64_t{3}}}));
  chain.insert(chain.begin(), call("filter_mod", {{"k", std::int64_t{1000}}}));
  chain.push_back(call("error_mod", {{"k", std::int64_t{37}}}));
  auto w = b.stage("w", std::move(chain), 4);
  b.node(w).partition_by = {"user"};
  auto k = b.sink("k", {call("drain")});
  b.edge(s, w, 16);
  b.edge(w, k, 16);
  return run_guarded(b.get(), registry, {});
}

/// The number that failed ("bad message N"), checked to be 37 or 74.
long failed_number(const std::string& error) {
  std::smatch match;
  REQUIRE(std::regex_search(error, match, std::regex("\\(operator error_mod\\): bad message (\\d+)$")));
  auto number = std::stol(match[1]);
  CHECK((number == 37 || number == 74));
  return number;
}

}  // namespace

// The queues hold other keys' messages taken after a unit's: the count of
// messages taken minus those queued is not the unit's place in the input.
TEST_CASE("a message that fails in a partitioned node is named by its place in the input",
          "[runtime][partition]") {
  auto metrics = run_failing({call("wait_us", {{"us", std::int64_t{1}}})});  // waits: one message a unit
  REQUIRE(metrics.status == RunStatus::Failed);
  auto error = metrics.error.value_or("");
  auto number = failed_number(error);
  CHECK(error ==
        fmt::format("stage w failed on message {} (operator error_mod): bad message {}", number + 1, number));
}

TEST_CASE("a unit of a partition whose messages were not consecutive says so and names its first",
          "[runtime][partition]") {
  auto metrics = run_failing({});  // cheap: several messages a unit, of one partition
  REQUIRE(metrics.status == RunStatus::Failed);
  auto error = metrics.error.value_or("");
  INFO(error);
  auto number = failed_number(error);
  // Each key is alone in its partition (FNV-1a, as above: u0 → 1, u1 → 0,
  // u2 → 3): a unit of it holds every third message, its first is of that
  // key, and it is at most the one that failed.
  const std::map<long, int> partition_of_key{{0, 1}, {1, 0}, {2, 3}};
  std::smatch match;
  if (std::regex_search(error, match, std::regex("^stage w failed on message (\\d+) "))) {
    CHECK(std::stol(match[1]) == number + 1);
    return;
  }
  REQUIRE(std::regex_search(
      error, match,
      std::regex(
          "^stage w failed on one of (\\d+) messages of partition (\\d) \\(the first: message (\\d+)\\) ")));
  auto first = std::stol(match[3]);
  CHECK(std::stoi(match[2]) == partition_of_key.at(number % 3));
  CHECK((first - 1) % 3 == number % 3);
  CHECK(first <= number + 1);
  CHECK(first + 3 * (std::stol(match[1]) - 1) >= number + 1);
}

}  // namespace flow::test
