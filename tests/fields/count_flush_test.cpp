// count()'s flush gives its rows a flush's room at a time (Operator::flush_some),
// so an edge after it never holds past its capacity (runtime/fields/count.cpp).
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <algorithm>

#include "ops/ops_test_support.hpp"
#include "process.hpp"
#include "runtime/fields/count.hpp"
#include "tests/fields/count_support.hpp"

using namespace flow;
using namespace flow::test;

namespace {

/// `keys` messages at `at`, with k = 0 .. keys-1.
Chunk keyed(int keys, Clock::time_point at) {
  Chunk chunk;
  for (int k = 0; k < keys; ++k) {
    auto& message = chunk.emplace_back();
    message.payload = fmt::format("m{}", k);
    message.created = at;
    message.fields.edit().set("k", FieldView(std::int64_t{k}));
  }
  return chunk;
}

std::string row_key(const Message& row) {
  auto value = row.fields.find("k");
  REQUIRE(value);
  return field_text(*value);
}

}  // namespace

TEST_CASE("count gives a window's rows no more than a flush has room for, the rest at the next flush",
          "[fields]") {
  fields::CountSpec spec;
  spec.by = {"k"};
  spec.every = std::chrono::hours(1);
  spec.max_keys = 100;
  auto counter = fields::make_counter(spec);
  RecordingContext context;
  auto t0 = Clock::now();
  auto messages = keyed(10, t0);
  counter->apply(messages, context);
  counter->input_ended();  // every window is due
  std::vector<std::string> keys;
  for (std::size_t flushes = 1; flushes <= 3; ++flushes) {
    Chunk out;
    counter->flush_some(out, 4);
    CHECK(out.size() == (flushes < 3 ? 4U : 2U));
    for (const auto& row : out) keys.push_back(row_key(row));
    // The rest waits: the window stays due until its last row is out.
    CHECK(counter->flush_deadline().has_value() == (flushes < 3));
  }
  CHECK(keys == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
  Chunk none;
  counter->flush_some(none, 4);
  CHECK(none.empty());
  for (const auto& [name, count] : counter->counts()) {
    if (name == "windows") CHECK(count == 1);
  }
}

TEST_CASE("a message for a window whose rows are going out opens it again, as a late one", "[fields]") {
  fields::CountSpec spec;
  spec.by = {"k"};
  spec.every = std::chrono::hours(1);
  auto counter = fields::make_counter(spec);
  RecordingContext context;
  auto t0 = Clock::now();
  auto first = keyed(3, t0);
  counter->apply(first, context);
  counter->input_ended();
  Chunk out;
  counter->flush_some(out, 1);
  REQUIRE(out.size() == 1);
  auto late = keyed(1, t0);  // k = 0 again, same window
  counter->apply(late, context);
  counter->flush(out);
  REQUIRE(out.size() == 4);
  // The closing window's other rows, then the window opened again with its one message.
  CHECK(row_key(out[1]) == "1");
  CHECK(row_key(out[2]) == "2");
  CHECK(row_key(out[3]) == "0");
  CHECK(field_text(*out[3].fields.find("count")) == "1");
  for (const auto& [name, count] : counter->counts()) {
    if (name == "late") CHECK(count == 1);
  }
}

namespace {

/// 100 keys in one window through count into `edge` (the attributes of
/// `agg -> out`) and a sink that takes 1 ms a row, on the virtual clock.
flow::RunMetrics hundred_keys_through(const std::string& edge, const std::string& dir) {
  std::string input;
  for (int k = 0; k < 100; ++k) input += fmt::format("t={} k={}\n", k, k);
  flow::test::write_file(dir + "/in.log", input);
  auto text = fmt::format(
      "pipeline burst [clock=virtual]\n"
      "source logs = read(\"{0}/in.log\")\n"
      "stage fields = kv()\n"
      "stage agg = count(by=k, every=1s, max_keys=100)\n"
      "sink out = delay(1ms) | write(\"{0}/out.log\")\n"
      "logs -> fields -> agg\n"
      "agg -> out [{1}]\n",
      dir, edge);
  auto registry = flow::test::registry_with_kv();
  auto checked = flow::load_string("burst.flow", text, registry);
  REQUIRE(checked.pipeline);
  auto metrics = flow::run(*checked.pipeline, registry, {});
  INFO(metrics.error.value_or(""));
  REQUIRE(metrics.status == flow::RunStatus::Ok);
  return metrics;
}

const flow::EdgeMetrics& edge_named(const flow::RunMetrics& metrics, const std::string& from) {
  for (const auto& edge : metrics.edges) {
    if (edge.from == from) return edge;
  }
  FAIL("no edge from " << from);
  return metrics.edges.front();
}

}  // namespace

TEST_CASE("a window of 100 rows goes through a block edge of 4 whole, never more than 4 on it",
          "[fields][runtime]") {
  auto dir = flow::test::temp_directory();
  auto metrics = hundred_keys_through("capacity=4", dir);
  auto out = flow::test::read_file(dir + "/out.log");
  std::string want;
  for (int k = 0; k < 100; ++k) want += fmt::format("k={} count=1 ", k);
  std::string got;  // the rows without their window bounds
  for (std::size_t at = 0; at < out.size();) {
    auto end = out.find('\n', at);
    auto line = out.substr(at, end - at);
    got += line.substr(0, line.find("window_start"));
    at = end + 1;
  }
  CHECK(got == want);
  const auto& edge = edge_named(metrics, "agg");
  CHECK(edge.high_water <= 4);
  CHECK(edge.dropped == 0);
  CHECK(edge.in == 100);
}

// A dropping edge never makes its producer wait (docs/windows.md): what of
// a window's rows does not fit is dropped there, and counted.
TEST_CASE("a window of 100 rows through a drop_newest edge of 4 keeps what fits and counts the rest",
          "[fields][runtime]") {
  auto dir = flow::test::temp_directory();
  auto metrics = hundred_keys_through("capacity=4, overflow=drop_newest", dir);
  auto out = flow::test::read_file(dir + "/out.log");
  auto rows = static_cast<std::uint64_t>(std::count(out.begin(), out.end(), '\n'));
  const auto& edge = edge_named(metrics, "agg");
  CHECK(edge.in == 100);
  CHECK(rows + edge.dropped == 100);
  CHECK(edge.dropped > 0);
  const auto& source = metrics.sources.at(0);
  CHECK(source.delivered + source.filtered + source.dropped == source.produced);
}
