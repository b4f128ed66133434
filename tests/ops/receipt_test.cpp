// A Receipt is told once, when the last copy of its message (or the last
// batch holding it) goes; a message without one pays nothing in size.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "flow/message.hpp"

using namespace flow;

namespace {

class CountingReceipt final : public Receipt {
 public:
  explicit CountingReceipt(std::atomic<int>& done) : done_(done) {}

 protected:
  void done() override {
    done_.fetch_add(1);
    delete this;
  }

 private:
  std::atomic<int>& done_;
};

Message taken(std::atomic<int>& done) {
  Message message;
  message.payload = Payload("x");
  message.receipt = ReceiptRef(new CountingReceipt(done));
  return message;
}

}  // namespace

TEST_CASE("a receipt is told once, when the last copy of its message goes", "[receipt]") {
  std::atomic<int> done{0};
  {
    auto message = taken(done);
    {
      auto copy = message;            // broadcast fan-out copies
      auto moved = std::move(copy);   // edges move
      CHECK(done == 0);
    }
    CHECK(done == 0);
  }
  CHECK(done == 1);
}

TEST_CASE("a batch keeps its members' receipts until the batch goes", "[receipt]") {
  std::atomic<int> done{0};
  {
    Message batch;
    batch.members.push_back(taken(done));
    batch.members.push_back(taken(done));
    auto delivered = std::move(batch);
    CHECK(done == 0);
  }
  CHECK(done == 2);
}

TEST_CASE("copies released on many threads tell the receipt once", "[receipt]") {
  std::atomic<int> done{0};
  {
    auto message = taken(done);
    std::vector<Message> copies(64, message);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&copies, t] {
        for (std::size_t i = static_cast<std::size_t>(t); i < copies.size(); i += 4) copies[i] = Message{};
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(done == 0);
  }
  CHECK(done == 1);
}

TEST_CASE("receipts' numbers are reused once their receipt is done", "[receipt]") {
  std::atomic<int> done{0};
  std::uint32_t first = 0;
  {
    auto* receipt = new CountingReceipt(done);
    first = receipt->handle();
    CHECK(first != 0);
    ReceiptRef ref(receipt);
  }
  auto* again = new CountingReceipt(done);
  CHECK(again->handle() == first);
  ReceiptRef ref(again);
}

// The receipt's number sits in the padding after `source`: a message is no
// larger for it (on LP64, where the padding is there). 88 since messages
// carry fields (an 8-byte FieldsRef, docs/fields.md).
static_assert(sizeof(void*) != 8 || sizeof(Message) == 88, "a Message grew");
