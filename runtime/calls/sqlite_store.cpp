#include "runtime/calls/sqlite_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <thread>
#include <utility>

namespace flow::calls {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  // SQLite compares identifiers without regard to ASCII case.
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string column_list(const std::vector<std::string>& columns) {
  std::string text;
  for (const auto& column : columns) text += (text.empty() ? "" : ", ") + quote_identifier(column);
  return text;
}

}  // namespace

std::string quote_identifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

SqliteStore::SqliteStore(StoreOptions options) : options_(std::move(options)) {
  try {
    open();
    ensure_table();
    prepare_insert();
  } catch (...) {
    sqlite3_finalize(insert_);
    sqlite3_close_v2(db_);
    throw;
  }
}

SqliteStore::~SqliteStore() {
  // A failed run: its error is already the run's; what was not committed is rolled back.
  sqlite3_finalize(insert_);
  sqlite3_close_v2(db_);
}

// The retry schedule of SQLite's own busy timeout (sqliteDefaultBusyCallback),
// with the waits counted: `busy` in the node's counts shows a writer was
// kept waiting, which a plain sqlite3_busy_timeout would not tell.
int SqliteStore::on_busy(void* self, int attempts) {
  static constexpr std::array<int, 12> delays_ms{1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
  auto& store = *static_cast<SqliteStore*>(self);
  auto now = std::chrono::steady_clock::now();
  if (attempts == 0) {
    store.busy_since_ = now;
    store.counts_.busy.fetch_add(1, std::memory_order_relaxed);
  }
  auto left = store.options_.busy_timeout - (now - store.busy_since_);
  if (left <= std::chrono::nanoseconds::zero()) return 0;  // SQLITE_BUSY goes to the caller
  auto delay = std::chrono::milliseconds(delays_ms[std::min<std::size_t>(attempts, delays_ms.size() - 1)]);
  std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(delay, left));
  return 1;
}

void SqliteStore::open() {
  // NOMUTEX: the sink serialises every call; no URI: the path is a file name as written.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (sqlite3_open_v2(options_.path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    if (db_ == nullptr)
      throw std::runtime_error(fmt::format("cannot open '{}': out of memory", options_.path));
    fail("open");
  }
  sqlite3_busy_handler(db_, &SqliteStore::on_busy, this);
  // WAL: readers (sqlite3 on the same file) never block the sink, nor it them.
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &statement, nullptr) != SQLITE_OK) fail("open");
  int step = sqlite3_step(statement);
  std::string mode =
      step == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)) : "";
  sqlite3_finalize(statement);
  if (step != SQLITE_ROW) fail("switch to WAL mode");
  if (mode != "wal") {
    throw std::runtime_error(
        fmt::format("cannot switch '{}' to WAL mode: SQLite keeps it in '{}' mode", options_.path, mode));
  }
  exec(options_.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
       "set synchronous");
}

std::vector<std::string> SqliteStore::table_columns() {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT name FROM pragma_table_info(?1)", -1, &statement, nullptr) != SQLITE_OK)
    fail("read the columns of a table in");
  sqlite3_bind_text(statement, 1, options_.table.data(), static_cast<int>(options_.table.size()),
                    SQLITE_STATIC);
  std::vector<std::string> names;
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
    names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
  }
  sqlite3_finalize(statement);
  if (step != SQLITE_DONE) fail(fmt::format("read the columns of table {} in", options_.table));
  return names;
}

// The table is made when missing; one that exists must have every column the
// file names (others, with their defaults, are the user's: an id, a time).
void SqliteStore::ensure_table() {
  auto existing = table_columns();
  if (existing.empty()) {
    auto sql = fmt::format("CREATE TABLE IF NOT EXISTS {} ({})", quote_identifier(options_.table), [&] {
      std::string text;
      for (const auto& column : options_.columns)
        text += (text.empty() ? "" : ", ") + quote_identifier(column) + " TEXT";
      return text;
    }());
    exec(sql.c_str(), fmt::format("create table {} in", options_.table).c_str());
    return;
  }
  std::vector<std::string> missing;
  for (const auto& column : options_.columns) {
    auto has = [&](const std::string& name) { return same_name(name, column); };
    if (std::none_of(existing.begin(), existing.end(), has)) missing.push_back(column);
  }
  if (missing.empty()) return;
  std::string have;
  for (const auto& name : existing) have += (have.empty() ? "" : ", ") + name;
  std::string lacks;
  for (const auto& name : missing) lacks += (lacks.empty() ? "" : ", ") + name;
  throw std::runtime_error(fmt::format(
      "table {} in '{}' has the columns ({}), not {} ({}): expected a table with every column of columns=",
      options_.table, options_.path, have, missing.size() == 1 ? "column" : "columns", lacks));
}

void SqliteStore::prepare_insert() {
  std::string values;
  for (std::size_t i = 1; i <= options_.columns.size(); ++i)
    values += fmt::format("{}?{}", i > 1 ? ", " : "", i);
  auto sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", quote_identifier(options_.table),
                         column_list(options_.columns), values);
  if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &insert_, nullptr) != SQLITE_OK)
    fail(fmt::format("prepare the INSERT into table {} of", options_.table));
}

void SqliteStore::insert(const std::vector<std::string_view>& values) {
  // IMMEDIATE: the write lock is taken (or waited for) here, before any row,
  // so a busy database fails the transaction before it began.
  exec("BEGIN IMMEDIATE", "begin a transaction in");
  const auto width = options_.columns.size();
  for (std::size_t row = 0; row + width <= values.size(); row += width) {
    for (std::size_t i = 0; i < width; ++i) {
      // SQLITE_STATIC: the payloads outlive the statement's step.
      const auto& value = values[row + i];
      sqlite3_bind_text(insert_, static_cast<int>(i + 1), value.data(), static_cast<int>(value.size()),
                        SQLITE_STATIC);
    }
    int step = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (step != SQLITE_DONE) {
      auto message = fmt::format("cannot insert into table {} of '{}': {}", options_.table, options_.path,
                                 sqlite3_errmsg(db_));
      rollback();
      throw std::runtime_error(message);
    }
  }
  sqlite3_clear_bindings(insert_);
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    auto message = fmt::format("cannot commit to '{}': {}", options_.path, sqlite3_errmsg(db_));
    rollback();
    throw std::runtime_error(message);
  }
  counts_.rows.fetch_add(values.size() / width, std::memory_order_relaxed);
  counts_.transactions.fetch_add(1, std::memory_order_relaxed);
}

void SqliteStore::rollback() {
  // A failed COMMIT or step may have ended the transaction already.
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteStore::close() {
  sqlite3_finalize(std::exchange(insert_, nullptr));
  auto* db = std::exchange(db_, nullptr);
  if (db != nullptr && sqlite3_close(db) != SQLITE_OK) {
    auto message = fmt::format("cannot close '{}': {}", options_.path, sqlite3_errmsg(db));
    sqlite3_close_v2(db);
    throw std::runtime_error(message);
  }
}

void SqliteStore::exec(const char* sql, const char* doing) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(doing);
}

void SqliteStore::fail(const std::string& doing) const {
  int code = sqlite3_extended_errcode(db_);
  std::string waited;
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
    waited =
        fmt::format(" (another writer held it for longer than busy_timeout={})", options_.busy_timeout_text);
  }
  throw std::runtime_error(
      fmt::format("cannot {} '{}': {}{}", doing, options_.path, sqlite3_errmsg(db_), waited));
}

}  // namespace flow::calls
