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
// A publish that fails for another reason than a full stream (no answer, no
// JetStream behind the subject) is tried again while the server comes back;
// after this long without one success the edge is taken as broken.
constexpr auto kGiveUpAfter = std::chrono::seconds(60);
// A stopped part (docker stop, Ctrl-C) keeps trying a full stream this long,
// so a consumer at work can take what the part still holds, then lets the
// rest go: a stop must end the part well before docker's 10 s SIGKILL.
constexpr auto kStopGrace = std::chrono::seconds(2);

}  // namespace

Publisher::Publisher(const Connection& connection, const Pipeline& whole, EdgeId edge, CutCounters& counters,
                     Presence& presence, const std::atomic<bool>* interrupt, std::function<void()> hand_back)
    : whole_(whole),
      edge_(edge),
      policy_(whole.edges[edge].overflow),
      names_(names_of(whole, edge)),
      counters_(counters),
      presence_(presence),
      interrupt_(interrupt),
      hand_back_(std::move(hand_back)),
      largest_message_(natsConnection_GetMaxPayload(connection.get())) {
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = static_cast<std::int64_t>(kLargestChunk) * 2;
  options.PublishAsync.AckHandler = &Publisher::on_ack;
  options.PublishAsync.AckHandlerClosure = this;
  jsCtx* raw = nullptr;
  check(natsConnection_JetStream(&raw, connection.get(), &options),
        fmt::format("JetStream for edge {}", whole.edge_name(edge)));
  js_.reset(raw);
}

Publisher::~Publisher() {
  if (js_) {
    jsPubOptions wait;
    jsPubOptions_Init(&wait);
    wait.MaxWait = kAnswerWaitMs;
    js_PublishAsyncComplete(js_.get(), &wait);
  }
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
  try {
    send_all(messages, indexes, outcomes);
  } catch (...) {
    end_round();
    throw;
  }
  end_round();
}

void Publisher::send_all(const Chunk& messages, const std::vector<std::size_t>& indexes,
                         std::vector<Outcome>& outcomes) {
  for (auto index : indexes) {
    outcomes[index] = Outcome::Pending;
    auto bytes = encode(messages[index]);
    if (largest_message_ > 0 && static_cast<std::int64_t>(bytes.size()) > largest_message_) {
      fail(fmt::format("a message of {} bytes is more than the {} bytes the NATS server takes in one message "
                       "(its max_payload)",
                       bytes.size(), largest_message_),
           0);
    }
    // The stream would refuse it as full forever, whatever it held.
    if (const auto& limit = whole_.edges[edge_].max_bytes; limit && bytes.size() > *limit) {
      fail(fmt::format("a message of {} bytes is more than the edge's max_bytes of {} bytes", bytes.size(),
                       *limit),
           0);
    }
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
}

void Publisher::end_round() {
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
          if (outcomes_ != nullptr) (*outcomes_)[found->second] = Outcome::Failed;
          waiting_.erase(found);
        }
      }
      natsMsgList_Destroy(&pending);
    }
  }
  std::lock_guard lock(mutex_);
  if (outcomes_ != nullptr) {
    for (auto& [msg, index] : waiting_) (*outcomes_)[index] = Outcome::Failed;
  }
  waiting_.clear();
  outcomes_ = nullptr;
}

void Publisher::fail(const std::string& why, std::size_t stored) const {
  throw StreamError(fmt::format("edge {} (stream {}): {}", whole_.edge_name(edge_), names_.stream, why),
                    stored);
}

void Publisher::fail_full(std::size_t stored) const {
  throw StreamError(
      fmt::format(
          "edge {}: the JetStream stream {} is full (capacity {}) and the edge's overflow is fail",
          whole_.edge_name(edge_), names_.stream,
          whole_.edges[edge_].capacity ? fmt::format("{}", *whole_.edges[edge_].capacity) : "unbounded"),
      stored);
}

bool Publisher::past_stop_grace() {
  if (interrupt_ == nullptr || !interrupt_->load()) return false;
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::int64_t unset = 0;
  stop_deadline_ns_.compare_exchange_strong(unset, now + std::chrono::nanoseconds(kStopGrace).count());
  return now >= stop_deadline_ns_.load();
}

void Publisher::apply(Chunk& messages, OperatorContext& context) {
  std::vector<Outcome> outcomes(messages.size(), Outcome::Pending);
  std::vector<std::size_t> todo(messages.size());
  for (std::size_t i = 0; i < todo.size(); ++i) todo[i] = i;
  std::vector<bool> dropped(messages.size(), false);
  std::vector<bool> unpublished(messages.size(), false);
  auto backoff = std::chrono::duration_cast<std::chrono::microseconds>(kFirstBackoff);
  auto last_success = std::chrono::steady_clock::now();
  auto stored_count = [&] {
    return static_cast<std::size_t>(std::count(outcomes.begin(), outcomes.end(), Outcome::Stored));
  };
  while (!todo.empty()) {
    publish_round(messages, todo, outcomes);
    std::vector<std::size_t> again;
    bool any_failed = false;
    for (auto index : todo) {
      if (outcomes[index] == Outcome::Stored || outcomes[index] == Outcome::Full) {
        last_success = std::chrono::steady_clock::now();
      }
      if (outcomes[index] == Outcome::Stored) continue;
      any_failed = any_failed || outcomes[index] == Outcome::Failed;
      if (outcomes[index] == Outcome::Full && policy_ == Overflow::DropNewest) {
        dropped[index] = true;
        continue;
      }
      if (outcomes[index] == Outcome::Full && policy_ == Overflow::Fail) {
        // The ones stored so far go on as delivered; a chunk keeps its order only where all went in.
        fail_full(stored_count());
      }
      again.push_back(index);
    }
    if (again.empty()) break;
    if (past_stop_grace()) {
      // Stopped: what the stream still refuses is not published. It is
      // counted, and the part ends as a stopped run, closing its presence.
      for (auto index : again) unpublished[index] = true;
      break;
    }
    if (any_failed && std::chrono::steady_clock::now() - last_success > kGiveUpAfter) {
      std::string last;
      {
        std::lock_guard lock(mutex_);
        last = last_error_;
      }
      fail(fmt::format("no publish has succeeded for {} s: {}", kGiveUpAfter.count(),
                       last.empty() ? "no answer" : last),
           stored_count());
    }
    todo = std::move(again);
    std::this_thread::sleep_for(backoff);
    backoff = std::min<std::chrono::microseconds>(backoff * 2, kLongestBackoff);
  }
  let_go(messages, dropped, unpublished, context);
}

void Publisher::let_go(Chunk& messages, const std::vector<bool>& dropped,
                       const std::vector<bool>& unpublished, OperatorContext& context) {
  bool any_dropped = std::find(dropped.begin(), dropped.end(), true) != dropped.end();
  bool any_unpublished = std::find(unpublished.begin(), unpublished.end(), true) != unpublished.end();
  if (!any_dropped && !any_unpublished) return;
  // Before they are let go: a message a cut edge delivered goes back to its stream, not acknowledged.
  if (any_unpublished && hand_back_) hand_back_();
  Chunk stored;
  stored.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (!dropped[i] && !unpublished[i]) {
      stored.push_back(std::move(messages[i]));
      continue;
    }
    // Taken out of the balance as dropped; PartRun::patch moves the unpublished to errors.
    context.dropped(messages[i]);
    if (dropped[i]) counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    if (unpublished[i]) counters_.not_published(messages[i]);
  }
  messages = std::move(stored);
}

void Publisher::finish() {
  presence_.announce(names_.presence, Side::Producer, instance_name(), "closed");
}

}  // namespace flow::cut
