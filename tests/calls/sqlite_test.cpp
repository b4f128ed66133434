// sqlite(path, table): the `flow` binary writes a database, the real sqlite3
// command reads it back. Rows, transactions per chunk and per batch, columns
// split from a line, the table made or refused, names quoted, several
// workers, what flow check refuses, and examples/store.flow.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "sqlite_support.hpp"

using namespace flow::test;

namespace {

std::string to_store(const std::string& input, const std::string& db, const std::string& sink_args,
                     const std::string& stage = "", const std::string& sink_attributes = "") {
  return fmt::format(
      "pipeline store\n\nsource lines = read(\"{}\")\n{}sink   store = sqlite(\"{}\"{}){}\n\n{}\n", input,
      stage.empty() ? "" : fmt::format("stage  group = {}\n", stage), db, sink_args, sink_attributes,
      stage.empty() ? "lines -> store" : "lines -> group -> store");
}

}  // namespace

TEST_CASE("sqlite stores each line as a row, in WAL mode, read back by the sqlite3 command",
          "[calls][sqlite]") {
  auto dir = temp_directory();
  const int count = 1000;
  write_file(dir + "/in.txt", numbered_lines("line ", count));
  auto db = dir + "/store.db";
  auto run = run_pipeline(dir, "plain", to_store(dir + "/in.txt", db, ", \"logs\""));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  CHECK(sql(db, "PRAGMA journal_mode") == "wal\n");
  // The table was made with the one column the file states.
  CHECK(sql(db, "SELECT name, type FROM pragma_table_info('logs')") == "line|TEXT\n");
  // One worker: the rows are the file's lines, in its order.
  CHECK(lines_of(sql(db, "SELECT line FROM logs ORDER BY rowid")) ==
        lines_of(numbered_lines("line ", count)));
  CHECK(entry(run.metrics.at("sinks"), "store").at("delivered") == count);
  CHECK(node_count(run.metrics, "store", "rows") == count);
  // A transaction per chunk the runtime hands the sink (at most 256), never one per row.
  auto transactions = node_count(run.metrics, "store", "transactions");
  CHECK(transactions >= (count + 255) / 256);
  CHECK(transactions < count / 4);
  CHECK(node_count(run.metrics, "store", "busy") == 0);
}

TEST_CASE("after batch each batch is one transaction of its members", "[calls][sqlite]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", numbered_lines("x", 1000));
  auto db = dir + "/store.db";
  auto run = run_pipeline(dir, "batched", to_store(dir + "/in.txt", db, ", \"logs\"", "batch(100)"));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  CHECK(sql_number(db, "SELECT count(DISTINCT line) FROM logs") == 1000);
  CHECK(node_count(run.metrics, "store", "transactions") == 10);
  CHECK(entry(run.metrics.at("sinks"), "store").at("delivered") == 1000);
}

TEST_CASE("columns splits each line on the separator into that many TEXT columns", "[calls][sqlite]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", "a\tINFO\tstarted\nb\tWARN\tslow, but on\nc\tERROR\t\n");
  auto db = dir + "/store.db";
  auto run = run_pipeline(dir, "columns",
                          to_store(dir + "/in.txt", db, ", \"events\", columns=\"host, level ,text\""));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  CHECK(sql(db, "SELECT name, type FROM pragma_table_info('events')") ==
        "host|TEXT\nlevel|TEXT\ntext|TEXT\n");
  CHECK(sql(db, "SELECT host, level, text FROM events ORDER BY rowid") ==
        "a|INFO|started\nb|WARN|slow, but on\nc|ERROR|\n");
  // Another separator; the one column of the default takes a line whole, tabs and all.
  write_file(dir + "/semi.txt", "1;2\n3;4\n");
  auto semi = run_pipeline(dir, "semi",
                           to_store(dir + "/semi.txt", db, ", \"pairs\", columns=\"a, b\", separator=\";\""));
  REQUIRE(semi.process.exit_code == 0);
  CHECK(sql(db, "SELECT a || '+' || b FROM pairs ORDER BY rowid") == "1+2\n3+4\n");
  auto whole = run_pipeline(dir, "whole", to_store(dir + "/in.txt", db, ", \"raw\""));
  REQUIRE(whole.process.exit_code == 0);
  CHECK(sql_number(db, "SELECT count(*) FROM raw WHERE line LIKE '%' || char(9) || '%'") == 3);
}

TEST_CASE("a line with another field count fails that message, by on_error", "[calls][sqlite]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", "a\t1\nb\t2\tthree\nc\t3\nd\n");
  auto db = dir + "/store.db";
  auto skipped = run_pipeline(
      dir, "skip", to_store(dir + "/in.txt", db, ", \"t\", columns=\"k, v\"", "", " [on_error=skip]"));
  INFO(skipped.process.err);
  REQUIRE(skipped.process.exit_code == 0);
  CHECK(sql(db, "SELECT k, v FROM t ORDER BY rowid") == "a|1\nc|3\n");
  CHECK(entry(skipped.metrics.at("sinks"), "store").at("delivered") == 2);
  CHECK(entry(skipped.metrics.at("sources"), "lines").at("errors") == 2);
  // on_error=fail (the default): the run fails naming the node and the line's field count.
  auto failed =
      run_pipeline(dir, "fail", to_store(dir + "/in.txt", dir + "/other.db", ", \"t\", columns=\"k, v\""));
  CHECK(failed.process.exit_code == 1);
  CHECK_THAT(failed.process.err, Catch::Contains("sink store") &&
                                     Catch::Contains("a line has 3 fields where table t has 2 columns"));
}

TEST_CASE("after batch a member with another field count leaves its batch, the rest commits",
          "[calls][sqlite]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", "a\t1\nbad\nc\t3\nd\t4\n");
  auto db = dir + "/store.db";
  auto run = run_pipeline(
      dir, "member",
      to_store(dir + "/in.txt", db, ", \"t\", columns=\"k, v\"", "batch(4)", " [on_error=skip]"));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  CHECK(sql(db, "SELECT k FROM t ORDER BY rowid") == "a\nc\nd\n");
  CHECK(entry(run.metrics.at("sources"), "lines").at("errors") == 1);
  CHECK(entry(run.metrics.at("sinks"), "store").at("delivered") == 3);
  CHECK(node_count(run.metrics, "store", "transactions") == 1);
}

TEST_CASE("an existing table is written when it has the columns, refused naming the node when not",
          "[calls][sqlite]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", "one\ntwo\n");
  auto db = dir + "/store.db";
  // Columns of the user's own (an id, a time with a default) are left to SQLite.
  sql(db, "CREATE TABLE kept (id INTEGER PRIMARY KEY, line TEXT, at TEXT DEFAULT 'now')");
  auto kept = run_pipeline(dir, "kept", to_store(dir + "/in.txt", db, ", \"kept\""));
  INFO(kept.process.err);
  REQUIRE(kept.process.exit_code == 0);
  CHECK(sql(db, "SELECT id, line, at FROM kept ORDER BY id") == "1|one|now\n2|two|now\n");
  sql(db, "CREATE TABLE other (message TEXT, level TEXT)");
  auto refused =
      run_pipeline(dir, "refused", to_store(dir + "/in.txt", db, ", \"other\", columns=\"level, line\""));
  CHECK(refused.process.exit_code == 1);
  CHECK_THAT(refused.process.err, Catch::Contains("sink store: table other in") &&
                                      Catch::Contains("has the columns (message, level), not column (line)"));
  CHECK(sql_number(db, "SELECT count(*) FROM other") == 0);
}

TEST_CASE("table and column names are quoted: keywords, spaces and quotes are names", "[calls][sqlite]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", "1\t2\n");
  auto db = dir + "/store.db";
  auto run = run_pipeline(
      dir, "quoted",
      to_store(dir + "/in.txt", db, ", \"my \\\"odd\\\" table\", columns=\"select, from where\""));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  CHECK(sql(db, "SELECT \"select\", \"from where\" FROM \"my \"\"odd\"\" table\"") == "1|2\n");
}

TEST_CASE("several workers share one connection and store every line once", "[calls][sqlite]") {
  auto dir = temp_directory();
  const int count = 3000;
  write_file(dir + "/in.txt", numbered_lines("w", count));
  auto db = dir + "/store.db";
  auto run = run_pipeline(dir, "workers", to_store(dir + "/in.txt", db, ", \"logs\"", "", " [workers=4]"));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  CHECK(sql_number(db, "SELECT count(*) FROM logs") == count);
  CHECK(sql_number(db, "SELECT count(DISTINCT line) FROM logs") == count);
  CHECK(node_count(run.metrics, "store", "busy") == 0);  // no worker waits on another's lock
}

TEST_CASE("flow check refuses bad sqlite arguments with a caret under them", "[calls][sqlite]") {
  auto dir = temp_directory();
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases{
      {"\"x.db\", \"sqlite_master\"",
       "table 'sqlite_master' starts with sqlite_, which SQLite keeps for itself"},
      {"\"x.db\", \"\"", "table must not be empty"},
      {"\"x.db\", \"t\", columns=\"a, , b\"", "columns has an empty name in \"a, , b\""},
      {"\"x.db\", \"t\", columns=\"a, A\"", "column 'A' is named twice (SQLite ignores case in names)"},
      {"\"x.db\", \"t\", separator=\"\"", "separator must not be empty"},
      {"\"x.db\", \"t\", synchronous=off", "unknown synchronous 'off'; expected full or normal"},
      {"\":memory:\", \"t\"", "path ':memory:' is a database that vanishes with the run; expected a file"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    auto file = dir + "/bad.flow";
    write_file(
        file,
        fmt::format(
            "pipeline bad\n\nsource lines = read(\"in.txt\")\nsink   store = sqlite({})\n\nlines -> store\n",
            c.args));
    auto result = run_command(fmt::format("{} check {}", FLOW_BINARY, shell_quote(file)));
    CHECK(result.exit_code == 2);  // flow check: the file has errors
    CHECK_THAT(result.err,
               Catch::Contains(file + ":4:") && Catch::Contains(c.message) && Catch::Contains("^"));
  }
  write_file(dir + "/good.flow",
             "pipeline good\n\nsource lines = read(\"in.txt\")\nsink   store = sqlite(\"x.db\", \"t\", "
             "columns=\"a, b\", "
             "separator=\";\", busy_timeout=1s, synchronous=normal)\n\nlines -> store\n");
  auto good = run_command(fmt::format("{} check {}", FLOW_BINARY, shell_quote(dir + "/good.flow")));
  INFO(good.err);
  CHECK(good.exit_code == 0);
}

TEST_CASE("the example store keeps the sample log's lines by level in a table", "[calls][sqlite][examples]") {
  auto dir = temp_directory();
  auto db = dir + "/store.db";
  auto json = dir + "/run.json";
  auto result =
      run_command(fmt::format("{} run -q --metrics-json {} examples/store.flow --set 'events.path=\"{}\"'",
                              FLOW_BINARY, shell_quote(json), db),
                  FLOW_SOURCE_DIR);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  // Expected from the sample log itself: its lines, and their levels (the third word).
  auto input = lines_of(read_file(std::string(FLOW_SOURCE_DIR) + "/examples/data/app.log"));
  std::map<std::string, int> levels;
  for (const auto& line : input) {
    auto first = line.find(' ');
    auto second = line.find(' ', first + 1);
    auto third = line.find(' ', second + 1);
    ++levels[line.substr(second + 1, third - second - 1)];
  }
  CHECK(sql_number(db, "SELECT count(*) FROM events") == static_cast<long long>(input.size()));
  std::string expected;
  for (const auto& [level, count] : levels) expected += fmt::format("{}|{}\n", level, count);
  CHECK(sql(db, "SELECT level, count(*) FROM events GROUP BY level ORDER BY level") == expected);
  CHECK(sql(db, "SELECT at, host, level, text FROM events ORDER BY rowid LIMIT 1") ==
        "2026-11-28T10:00:00Z|host-1|INFO|connection reset by peer 405\n");
  auto metrics = nlohmann::json::parse(read_file(json));
  CHECK(entry(metrics.at("sinks"), "events").at("delivered") == input.size());
  CHECK(node_count(metrics, "events", "transactions") == (input.size() + 49) / 50);  // batch(50)
}
