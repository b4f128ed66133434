// Fields as messages carry them (flow/fields.hpp): set, find, erase, and the
// copy-on-write reference shared by a message's copies.
#include <catch2/catch.hpp>

#include "flow/message.hpp"

using namespace flow;

TEST_CASE("fields keep the order they were first set in, and a set replaces in place", "[fields]") {
  Fields fields;
  fields.set("status", std::int64_t{200});
  fields.set("path", std::string("/a"));
  fields.set("status", std::int64_t{500});
  REQUIRE(fields.size() == 2);
  CHECK(fields.begin()->first == "status");
  CHECK(std::get<std::int64_t>(*fields.find("status")) == 500);
  CHECK(fields.find("missing") == nullptr);
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
  CHECK(std::get<std::string>(*a.fields.find("k")) == "v");
  CHECK(std::get<std::string>(*b.fields.find("k")) == "w");
  Message c = std::move(b);
  CHECK_FALSE(b.fields);  // NOLINT(bugprone-use-after-move): moved-from is empty by design
  CHECK(std::get<std::string>(*c.fields.find("k")) == "w");
}
