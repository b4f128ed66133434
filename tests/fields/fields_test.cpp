// Fields as messages carry them (flow/fields.hpp): set, find, erase, and the
// copy-on-write reference shared by a message's copies.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "flow/message.hpp"

using namespace flow;

TEST_CASE("fields keep the order they were first set in, and a set replaces in place", "[fields]") {
  Fields fields;
  fields.set("status", std::int64_t{200});
  fields.set("path", std::string("/a"));
  fields.set("status", std::int64_t{500});
  REQUIRE(fields.size() == 2);
  CHECK(fields.at(0).name == "status");
  CHECK(std::get<std::int64_t>(*fields.find("status")) == 500);
  CHECK(!fields.find("missing"));
  CHECK(fields.erase("status"));
  CHECK_FALSE(fields.erase("status"));
  CHECK(fields.size() == 1);
}

TEST_CASE("field values read as text the way a user writes them", "[fields]") {
  CHECK(field_text(std::int64_t{-42}) == "-42");
  CHECK(field_text(0.25) == "0.25");
  CHECK(field_text(std::string("x y")) == "x y");
}

TEST_CASE("a copied message shares its fields until one copy edits them", "[fields]") {
  Message a;
  CHECK_FALSE(a.fields);
  a.fields.edit().set("k", std::string("v"));
  Message b = a;
  CHECK(b.fields.get() == a.fields.get());  // shared, not copied
  b.fields.edit().set("k", std::string("w"));
  CHECK(std::get<std::string_view>(*a.fields.find("k")) == "v");
  CHECK(std::get<std::string_view>(*b.fields.find("k")) == "w");
  Message c = std::move(b);
  CHECK_FALSE(b.fields);  // NOLINT(bugprone-use-after-move): moved-from is empty by design
  CHECK(std::get<std::string_view>(*c.fields.find("k")) == "w");
}

namespace {
bool lies_in(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}
}  // namespace

TEST_CASE("text cut from the held line is read in place; other text is the fields' own", "[fields]") {
  Fields fields;
  std::string line = "GET /a 200";
  auto held = fields.hold(Payload(line));
  fields.add(StaticName{"method"}, held.substr(0, 3));
  fields.set("path", held.substr(4, 2));
  std::string elsewhere = "elsewhere";
  fields.set("note", std::string_view(elsewhere));
  elsewhere.assign("XXXXXXXXX");  // the fields copied it: changing the original changes nothing
  auto method = std::get<std::string_view>(*fields.find("method"));
  CHECK(method == "GET");
  CHECK(lies_in(method, held));
  CHECK(lies_in(std::get<std::string_view>(*fields.find("path")), held));
  CHECK(std::get<std::string_view>(*fields.find("note")) == "elsewhere");
  CHECK_FALSE(lies_in(std::get<std::string_view>(*fields.find("note")), held));

  // Holding another line keeps what the fields read from the first one.
  auto second = fields.hold(Payload(std::string("PUT /b 500")));
  CHECK(std::get<std::string_view>(*fields.find("method")) == "GET");
  CHECK(std::get<std::string_view>(*fields.find("path")) == "/a");
  fields.set("method", second.substr(0, 3));
  CHECK(std::get<std::string_view>(*fields.find("method")) == "PUT");
  CHECK(fields.size() == 3);
}

TEST_CASE("a field set from another field's own text keeps the text when the fields grow", "[fields]") {
  Fields fields;
  fields.set("a", std::string("a value long enough to leave the small-string buffer"));
  for (int i = 0; i < 20; ++i) {
    auto value = std::get<std::string_view>(*fields.find("a"));
    fields.set(fmt::format("copy{}", i), value);  // may move the bytes `value` views
  }
  for (int i = 0; i < 20; ++i) {
    CHECK(std::get<std::string_view>(*fields.find(fmt::format("copy{}", i))) ==
          "a value long enough to leave the small-string buffer");
  }
  // A field named by another's value: the name views the bytes the add moves.
  auto value = std::get<std::string_view>(*fields.find("a"));
  fields.set(value, value);
  CHECK(fields.at(fields.size() - 1).name == "a value long enough to leave the small-string buffer");
  CHECK(std::get<std::string_view>(fields.at(fields.size() - 1).value) == fields.at(fields.size() - 1).name);
}

TEST_CASE("fields dropped on a thread are reused there, emptied", "[fields]") {
  const Fields* first = nullptr;
  {
    Message message;
    auto& fields = message.fields.edit();
    fields.hold(Payload(std::string("a line")));
    fields.set("k", std::int64_t{1});
    first = message.fields.get();
  }
  Message next;
  auto& fields = next.fields.edit();
  CHECK(&fields == first);  // the same fields, kept for this thread
  CHECK(fields.empty());
  CHECK_FALSE(fields.find("k"));
}
