// A timing, not a test (hidden: run it by its tag): parse(nginx_combined)
// over the lines of $FLOW_PARSE_BENCH_LOG (bench/gen_access_log.py 1000000 >
// log) on one thread, chunk by chunk as a node's worker does.
#include <time.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "parse_support.hpp"

using namespace flow;
using namespace flow::test;

namespace {

// The thread's CPU time: a busy machine's waits do not count.
std::chrono::nanoseconds cpu_now() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

}  // namespace

TEST_CASE("parse(nginx_combined) over a generated log, timed", "[.][bench]") {
  const char* path = std::getenv("FLOW_PARSE_BENCH_LOG");
  if (path == nullptr) {
    WARN("set FLOW_PARSE_BENCH_LOG to a log of bench/gen_access_log.py");
    return;
  }
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto parser = make_operator("parse", {{"format", std::string("nginx_combined")}});
  RecordingContext context;
  constexpr std::size_t kChunk = 64;
  std::chrono::nanoseconds spent{0};
  std::size_t kept = 0;
  for (std::size_t at = 0; at < lines.size(); at += kChunk) {
    Chunk chunk;
    for (std::size_t i = at; i < std::min(lines.size(), at + kChunk); ++i)
      chunk.emplace_back().payload = lines[i];
    auto start = cpu_now();
    parser->apply(chunk, context);
    chunk.clear();  // the messages die at the sink: their fields' frees count too
    spent += cpu_now() - start;
    kept += kChunk;
  }
  WARN(fmt::format("{} lines in {:.3f} s of CPU: {:.0f} ns a line; {} failed", lines.size(),
                   std::chrono::duration<double>(spent).count(),
                   static_cast<double>(spent.count()) / static_cast<double>(lines.size()),
                   context.failures.size()));
}
