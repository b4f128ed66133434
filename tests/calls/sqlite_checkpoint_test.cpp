// A followed log into sqlite() with `flow run --state DIR`: flow killed with
// SIGKILL while a writer appends, the log grown while it is down, flow
// restarted: every line is a row, and the rows written twice are at most what
// was committed but not yet checkpointed.
#include <catch2/catch.hpp>

#include <csignal>
#include <thread>

#include "follow_support.hpp"
#include "sqlite_support.hpp"

using namespace flow::test;

namespace {

std::string line_of(int i) {
  return fmt::format("line {:05}", i);
}

/// Appends lines [first, last), twenty to a write(2), as a logger would.
void write_lines(const std::string& log, int first, int last) {
  for (int i = first; i < last; i += 20) {
    std::string text;
    for (int j = i; j < std::min(last, i + 20); ++j) text += line_of(j) + "\n";
    append(log, text);
  }
}

long long rows(const std::string& db) {
  // Before flow made the table there is none: count nothing then.
  auto result = run_command(fmt::format("sqlite3 -batch {} 'SELECT count(*) FROM logs'", shell_quote(db)));
  return result.exit_code == 0 ? std::stoll(result.out) : 0;
}

}  // namespace

TEST_CASE("after kill -9 and a restart with --state every followed line is a row of the table",
          "[calls][sqlite][checkpoint]") {
  auto dir = temp_directory();
  auto log = dir + "/app.log";
  auto db = dir + "/store.db";
  const int before_kill = 1200, during_downtime = 1500, total_lines = 2000;
  // A slow stage keeps lines read but not yet stored in flight when the kill comes.
  auto file = dir + "/store.flow";
  write_file(file, fmt::format("pipeline store\n\nsource logs  = read(\"{}\", follow=true)\nstage  work  = delay(1ms)\n"
                               "sink   store = sqlite(\"{}\", \"logs\")\n\nlogs -> work [capacity=64]\n"
                               "work -> store [capacity=64]\n",
                               log, db));
  auto state = dir + "/state";
  write_lines(log, 0, 20);
  auto flow = start_flow(dir, file, {"--state", state});
  std::thread writer([&] { write_lines(log, 20, before_kill); });
  bool stored = wait_until([&] { return rows(db) >= 800; });
  flow->send(SIGKILL);
  flow->finish(std::chrono::seconds(20));
  writer.join();
  INFO(flow->err());
  REQUIRE(stored);
  CHECK(flow->killed_by() == SIGKILL);
  auto stored_before = rows(db);
  write_lines(log, before_kill, during_downtime);  // the log grows while flow is down

  auto again = start_flow(dir, file, {"--state", state});
  write_lines(log, during_downtime, total_lines);
  bool all = wait_until([&] { return sql_number(db, "SELECT count(DISTINCT line) FROM logs") == total_lines; });
  again->send(SIGINT);
  INFO(again->err());
  REQUIRE(again->finish(std::chrono::seconds(20)) == 130);
  REQUIRE(all);

  // Every line, and nothing else.
  CHECK(sql_number(db, fmt::format("SELECT count(*) FROM logs WHERE line NOT BETWEEN '{}' AND '{}'", line_of(0),
                                   line_of(total_lines - 1))) == 0);
  auto duplicates = sql_number(db, "SELECT count(*) - count(DISTINCT line) FROM logs");
  // Stored twice: at most what was in flight at the kill (two edges of 64, a
  // pull of 64 in the stage) and what was committed since the last checkpoint
  // write (250 ms of a 1 ms stage): never the log from its start.
  INFO("rows before the kill: " << stored_before << ", duplicates: " << duplicates);
  CHECK(duplicates <= 64 + 64 + 64 + 250);
  CHECK(duplicates < stored_before);
}
