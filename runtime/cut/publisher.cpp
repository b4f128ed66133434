#include "runtime/cut/publisher.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "runtime/cut/frame.hpp"

namespace flow::cut {
namespace {

// A full stream empties as fast as its consumers finish messages: start
// retrying soon, back off to a few tens of milliseconds.
constexpr auto kFirstBackoff = std::chrono::microseconds(200);
constexpr auto kLongestBackoff = std::chrono::milliseconds(50);
constexpr std::int64_t kAnswerWaitMs = 5000;

}  // namespace

Publisher::Publisher(const Connection& connection, const Pipeline& whole, EdgeId edge, CutCounters& counters,
                     Presence& presence)
    : whole_(whole), edge_(edge), policy_(whole.edges[edge].overflow), names_(names_of(whole, edge)),
      counters_(counters), presence_(presence) {
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = static_cast<std::int64_t>(kLargestChunk) * 2;
  options.PublishAsync.AckHandler = &Publisher::on_ack;
  options.PublishAsync.AckHandlerClosure = this;
  jsCtx* raw = nullptr;
  check(natsConnection_JetStream(&raw, connection.get(), &options), fmt::format("JetStream for edge {}", whole.edge_name(edge)));
  js_.reset(raw);
}

void Publisher::on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure) {
  auto* self = static_cast<Publisher*>(closure);
  {
    std::lock_guard lock(self->mutex_);
    auto found = self->waiting_.find(msg);
    if (found != self->waiting_.end() && self->outcomes_ != nullptr) {
      auto& outcome = (*self->outcomes_)[found->second];
      if (ack != nullptr) {
        outcome = Outcome::Stored;
      } else if (error != nullptr && static_cast<int>(error->ErrCode) == kStreamFull) {
        outcome = Outcome::Full;
      } else {
        outcome = Outcome::Failed;
        if (error != nullptr) self->last_error_ = describe(error->Err, error->ErrCode);
      }
      self->waiting_.erase(found);
    }
  }
  natsMsg_Destroy(msg);
}

void Publisher::publish_round(const Chunk& messages, const std::vector<std::size_t>& indexes,
                              std::vector<Outcome>& outcomes) {
  {
    std::lock_guard lock(mutex_);
    outcomes_ = &outcomes;
  }
  for (auto index : indexes) {
    outcomes[index] = Outcome::Pending;
    auto bytes = encode(messages[index]);
    natsMsg* msg = nullptr;
    check(natsMsg_Create(&msg, names_.subject.c_str(), nullptr, bytes.data(), static_cast<int>(bytes.size())),
          "creating a NATS message");
    {
      std::lock_guard lock(mutex_);
      waiting_[msg] = index;
    }
    auto* sent = msg;
    if (js_PublishMsgAsync(js_.get(), &msg, nullptr) != NATS_OK) {
      // Not taken by the client (its window is full while the server is away): try again next round.
      std::lock_guard lock(mutex_);
      waiting_.erase(sent);
      outcomes[index] = Outcome::Failed;
      natsMsg_Destroy(msg);
    }
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = kAnswerWaitMs;
  if (js_PublishAsyncComplete(js_.get(), &wait) != NATS_OK) {
    // No answer in time (the server restarts): take the messages back and send them again.
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, js_.get()) == NATS_OK) {
      std::lock_guard lock(mutex_);
      for (int i = 0; i < pending.Count; ++i) {
        if (auto found = waiting_.find(pending.Msgs[i]); found != waiting_.end()) {
          outcomes[found->second] = Outcome::Failed;
          waiting_.erase(found);
        }
      }
      natsMsgList_Destroy(&pending);
    }
  }
  std::lock_guard lock(mutex_);
  for (auto& [msg, index] : waiting_) outcomes[index] = Outcome::Failed;
  waiting_.clear();
  outcomes_ = nullptr;
}

void Publisher::fail_full(std::size_t stored) const {
  throw StreamError(fmt::format("edge {}: the JetStream stream {} is full (capacity {}) and the edge's overflow is fail",
                                whole_.edge_name(edge_), names_.stream,
                                whole_.edges[edge_].capacity ? fmt::format("{}", *whole_.edges[edge_].capacity) : "unbounded"),
                    stored);
}

void Publisher::apply(Chunk& messages, OperatorContext& context) {
  std::vector<Outcome> outcomes(messages.size(), Outcome::Pending);
  std::vector<std::size_t> todo(messages.size());
  for (std::size_t i = 0; i < todo.size(); ++i) todo[i] = i;
  std::vector<bool> dropped(messages.size(), false);
  auto backoff = std::chrono::duration_cast<std::chrono::microseconds>(kFirstBackoff);
  while (!todo.empty()) {
    publish_round(messages, todo, outcomes);
    std::vector<std::size_t> again;
    for (auto index : todo) {
      if (outcomes[index] == Outcome::Stored) continue;
      if (outcomes[index] == Outcome::Full && policy_ == Overflow::DropNewest) {
        dropped[index] = true;
        continue;
      }
      if (outcomes[index] == Outcome::Full && policy_ == Overflow::Fail) {
        // The ones stored so far go on as delivered; a chunk keeps its order only where all went in.
        fail_full(static_cast<std::size_t>(std::count(outcomes.begin(), outcomes.end(), Outcome::Stored)));
      }
      again.push_back(index);
    }
    if (again.empty()) break;
    todo = std::move(again);
    std::this_thread::sleep_for(backoff);
    backoff = std::min<std::chrono::microseconds>(backoff * 2, kLongestBackoff);
  }
  if (std::none_of(dropped.begin(), dropped.end(), [](bool d) { return d; })) return;
  Chunk stored;
  stored.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (dropped[i]) {
      context.dropped(messages[i]);
      counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    } else {
      stored.push_back(std::move(messages[i]));
    }
  }
  messages = std::move(stored);
}

void Publisher::finish() { presence_.announce(names_.presence, Side::Producer, instance_name(), false); }

}  // namespace flow::cut
