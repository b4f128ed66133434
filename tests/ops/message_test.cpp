#include "ops_test_support.hpp"

#include "flow/message.hpp"

using flow::Message;
using flow::test::batch_of;

TEST_CASE("a plain message counts once and holds its payload's bytes", "[ops]") {
  Message message;
  message.payload = "hello";
  CHECK_FALSE(message.is_batch());
  CHECK(message.count() == 1);
  CHECK(message.bytes() == 5);
}

TEST_CASE("a batch counts and holds what its members do, nested batches included", "[ops]") {
  Message outer = batch_of({"ab", "cde"});
  outer.members.push_back(batch_of({"f", "gh", "ijkl"}));
  CHECK(outer.is_batch());
  CHECK(outer.count() == 5);
  CHECK(outer.bytes() == 2 + 3 + 1 + 2 + 4);
}
