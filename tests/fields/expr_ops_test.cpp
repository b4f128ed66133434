// where() and set() on messages with fields, run as the runtime runs them:
// what is kept, what is counted filtered, what each field becomes. The
// expected values are computed here, in C++, from the same records.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "flow/expression.hpp"
#include "flow/registry.hpp"

using namespace flow;

namespace {

class Counting final : public OperatorContext {
 public:
  void filtered(const Message&) override { ++filtered_count; }
  void failed(Message, const std::string&) override { ++failed_count; }
  std::size_t filtered_count = 0;
  std::size_t failed_count = 0;
};

std::unique_ptr<Operator> make(const std::string& name, std::map<std::string, Value> args) {
  const auto* spec = builtin_operators().find(name);
  REQUIRE(spec != nullptr);
  return spec->make(OperatorCall{name, std::move(args), {}});
}

// Access-log records as a parser would leave them: status as an integer, as
// text (a CSV column), or missing (a line without one).
struct Record {
  std::optional<std::int64_t> status;
  bool status_as_text = false;
  std::string path;
};

std::vector<Record> records() {
  std::vector<Record> out;
  const std::vector<std::string> paths = {"/api/users", "/index.html", "/api/orders", "/static/app.js",
                                          "/apiary"};
  const std::vector<std::int64_t> statuses = {200, 304, 404, 500, 502, 503, 499};
  for (std::size_t i = 0; i < 200; ++i) {
    Record record;
    if (i % 11 != 0) record.status = statuses[(i * 5) % statuses.size()];
    record.status_as_text = i % 3 == 0;
    record.path = paths[(i * 3) % paths.size()];
    out.push_back(record);
  }
  return out;
}

Message message_of(const Record& record, std::size_t index) {
  Message message;
  message.payload = fmt::format("line {}", index);
  auto& fields = message.fields.edit();
  if (record.status) {
    if (record.status_as_text)
      fields.set("status", fmt::format("{}", *record.status));
    else
      fields.set("status", *record.status);
  }
  fields.set("path", record.path);
  return message;
}

}  // namespace

TEST_CASE("where keeps the messages whose condition holds and counts the rest filtered", "[fields][expr]") {
  auto all = records();
  Chunk chunk;
  std::size_t expected = 0;
  std::vector<std::string> kept_payloads;
  for (std::size_t i = 0; i < all.size(); ++i) {
    chunk.push_back(message_of(all[i], i));
    // The rule in C++: a missing status never compares; text status reads as a number.
    bool holds = all[i].status && *all[i].status >= 500 && all[i].path.rfind("/api/", 0) == 0;
    if (holds) {
      ++expected;
      kept_payloads.push_back(fmt::format("line {}", i));
    }
  }
  REQUIRE(expected > 0);
  REQUIRE(expected < all.size());
  auto where = make("where", {{"condition", Expression{"status >= 500 && path =~ \"^/api/\"", ""}}});
  Counting context;
  where->apply(chunk, context);
  REQUIRE(chunk.size() == expected);
  CHECK(context.filtered_count == all.size() - expected);
  for (std::size_t i = 0; i < chunk.size(); ++i) CHECK(chunk[i].payload.str() == kept_payloads[i]);
}

TEST_CASE("where filters the members of a batch one by one, and drops an emptied batch", "[fields][expr]") {
  auto all = records();
  Message batch, hopeless;
  std::size_t expected = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    batch.members.push_back(message_of(all[i], i));
    if (all[i].status && *all[i].status == 404) ++expected;
    Record none_match = all[i];
    none_match.status = 200;
    hopeless.members.push_back(message_of(none_match, i));
  }
  Chunk chunk{batch, hopeless};
  auto where = make("where", {{"condition", Expression{"status == 404", ""}}});
  Counting context;
  where->apply(chunk, context);
  REQUIRE(chunk.size() == (expected > 0 ? 1U : 0U));
  if (expected > 0) CHECK(chunk[0].members.size() == expected);
  CHECK(context.filtered_count == 40 - expected);
}

TEST_CASE("set gives each field its expression's value, read from the message as it came in",
          "[fields][expr]") {
  Message message;
  auto& fields = message.fields.edit();
  fields.set("duration", 0.25);
  fields.set("method", std::string("GET"));
  fields.set("a", std::int64_t{10});
  fields.set("stale", std::string("old"));
  Message shared = message;  // a broadcast copy: set must not change it
  Chunk chunk{message};
  auto set = make("set", {{"ms", Expression{"duration * 1000", ""}},
                          {"kind", Expression{"lower(method)", ""}},
                          {"a", Expression{"1", ""}},
                          {"b", Expression{"a + 1", ""}},
                          {"slow", Expression{"duration > 0.1", ""}},
                          {"stale", Expression{"nope * 2", ""}}});
  Counting context;
  set->apply(chunk, context);
  REQUIRE(chunk.size() == 1);
  const auto& out = chunk[0].fields;
  CHECK(std::get<double>(*out.find("ms")) == 0.25 * 1000);
  CHECK(std::get<std::string_view>(*out.find("kind")) == "get");
  CHECK(std::get<std::int64_t>(*out.find("a")) == 1);
  CHECK(std::get<std::int64_t>(*out.find("b")) == 10 + 1);  // the a it came in with
  CHECK(std::get<std::int64_t>(*out.find("slow")) == 1);    // a condition is stored as 1 or 0, as awk's
  CHECK(!out.find("stale"));                                // nothing removes the field
  CHECK(std::get<std::string_view>(*shared.fields.find("stale")) == "old");
  CHECK(!shared.fields.find("ms"));
}

TEST_CASE("set tells the checker which fields it sets and their types", "[fields][expr]") {
  const auto* spec = builtin_operators().find("set");
  REQUIRE(spec != nullptr);
  REQUIRE(spec->fields_given);
  auto call = OperatorCall{"set",
                           {{"n", Expression{"len(x)", ""}},
                            {"t", Expression{"upper(x)", ""}},
                            {"r", Expression{"x / 2", ""}},
                            {"c", Expression{"x > 2", ""}},
                            {"v", Expression{"x", ""}},
                            {"s", Expression{"status", ""}}},
                           {}};
  // Where nothing is known of x and status, a field copied from one is of any type...
  auto change = spec->fields_given(call, KnownFields{{}, false});
  std::map<std::string, FieldType> sets(change.sets.begin(), change.sets.end());
  CHECK(sets == std::map<std::string, FieldType>{{"n", FieldType::Integer},
                                                 {"t", FieldType::Text},
                                                 {"r", FieldType::Decimal},
                                                 {"c", FieldType::Integer},
                                                 {"v", FieldType::Any},
                                                 {"s", FieldType::Any}});
  CHECK_FALSE(change.sets_unknown);
  // ... and where they are known, it takes their types.
  change =
      spec->fields_given(call, KnownFields{{{"x", FieldType::Text}, {"status", FieldType::Integer}}, true});
  sets = std::map<std::string, FieldType>(change.sets.begin(), change.sets.end());
  CHECK(sets.at("v") == FieldType::Text);
  CHECK(sets.at("s") == FieldType::Integer);
}
