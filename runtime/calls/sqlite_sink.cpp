// sqlite(path, table): lines into a table of an SQLite database (Debian's
// libsqlite3), one transaction per batch message or per chunk the runtime
// hands the sink, the messages counted delivered only once COMMIT returned.
// docs/calls.md (## sqlite) is the contract.
#include <fmt/format.h>

#include <cctype>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flow/arguments.hpp"
#include "runtime/calls/calls.hpp"
#include "runtime/calls/sqlite_store.hpp"

namespace flow::calls {
namespace {

constexpr std::size_t kMostColumns = 2000;  // SQLITE_MAX_COLUMN as Debian builds it

std::string trimmed(std::string_view text) {
  auto start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return "";
  auto end = text.find_last_not_of(" \t");
  return std::string(text.substr(start, end - start + 1));
}

/// "a, b ,c" → {"a", "b", "c"}; an empty name stays, for validate to name.
std::vector<std::string> column_names(const std::string& list) {
  std::vector<std::string> names;
  std::size_t start = 0;
  for (auto comma = list.find(',');; comma = list.find(',', start)) {
    names.push_back(trimmed(std::string_view(list).substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

/// "" when `name` may name a table or column, else why not.
std::string identifier_error(const std::string& what, const std::string& name) {
  if (name.empty()) return fmt::format("{} must not be empty", what);
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return fmt::format("{} '{}' has a control character; expected letters, digits, _ or spaces", what,
                         name);
  }
  if (lower(name).rfind("sqlite_", 0) == 0)
    return fmt::format("{} '{}' starts with sqlite_, which SQLite keeps for itself", what, name);
  return "";
}

std::string validate_columns(const std::string& list) {
  auto names = column_names(list);
  if (names.size() > kMostColumns)
    return fmt::format("columns names {} columns; SQLite takes at most {}", names.size(), kMostColumns);
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (name.empty())
      return fmt::format("columns has an empty name in \"{}\"; expected names between commas", list);
    if (auto error = identifier_error("column", name); !error.empty()) return error;
    if (!seen.insert(lower(name)).second)
      return fmt::format("column '{}' is named twice (SQLite ignores case in names)", name);
  }
  return "";
}

std::string validate_sqlite(const OperatorCall& call, std::string& argument) {
  auto path = required_arg<std::string>(call, "path");
  if (path.empty() || path == ":memory:") {
    argument = "path";
    return path.empty() ? "path must not be empty"
                        : "path ':memory:' is a database that vanishes with the run; expected a file";
  }
  if (auto error = identifier_error("table", required_arg<std::string>(call, "table")); !error.empty()) {
    argument = "table";
    return error;
  }
  if (auto error = validate_columns(optional_arg<std::string>(call, "columns").value_or("line"));
      !error.empty()) {
    argument = "columns";
    return error;
  }
  if (optional_arg<std::string>(call, "separator").value_or("\t").empty()) {
    argument = "separator";
    return "separator must not be empty";
  }
  auto sync = optional_arg<Identifier>(call, "synchronous").value_or(Identifier{"full"}).name;
  if (sync != "full" && sync != "normal") {
    argument = "synchronous";
    return fmt::format("unknown synchronous '{}'; expected full or normal", sync);
  }
  return "";
}

/// The sink. One connection for all the node's workers, used under a lock:
/// SQLite lets one writer at a time into a database, so connections of their
/// own would only wait on each other's locks (docs/calls.md).
class SqliteSink final : public Operator {
 public:
  SqliteSink(StoreOptions options, std::string separator)
      : store_(std::move(options)), separator_(std::move(separator)) {}

  void apply(Chunk& messages, OperatorContext& context) override {
    Chunk delivered;
    delivered.reserve(messages.size());
    std::string error;  // once a transaction failed, the rest of the chunk fails with it
    std::size_t next = 0;
    while (next < messages.size()) {
      // A batch is a transaction of its own; a run of plain messages is one.
      std::size_t end = next + 1;
      if (!messages[next].is_batch()) {
        while (end < messages.size() && !messages[end].is_batch()) ++end;
      }
      // Lines with the wrong field count leave first: moving a message moves
      // a short payload's bytes, so the rows' views are taken after.
      std::vector<std::size_t> alive;
      for (std::size_t i = next; i < end; ++i) {
        if (keep_whole_lines(messages[i], context)) alive.push_back(i);
      }
      if (error.empty()) error = commit(messages, alive);
      for (auto i : alive) {
        if (error.empty()) {
          delivered.push_back(std::move(messages[i]));
        } else {
          context.failed(std::move(messages[i]), error);  // on_error decides, as for a throw
        }
      }
      next = end;
    }
    messages = std::move(delivered);
  }

  bool blocks() const override { return true; }

  void finish() override {
    std::lock_guard lock(mutex_);
    store_.close();
  }

  std::vector<std::pair<std::string, std::uint64_t>> counts() const override {
    const auto& counts = store_.counts();
    return {{"rows", counts.rows.load()},
            {"transactions", counts.transactions.load()},
            {"busy", counts.busy.load()}};
  }

 private:
  /// Leaves out of `message` (a batch: of its members) the lines with
  /// another field count than the table's columns, reported failed; false
  /// when nothing is left of it.
  bool keep_whole_lines(Message& message, OperatorContext& context) {
    if (store_.options().columns.size() == 1) return true;  // any line is one value
    if (!message.is_batch()) {
      if (whole(message.payload.view())) return true;
      auto cause = field_error(message.payload.view());
      context.failed(std::move(message), cause);
      return false;
    }
    std::vector<Message> members;
    members.reserve(message.members.size());
    for (auto& member : message.members) {
      if (keep_whole_lines(member, context)) members.push_back(std::move(member));
    }
    message.members = std::move(members);
    return !message.members.empty();
  }

  void add_row(const Message& message, std::vector<std::string_view>& values) const {
    if (!message.is_batch()) {
      split(message.payload.view(), values);
      return;
    }
    for (const auto& member : message.members) add_row(member, values);
  }

  /// Inserts the rows of messages[`alive`] in one transaction; "" once
  /// committed, else why not (nothing of them is in the table then).
  std::string commit(const Chunk& messages, const std::vector<std::size_t>& alive) {
    std::vector<std::string_view> values;
    for (auto i : alive) add_row(messages[i], values);
    if (values.empty()) return "";
    try {
      std::lock_guard lock(mutex_);
      store_.insert(values);
      return "";
    } catch (const std::exception& failure) {
      return failure.what();
    }
  }

  /// Appends the line's values, one per column, to `values`; false (and
  /// nothing appended) when it has another count.
  bool split(std::string_view line, std::vector<std::string_view>& values) const {
    const auto columns = store_.options().columns.size();
    if (columns == 1) {  // the whole line, separators and all
      values.push_back(line);
      return true;
    }
    const auto first = values.size();
    std::size_t start = 0;
    for (auto at = line.find(separator_); at != std::string_view::npos; at = line.find(separator_, start)) {
      if (values.size() - first + 1 == columns) break;  // one field too many
      values.push_back(line.substr(start, at - start));
      start = at + separator_.size();
    }
    values.push_back(line.substr(start));
    if (values.size() - first == columns && line.find(separator_, start) == std::string_view::npos)
      return true;
    values.resize(first);
    return false;
  }

  /// The number of fields of `line`, counting no further than one past the columns.
  std::size_t fields(std::string_view line) const {
    const auto columns = store_.options().columns.size();
    std::size_t count = 1;
    for (auto at = line.find(separator_); at != std::string_view::npos && count <= columns;
         at = line.find(separator_, at + separator_.size()))
      ++count;
    return count;
  }

  bool whole(std::string_view line) const {
    return store_.options().columns.size() == 1 || fields(line) == store_.options().columns.size();
  }

  std::string field_error(std::string_view line) const {
    std::size_t count = 1;  // all of them, for the message
    for (auto at = line.find(separator_); at != std::string_view::npos;
         at = line.find(separator_, at + separator_.size()))
      ++count;
    return fmt::format("a line has {} {} where table {} has {} columns: \"{}\"", count,
                       count == 1 ? "field" : "fields", store_.options().table,
                       store_.options().columns.size(), line.substr(0, 80));
  }

  std::mutex mutex_;
  SqliteStore store_;  ///< guarded by mutex_
  std::string separator_;
};

std::unique_ptr<Operator> make_sqlite(const OperatorCall& call) {
  StoreOptions options;
  options.path = required_arg<std::string>(call, "path");
  options.table = required_arg<std::string>(call, "table");
  options.columns = column_names(optional_arg<std::string>(call, "columns").value_or("line"));
  auto wait = optional_arg<Duration>(call, "busy_timeout").value_or(Duration{std::chrono::seconds(5)});
  options.busy_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(wait.value);
  options.busy_timeout_text = to_string(Value{wait});
  options.synchronous_full =
      optional_arg<Identifier>(call, "synchronous").value_or(Identifier{"full"}).name == "full";
  return std::make_unique<SqliteSink>(std::move(options),
                                      optional_arg<std::string>(call, "separator").value_or("\t"));
}

OperatorPlan plan_sqlite(const OperatorCall&) {
  OperatorPlan plan;
  plan.cost = Operator::Cost::Cheap;
  return plan;
}

ArgumentSpec argument(std::string name, ValueKind kind, bool required = false, bool positional = false) {
  return ArgumentSpec{std::move(name), kind, required, std::nullopt, positional};
}

}  // namespace

void register_sqlite(OperatorRegistry& registry) {
  OperatorSpec spec;
  spec.name = "sqlite";
  spec.role = Role::Sink;
  spec.args = {
      argument("path", ValueKind::String, true, true), argument("table", ValueKind::String, true, true),
      argument("columns", ValueKind::String),          argument("separator", ValueKind::String),
      argument("busy_timeout", ValueKind::Duration),   argument("synchronous", ValueKind::Identifier)};
  spec.summary =
      "insert each line as a row of `table` in the SQLite database `path` (WAL, one transaction per chunk or "
      "batch); `columns=\"a, b\"` splits lines on `separator` (tab)";
  spec.make = make_sqlite;
  spec.plan = plan_sqlite;
  spec.validate = [](const OperatorCall& call, std::string& argument) -> std::string {
    try {
      return validate_sqlite(call, argument);
    } catch (const std::invalid_argument&) {
      return "";  // the checker reports a missing or mistyped argument itself
    }
  };
  registry.add(std::move(spec));
}

}  // namespace flow::calls
