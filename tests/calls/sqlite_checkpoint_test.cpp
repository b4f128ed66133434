// A followed log into sqlite() with `flow run --state DIR`: flow killed with
// SIGKILL while a writer appends, the log grown while it is down, flow
// restarted: every line is a row, and the rows written twice are at most what
// was committed but not yet checkpointed.
#include <catch2/catch.hpp>

#include <csignal>
#include <nlohmann/json.hpp>
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

/// The offset the checkpoint of source `logs` records for its file; 0 before there is one.
std::uint64_t checkpoint_offset(const std::string& state) {
  auto text = read_file(state + "/logs.follow.json");
  if (text.empty()) return 0;
  auto files = nlohmann::json::parse(text).at("files");
  return files.empty() ? 0 : files[0].at("offset").get<std::uint64_t>();
}

std::string follow_into_sqlite(const std::string& dir, const std::string& log, const std::string& db) {
  auto file = dir + "/store.flow";
  write_file(file, fmt::format("pipeline store\n\nsource logs  = read(\"{}\", follow=true)\n"
                               "sink   store = sqlite(\"{}\", \"logs\")\n\nlogs -> store\n",
                               log, db));
  return file;
}

}  // namespace

TEST_CASE("a line the checkpoint has passed is a committed row, even after kill -9",
          "[calls][sqlite][checkpoint]") {
  auto dir = temp_directory();
  auto log = dir + "/app.log";
  auto db = dir + "/store.db";
  auto state = dir + "/state";
  const int count = 500;
  write_lines(log, 0, count);
  auto file = follow_into_sqlite(dir, log, db);
  auto flow = start_flow(dir, file, {"--state", state});
  // The checkpoint reaches the end of the log only once every line was delivered.
  auto size = read_file(log).size();
  bool checkpointed = wait_until([&] { return checkpoint_offset(state) == size; });
  flow->send(SIGKILL);
  flow->finish(std::chrono::seconds(20));
  REQUIRE(checkpointed);
  // Delivered means committed: the killed process left every row, with nothing to read again.
  CHECK(sql_number(db, "SELECT count(DISTINCT line) FROM logs") == count);
  write_lines(log, count, count + 10);
  auto again = start_flow(dir, file, {"--state", state});
  bool all = wait_until([&] { return rows(db) >= count + 10; });
  again->send(SIGINT);
  REQUIRE(again->finish(std::chrono::seconds(20)) == 130);
  CHECK(all);
  CHECK(sql_number(db, "SELECT count(*) FROM logs") == count + 10);  // none twice
  CHECK(sql_number(db, "SELECT count(DISTINCT line) FROM logs") == count + 10);
}

TEST_CASE("after kill -9 and a restart with --state every followed line is a row of the table",
          "[calls][sqlite][checkpoint]") {
  auto dir = temp_directory();
  auto log = dir + "/app.log";
  auto db = dir + "/store.db";
  const int before_kill = 1200, during_downtime = 1500, total_lines = 2000;
  // A slow stage keeps lines read but not yet stored in flight when the kill comes.
  auto file = dir + "/store.flow";
  write_file(
      file,
      fmt::format("pipeline store\n\nsource logs  = read(\"{}\", follow=true)\nstage  work  = delay(1ms)\n"
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
  // Waits for the last line's row; what is missing then is counted below, after flow ended.
  wait_until([&] { return sql_number(db, "SELECT count(DISTINCT line) FROM logs") == total_lines; });
  again->send(SIGINT);
  INFO(again->err());
  REQUIRE(again->finish(std::chrono::seconds(20)) == 130);

  // Every line, and nothing else.
  CHECK(sql_number(db, "SELECT count(DISTINCT line) FROM logs") == total_lines);
  CHECK(sql_number(db, fmt::format("SELECT count(*) FROM logs WHERE line NOT BETWEEN '{}' AND '{}'",
                                   line_of(0), line_of(total_lines - 1))) == 0);
  auto duplicates = sql_number(db, "SELECT count(*) - count(DISTINCT line) FROM logs");
  // Stored twice: at most what was in flight at the kill (two edges of 64, a
  // pull of 64 in the stage) and what was committed since the last checkpoint
  // write (250 ms of a 1 ms stage): never the log from its start.
  INFO("rows before the kill: " << stored_before << ", duplicates: " << duplicates);
  CHECK(duplicates <= 64 + 64 + 64 + 250);
  CHECK(duplicates < stored_before);
}
