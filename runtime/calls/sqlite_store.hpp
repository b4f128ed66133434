#pragma once
// Internal to runtime/calls: one SQLite database a sqlite() sink writes to,
// through one connection and one prepared INSERT. Not thread-safe by itself:
// the sink holds its own lock around every call (SQLite has one writer per
// database anyway; docs/calls.md says why the workers share it).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace flow::calls {

/// `"name"` with every `"` doubled: an SQL identifier taken literally,
/// whatever it holds (spaces, keywords, dots).
std::string quote_identifier(std::string_view name);

struct StoreOptions {
  std::string path;
  std::string table;
  std::vector<std::string> columns;
  std::chrono::milliseconds busy_timeout{5000};
  std::string busy_timeout_text = "5s";  ///< as the file wrote it, for messages
  bool synchronous_full = true;          ///< PRAGMA synchronous=FULL, else NORMAL
};

/// What a transaction left: rows and transactions committed, and the waits
/// for another writer's lock (counted once per wait, however long).
struct StoreCounts {
  std::atomic<std::uint64_t> rows{0};
  std::atomic<std::uint64_t> transactions{0};
  std::atomic<std::uint64_t> busy{0};
};

class SqliteStore {
 public:
  /// Opens (creating) the database in WAL mode and makes sure the table has
  /// the columns; throws std::runtime_error with the reason.
  explicit SqliteStore(StoreOptions options);
  ~SqliteStore();
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  /// Inserts rows of one value per column, laid one after another in
  /// `values`, in one transaction and commits it; on any error rolls back and
  /// throws, so either every row is committed or none is.
  void insert(const std::vector<std::string_view>& values);

  /// Closes the database; throws when SQLite reports an error doing it.
  void close();

  const StoreCounts& counts() const { return counts_; }
  const StoreOptions& options() const { return options_; }

 private:
  static int on_busy(void* self, int attempts);
  void open();
  void ensure_table();
  std::vector<std::string> table_columns();
  void prepare_insert();
  void exec(const char* sql, const char* doing);
  void rollback();
  [[noreturn]] void fail(const std::string& doing) const;

  StoreOptions options_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  std::chrono::steady_clock::time_point busy_since_{};
  StoreCounts counts_;
};

}  // namespace flow::calls
