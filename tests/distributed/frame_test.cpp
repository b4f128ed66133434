// The bytes a flow message crosses a cut edge as: a message or a batch (of
// batches) comes back as it went, with its creation time; anything else is
// refused.
#include <catch2/catch.hpp>

#include "runtime/cut/frame.hpp"

using namespace flow;

namespace {

Message line(const char* text) {
  Message message;
  message.payload = Payload(text);
  return message;
}

}  // namespace

TEST_CASE("a message crosses as a frame and comes back with its payload and creation time", "[frame]") {
  Message message;
  message.payload = Payload("hello, cut");
  message.created = Clock::now() - std::chrono::milliseconds(250);
  auto back = cut::decode(cut::encode(message));
  REQUIRE(back.has_value());
  CHECK(back->payload == "hello, cut");
  CHECK_FALSE(back->is_batch());
  // Through the wall clock and back: the same instant, to the clocks' conversion.
  auto drift = back->created - message.created;
  CHECK(std::chrono::abs(drift) < std::chrono::microseconds(1));
}

TEST_CASE("a batch of batches crosses as one frame, members in order", "[frame]") {
  Message inner;
  inner.members = {line("a"), line("")};
  Message outer;
  outer.members = {inner, line("c")};
  auto back = cut::decode(cut::encode(outer));
  REQUIRE(back.has_value());
  REQUIRE(back->members.size() == 2);
  REQUIRE(back->members[0].members.size() == 2);
  CHECK(back->members[0].members[0].payload == "a");
  CHECK(back->members[0].members[1].payload == "");
  CHECK(back->members[1].payload == "c");
  CHECK(back->count() == 3);
}

TEST_CASE("bytes that are not a flow frame are refused", "[frame]") {
  CHECK_FALSE(cut::decode("").has_value());
  CHECK_FALSE(cut::decode("a message from another program").has_value());
  auto frame = cut::encode(line("x"));
  CHECK_FALSE(cut::decode(std::string_view(frame).substr(0, 5)).has_value());  // cut short
  std::string batch = cut::encode([] {
    Message m;
    m.members = {line("x")};
    return m;
  }());
  CHECK_FALSE(cut::decode(std::string_view(batch).substr(0, batch.size() - 1)).has_value());
}
