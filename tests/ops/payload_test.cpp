// flow::Payload: a string of its own or a view into a SharedBytes block, and
// the block's references as payloads are copied, moved, changed and dropped.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "flow/payload.hpp"

using flow::Payload;
using flow::SharedBytes;

namespace {

/// A block holding `text`, with the test's own reference (released by the destructor).
class Block {
 public:
  explicit Block(std::string_view text) : block_(SharedBytes::make(text.size())) {
    std::memcpy(block_->data(), text.data(), text.size());
  }
  ~Block() { block_->release(); }
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  /// A view of `size` bytes at `offset`, holding a reference of its own.
  Payload view(std::size_t offset, std::size_t size, bool newline_follows = false) {
    block_->retain();
    return Payload::view_of(block_, block_->data() + offset, size, newline_follows);
  }
  std::uint32_t references() const { return block_->references(); }
  const char* data() const { return block_->data(); }

 private:
  SharedBytes* block_;
};

}  // namespace

TEST_CASE("a payload made from a string owns it and is no view", "[ops][payload]") {
  Payload owned(std::string("hello"));
  CHECK_FALSE(owned.is_view());
  CHECK_FALSE(owned.newline_follows());
  CHECK(owned.size() == 5);
  CHECK(owned.view() == "hello");
  CHECK(owned.str() == "hello");
  Payload empty;
  CHECK(empty.empty());
  CHECK_FALSE(empty.is_view());
}

TEST_CASE("a view payload reads the block's bytes in place and holds one reference", "[ops][payload]") {
  Block block("hello\nworld");
  CHECK(block.references() == 1);
  {
    Payload view = block.view(6, 5);
    CHECK(view.is_view());
    CHECK(view.data() == block.data() + 6);  // not copied
    CHECK(view.size() == 5);
    CHECK(view.view() == "world");
    CHECK(block.references() == 2);
  }
  CHECK(block.references() == 1);
}

TEST_CASE("copying a view retains the block, and each copy's end releases one reference", "[ops][payload]") {
  Block block("hello\nworld");
  Payload view = block.view(0, 5);
  REQUIRE(block.references() == 2);
  {
    Payload copy = view;  // NOLINT: the copy is the point
    CHECK(copy.is_view());
    CHECK(copy.data() == view.data());
    CHECK(block.references() == 3);
    Payload assigned("owned before");
    assigned = view;
    CHECK(assigned.is_view());
    CHECK(assigned.view() == "hello");
    CHECK(block.references() == 4);
    assigned = assigned;  // NOLINT: self-assignment keeps the count
    CHECK(block.references() == 4);
  }
  CHECK(block.references() == 2);
  view = Payload("other");  // assigning over a view lets go of its block
  CHECK(block.references() == 1);
  CHECK(view.view() == "other");
}

TEST_CASE("the block goes with the last payload that views it", "[ops][payload]") {
  // The test's own reference is handed over to the first view: nothing else holds
  // the block, so it is freed with the last copy (a leak or a double free shows
  // under AddressSanitizer). Its count is read while one copy is left.
  auto* block = SharedBytes::make(8);
  std::memcpy(block->data(), "abcdefgh", 8);
  auto first = Payload::view_of(block, block->data(), 8);
  CHECK(block->references() == 1);
  auto second = first;
  auto third = second;
  CHECK(block->references() == 3);
  first = Payload();
  second = Payload();
  CHECK(block->references() == 1);
  CHECK(third.view() == "abcdefgh");
}

TEST_CASE("text() copies a view out: the payload is no view and its block lost a reference",
          "[ops][payload]") {
  Block block("abc\ndef");
  Payload view = block.view(0, 3, true);
  Payload other = view;
  REQUIRE(block.references() == 3);
  std::string& text = view.text();
  CHECK(text == "abc");
  CHECK_FALSE(view.is_view());
  CHECK_FALSE(view.newline_follows());
  CHECK(view.data() != block.data());
  CHECK(block.references() == 2);
  text += "XYZ";  // changes the copy, never the block other views read
  CHECK(view.view() == "abcXYZ");
  CHECK(other.view() == "abc");
  CHECK(std::string_view(block.data(), 3) == "abc");
}

TEST_CASE("detach() copies a view out and leaves a string payload as it was", "[ops][payload]") {
  Block block("abc\ndef");
  Payload view = block.view(4, 3);
  REQUIRE(block.references() == 2);
  view.detach();
  CHECK_FALSE(view.is_view());
  CHECK(view.view() == "def");
  CHECK(block.references() == 1);
  Payload owned("mine");
  const char* before = owned.data();
  owned.detach();
  CHECK(owned.data() == before);
  CHECK(owned.view() == "mine");
}

TEST_CASE("moving a view hands its reference over and leaves the source without the block",
          "[ops][payload]") {
  Block block("hello\nworld");
  Payload view = block.view(0, 5, true);
  REQUIRE(block.references() == 2);
  Payload moved = std::move(view);
  CHECK(moved.is_view());
  CHECK(moved.newline_follows());
  CHECK(moved.view() == "hello");
  CHECK(block.references() == 2);
  CHECK_FALSE(view.is_view());  // NOLINT: the moved-from state is what is tested
  CHECK_FALSE(view.newline_follows());

  Payload target("owned");
  target = std::move(moved);
  CHECK(target.is_view());
  CHECK(target.view() == "hello");
  CHECK(block.references() == 2);
  CHECK_FALSE(moved.is_view());  // NOLINT

  Block second("xyz");
  Payload over = second.view(0, 3);
  REQUIRE(second.references() == 2);
  over = std::move(target);  // the target's old block is let go of
  CHECK(second.references() == 1);
  CHECK(block.references() == 2);
  CHECK(over.view() == "hello");
}

TEST_CASE("newline_follows changes neither size() nor view()", "[ops][payload]") {
  Block block("line\nline");
  Payload with = block.view(0, 4, true);
  Payload without = block.view(5, 4, false);
  CHECK(with.newline_follows());
  CHECK_FALSE(without.newline_follows());
  CHECK(with.size() == 4);
  CHECK(with.view().size() == 4);
  CHECK(with.view() == "line");
  CHECK(with.str() == "line");
  CHECK_FALSE(with.empty());
  CHECK(with == without);
  Payload empty = block.view(4, 0, true);  // an empty line before its '\n'
  CHECK(empty.newline_follows());
  CHECK(empty.size() == 0);
  CHECK(empty.empty());
  Payload copy = with;
  CHECK(copy.newline_follows());
  CHECK(copy.size() == 4);
}

TEST_CASE("payloads compare by their bytes, views and strings alike", "[ops][payload]") {
  Block block("same\nsamf");
  Payload view = block.view(0, 4);
  Payload other_view = block.view(5, 4);
  Payload owned("same");
  CHECK(view == owned);
  CHECK(owned == view);
  CHECK(view == "same");
  CHECK(view == std::string("same"));
  CHECK(view == std::string_view("same"));
  CHECK_FALSE(view == other_view);
  CHECK(view != other_view);
  CHECK_FALSE(view == "sam");
  CHECK_FALSE(view == std::string("same "));
  CHECK(view != "samf");
  CHECK(Payload() == "");
}
