// sqlite()'s busy timeout against the real sqlite3 command holding the
// database's write lock (BEGIN IMMEDIATE, kept open until the test says
// COMMIT): held shorter than busy_timeout, flow waits and then commits every
// line; held longer, the messages fail by on_error, naming "database is locked".
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <thread>

#include "child.hpp"
#include "sqlite_support.hpp"

using namespace flow::test;
using namespace std::chrono_literals;

namespace {

/// Waits until `done()` holds, looking every few milliseconds, for at most `limit`.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

/// Another writer would wait now: the sqlite3 command, with no busy timeout of its own, is refused.
bool locked(const std::string& db) {
  auto result = run_command(fmt::format("sqlite3 -batch {} 'BEGIN IMMEDIATE; ROLLBACK;'", shell_quote(db)));
  return result.exit_code != 0 && result.err.find("database is locked") != std::string::npos;
}

/// `sqlite3 DB` reading its commands from a FIFO this test writes: its
/// BEGIN IMMEDIATE holds the write lock until release() sends COMMIT.
class LockHolder {
 public:
  LockHolder(const std::string& dir, const std::string& db) : fifo_(dir + "/commands") {
    REQUIRE(::mkfifo(fifo_.c_str(), 0600) == 0);
    process_ = std::make_unique<Child>(
        "/bin/sh", std::vector<std::string>{"-c", fmt::format("exec sqlite3 -batch {} < {}", shell_quote(db),
                                                              shell_quote(fifo_))});
    fd_ = ::open(fifo_.c_str(), O_WRONLY | O_CLOEXEC);  // returns once the shell opened it to read
    REQUIRE(fd_ >= 0);
    say("BEGIN IMMEDIATE;\n");
    REQUIRE(wait_until([&] { return locked(db); }));
  }
  ~LockHolder() {
    if (fd_ >= 0) ::close(fd_);
  }
  LockHolder(const LockHolder&) = delete;
  LockHolder& operator=(const LockHolder&) = delete;

  void release() {
    say("COMMIT;\n");
    ::close(std::exchange(fd_, -1));  // end of its input: sqlite3 exits
    CHECK(process_->finish(10s) == 0);
  }

 private:
  void say(const std::string& text) {
    REQUIRE(::write(fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }

  std::string fifo_;
  std::unique_ptr<Child> process_;
  int fd_ = -1;
};

/// A database in WAL mode with the table, made before the lock is taken (as a running store's is).
std::string prepared_database(const std::string& dir) {
  auto db = dir + "/store.db";
  sql(db, "PRAGMA journal_mode=WAL; CREATE TABLE logs (line TEXT);");
  return db;
}

std::string pipeline(const std::string& dir, const std::string& db, const std::string& args,
                     const std::string& attributes = "") {
  auto file = dir + "/busy.flow";
  write_file(file,
             fmt::format("pipeline busy\n\nsource lines = read(\"{}/in.txt\")\nsink   store = sqlite(\"{}\", "
                         "\"logs\"{}){}\n\nlines -> store\n",
                         dir, db, args, attributes));
  return file;
}

/// The sink's `busy` count as /metrics shows it now; nullopt before it is there.
std::optional<long> scraped_busy(int port) {
  auto reply = run_command(fmt::format("curl -s http://127.0.0.1:{}/metrics", port));
  static const std::regex sample(
      R"re(flow_source_events_total\{pipeline="busy",node="store",event="busy"\} (\d+))re");
  std::smatch match;
  if (!std::regex_search(reply.out, match, sample)) return std::nullopt;
  return std::stol(match[1]);
}

}  // namespace

TEST_CASE("a lock held shorter than busy_timeout makes sqlite wait, then every line is committed",
          "[calls][sqlite]") {
  auto dir = temp_directory();
  auto db = prepared_database(dir);
  const int count = 500;
  write_file(dir + "/in.txt", numbered_lines("held ", count));
  LockHolder holder(dir, db);
  auto file = pipeline(dir, db, ", busy_timeout=60s");
  Child flow(FLOW_BINARY,
             {"run", file, "--metrics-port", "0", "--report", "50ms", "--quiet", "--metrics-json",
              dir + "/run.json"},
             /*merge_stderr=*/true);
  auto first = flow.read_line(10s);
  REQUIRE(first);
  std::smatch port;
  static const std::regex url(R"(flow: metrics at http://127\.0\.0\.1:(\d+)/metrics)");
  REQUIRE(std::regex_match(*first, port, url));
  // flow found the database locked and waits on it, holding its lines.
  REQUIRE(wait_until([&] { return scraped_busy(std::stoi(port[1])).value_or(0) >= 1; }));
  CHECK(sql_number(db, "SELECT count(*) FROM logs") == 0);
  holder.release();
  REQUIRE(flow.finish(30s) == 0);
  CHECK(sql_number(db, "SELECT count(DISTINCT line) FROM logs") == count);
  CHECK(sql_number(db, "SELECT count(*) FROM logs") == count);
  auto metrics = nlohmann::json::parse(read_file(dir + "/run.json"));
  CHECK(entry(metrics.at("sinks"), "store").at("delivered") == count);
  CHECK(entry(metrics.at("sources"), "lines").at("errors") == 0);
  CHECK(node_count(metrics, "store", "busy") >= 1);
}

TEST_CASE("a lock held past busy_timeout fails the messages: counted under skip, the run under fail",
          "[calls][sqlite]") {
  auto dir = temp_directory();
  auto db = prepared_database(dir);
  const int count = 4;  // on_error=skip hands the sink one line at a time: each waits busy_timeout
  write_file(dir + "/in.txt", numbered_lines("late ", count));
  LockHolder holder(dir, db);

  auto skipped =
      run_pipeline(dir, "skip", read_file(pipeline(dir, db, ", busy_timeout=200ms", " [on_error=skip]")));
  INFO(skipped.process.err);
  REQUIRE(skipped.process.exit_code == 0);
  CHECK(entry(skipped.metrics.at("sources"), "lines").at("errors") == count);
  CHECK(entry(skipped.metrics.at("sinks"), "store").at("delivered") == 0);
  CHECK(node_count(skipped.metrics, "store", "busy") == count);
  CHECK(node_count(skipped.metrics, "store", "rows") == 0);

  auto failed = run_pipeline(dir, "fail", read_file(pipeline(dir, db, ", busy_timeout=200ms")));
  CHECK(failed.process.exit_code == 1);
  CHECK_THAT(failed.process.err, Catch::Contains("sink store failed") &&
                                     Catch::Contains("database is locked") &&
                                     Catch::Contains("busy_timeout=200ms"));
  holder.release();
  CHECK(sql_number(db, "SELECT count(*) FROM logs") == 0);
}
