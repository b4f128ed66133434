// count, aggregate, route and partition=by after batch(): a batch has no
// fields of its own, so what reads fields reads its members (or, for
// partition=by, says it cannot) — docs/windows.md, docs/routing.md.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <algorithm>

#include "flow/flow.hpp"
#include "process.hpp"

namespace {

struct Ran {
  flow::RunMetrics metrics;
  std::string dir;
};

/// Runs `body` (the nodes after `source lines = read(DIR/in.log)`, and the
/// edges; `{dir}` in it is DIR) with `input` in DIR/in.log.
Ran run_lines(const std::string& input, const std::string& body) {
  Ran ran{{}, flow::test::temp_directory()};
  flow::test::write_file(ran.dir + "/in.log", input);
  auto text = fmt::format("pipeline p\nsource lines = read(\"{0}/in.log\")\n{1}", ran.dir,
                          fmt::format(fmt::runtime(body), fmt::arg("dir", ran.dir)));
  const auto& registry = flow::builtin_operators();
  auto checked = flow::load_string("p.flow", text, registry);
  INFO(text);
  if (!checked.pipeline) FAIL(flow::render_all(*checked.source, checked.diagnostics));
  ran.metrics = flow::run(*checked.pipeline, registry, {});
  return ran;
}

/// The lines `NAME=i%3 n=i` for i = from .. to.
std::string lines(const std::string& name, int from, int to) {
  std::string text;
  for (int i = from; i <= to; ++i) text += fmt::format("{}={} n={}\n", name, i % 3, i);
  return text;
}

std::vector<std::string> sorted_lines(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size();) {
    auto end = text.find('\n', at);
    out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("count takes each member of a batch, and its row is the row, not the members' lines") {
  auto ran = run_lines(lines("s", 1, 10),
                       "stage parsed = parse(logfmt) | set(k = 1) | batch(max=4)\n"
                       "stage c = count(by=k, every=1h)\n"
                       "sink out = write(\"{dir}/out.log\")\n"
                       "lines -> parsed -> c -> out\n");
  INFO(ran.metrics.error.value_or(""));
  REQUIRE(ran.metrics.status == flow::RunStatus::Ok);
  auto out = flow::test::read_file(ran.dir + "/out.log");
  REQUIRE(std::count(out.begin(), out.end(), '\n') == 1);
  CHECK(out.rfind("k=1 count=10 window_start=", 0) == 0);
  // One member goes on as the row; the other nine are filtered, one by one.
  const auto& source = ran.metrics.sources.at(0);
  CHECK(source.produced == 10);
  CHECK(source.filtered == 9);
  CHECK(source.delivered == 1);
}

TEST_CASE("aggregate reads each member of a batch by its own key") {
  auto ran = run_lines(lines("s", 1, 9),
                       "stage parsed = parse(logfmt) | batch(max=5)\n"
                       "stage c = aggregate(by=s, every=1h, sum=n)\n"
                       "sink out = write(\"{dir}/out.log\")\n"
                       "lines -> parsed -> c -> out\n");
  REQUIRE(ran.metrics.status == flow::RunStatus::Ok);
  auto rows = sorted_lines(flow::test::read_file(ran.dir + "/out.log"));
  REQUIRE(rows.size() == 3);
  // n = 1..9 by n % 3: 0 ← 3+6+9, 1 ← 1+4+7, 2 ← 2+5+8.
  CHECK(rows[0].rfind("s=0 count=3 sum_n=18 ", 0) == 0);
  CHECK(rows[1].rfind("s=1 count=3 sum_n=12 ", 0) == 0);
  CHECK(rows[2].rfind("s=2 count=3 sum_n=15 ", 0) == 0);
}

TEST_CASE("route sends each member of a batch by its own fields, one batch per label") {
  auto ran = run_lines(lines("s", 1, 12),
                       "stage parsed = parse(logfmt) | batch(max=5)\n"
                       "stage r = route(zero: s == 0, one: s == 1)\n"
                       "sink zero = unbatch() | write(\"{dir}/zero.log\")\n"
                       "sink one = unbatch() | write(\"{dir}/one.log\")\n"
                       "lines -> parsed -> r\nr.zero -> zero\nr.one -> one\n");
  INFO(ran.metrics.error.value_or(""));
  REQUIRE(ran.metrics.status == flow::RunStatus::Ok);
  // In input order on each output; s = 2 matches no label and is filtered, member by member.
  CHECK(flow::test::read_file(ran.dir + "/zero.log") == "s=0 n=3\ns=0 n=6\ns=0 n=9\ns=0 n=12\n");
  CHECK(flow::test::read_file(ran.dir + "/one.log") == "s=1 n=1\ns=1 n=4\ns=1 n=7\ns=1 n=10\n");
  const auto& source = ran.metrics.sources.at(0);
  CHECK(source.produced == 12);
  CHECK(source.filtered == 4);
  CHECK(source.delivered == 8);
}

TEST_CASE("partition=by refuses a batch: the run fails naming the node and what to do") {
  auto ran = run_lines(lines("s", 1, 6),
                       "stage parsed = parse(logfmt) | batch(max=3)\n"
                       "stage p = delay(1ms) [workers=2, partition=by(s)]\n"
                       "sink out = discard()\n"
                       "lines -> parsed -> p -> out\n");
  REQUIRE(ran.metrics.status != flow::RunStatus::Ok);
  CHECK(ran.metrics.error.value_or("") ==
        "stage p takes batches, but partition=by(s) keys single messages: put unbatch() before it, or "
        "batch() after it");
}
