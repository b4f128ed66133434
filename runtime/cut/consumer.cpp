#include "runtime/cut/consumer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "runtime/cut/frame.hpp"
#include "runtime/cut/say.hpp"

namespace flow::cut {
namespace {

// How long one pull waits on the server for messages before looking again
// whether the input has ended.
constexpr std::int64_t kFetchWaitNs = 100'000'000;
// How soon the runtime asks again when the buffer is empty: at once while
// messages flow, later the longer the edge has been quiet (a tenth of the
// quiet time, at most kSlowestPoll). The runtime cannot be woken by the
// fetcher, and a 1 ms poll on an edge with nothing to take (no producer yet)
// kept its workers from ever sleeping: a tenth of a core spent on nothing.
// The price: the first message after a quiet spell waits up to a tenth of
// the spell more, at most kSlowestPoll.
constexpr auto kFirstPoll = std::chrono::milliseconds(1);
constexpr auto kSlowestPoll = std::chrono::milliseconds(100);
// How often the fetcher asks the server whether its durable consumer still
// exists, when a pull brought nothing.
constexpr auto kLookEvery = std::chrono::seconds(1);

// A batch that crossed the cut is one stream message: each member carries its
// receipt too, so unbatching does not acknowledge it while members are at work.
void share_receipt(Message& message) {
  for (auto& member : message.members) {
    member.receipt = message.receipt;
    share_receipt(member);
  }
}

}  // namespace

class Consumer::Taken final : public Receipt {
 public:
  Taken(Consumer& owner, natsMsg* msg) : owner_(owner), msg_(msg) {}
  natsMsg* msg() const { return msg_; }

 protected:
  void done() override { owner_.settle(this); }

 private:
  Consumer& owner_;
  natsMsg* msg_;
};

Consumer::Consumer(const Connection& connection, const Pipeline& whole, EdgeId edge, CutCounters& counters,
                   Presence& presence, std::size_t prefetch)
    : whole_(whole),
      edge_(edge),
      names_(names_of(whole, edge)),
      counters_(counters),
      presence_(presence),
      js_(connection.jetstream()),
      prefetch_(prefetch == 0 ? 1 : prefetch) {
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = names_.stream.c_str();
  options.Consumer = names_.stream.c_str();
  natsSubscription* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  check(js_PullSubscribe(&raw, js_, names_.subject.c_str(), names_.stream.c_str(), nullptr, &options, &code),
        fmt::format("pulling from stream {} of edge {}", names_.stream, whole.edge_name(edge)), code);
  subscription_.reset(raw);
  jsConsumerInfo* info = nullptr;
  if (js_GetConsumerInfo(&info, js_, names_.stream.c_str(), names_.stream.c_str(), nullptr, nullptr) ==
      NATS_OK) {
    NatsPtr<jsConsumerInfo> owned(info);
    // The stream's and the consumer's sequences go on from run to run: the
    // gap so far is earlier runs' drops. A new consumer starts at the
    // stream's first message; what was discarded before that is this run's.
    if (info->Delivered.Consumer > 0 && info->Delivered.Stream > info->Delivered.Consumer) {
      gap_before_ = info->Delivered.Stream - info->Delivered.Consumer;
    }
    // Every stream sequence up to here was taken or discarded before: what
    // the stream receives after it is this run's input (the edge's `in`).
    // A consumer that has delivered nothing yet starts at the stream's first
    // message: what the stream received before it, it discarded in this run.
    if (info->Delivered.Consumer > 0) {
      counters_.sequence_base.store(info->Delivered.Stream, std::memory_order_relaxed);
    }
  }
  presence_.announce(names_.presence, Side::Consumer, instance_name(), "open");
}

Consumer::~Consumer() {
  stop();
}

void Consumer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !fetcher_.joinable()) return;
    stopping_ = true;
    started_ = true;  // a stopped consumer does not start
  }
  room_.notify_all();
  if (fetcher_.joinable()) fetcher_.join();
  abandon();
  std::deque<Message> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(buffer_);
  }
  left.clear();  // their receipts give the messages back
}

int Consumer::wait_for_room() {
  std::unique_lock lock(mutex_);
  room_.wait_for(lock, std::chrono::milliseconds(200),
                 [&] { return stopping_ || buffer_.size() < prefetch_; });
  if (stopping_ || ended_ || gone_) return -1;
  return static_cast<int>(prefetch_ - std::min(prefetch_, buffer_.size()));
}

void Consumer::fetch_loop() {
  while (true) {
    int room = wait_for_room();
    if (room < 0) return;
    if (room == 0) continue;
    natsMsgList list{};
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = room;
    request.Expires = kFetchWaitNs;
    auto status = natsSubscription_FetchRequest(&list, subscription_.get(), &request);
    if (status == NATS_OK) {
      for (int i = 0; i < list.Count; ++i) {
        take(list.Msgs[i]);
        list.Msgs[i] = nullptr;
      }
      natsMsgList_Destroy(&list);
      continue;
    }
    natsMsgList_Destroy(&list);
    bool idle = status == NATS_TIMEOUT || status == NATS_NOT_FOUND;
    // Otherwise the server is away (restarting; the connection reconnects by
    // itself), or the consumer is gone: the look tells which.
    if (!idle) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (look(idle)) return;
  }
}

bool Consumer::look(bool idle) {
  try {
    if (consumer_gone()) {
      std::lock_guard lock(mutex_);
      gone_ = fmt::format(
          "edge {}: the durable consumer {} of the JetStream stream {} is gone (deleted, or the "
          "server came back without its store); start the part again to create it",
          whole_.edge_name(edge_), names_.stream, names_.stream);
      return true;
    }
    if (idle && input_ended()) {
      std::lock_guard lock(mutex_);
      ended_ = true;
      return true;
    }
  } catch (const NatsError&) {
    // The server is away; the input has not ended. Look again after the next pull.
  }
  return false;
}

bool Consumer::consumer_gone() {
  auto now = std::chrono::steady_clock::now();
  if (now < next_look_) return false;
  next_look_ = now + kLookEvery;
  jsConsumerInfo* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  auto status = js_GetConsumerInfo(&raw, js_, names_.stream.c_str(), names_.stream.c_str(), nullptr, &code);
  NatsPtr<jsConsumerInfo> info(raw);
  // Only the server's own "not found" counts, twice in a row: a server that
  // is away or still starting answers otherwise, or not at all.
  bool missing = status == NATS_NOT_FOUND && (code == JSConsumerNotFoundErr || code == JSStreamNotFoundErr);
  missing_ = missing ? missing_ + 1 : 0;
  return missing_ >= 2;
}

void Consumer::take(natsMsg* msg) {
  jsMsgMetaData* raw = nullptr;
  if (natsMsg_GetMetaData(&raw, msg) == NATS_OK) {
    NatsPtr<jsMsgMetaData> meta(raw);
    if (meta->NumDelivered > 1) {
      counters_.redelivered.fetch_add(1, std::memory_order_relaxed);
    } else if (meta->Sequence.Stream > meta->Sequence.Consumer) {
      // A first delivery: every stream sequence skipped so far is a message
      // the stream discarded before anyone took it (drop_oldest).
      std::lock_guard lock(mutex_);
      highest_gap_ = std::max(highest_gap_, meta->Sequence.Stream - meta->Sequence.Consumer);
      counters_.dropped.store(highest_gap_ - std::min(highest_gap_, gap_before_), std::memory_order_relaxed);
    }
  }
  auto message =
      decode(std::string_view(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg))));
  if (!message) {
    // Not a flow frame: someone else published on the subject. It is no message of the pipeline.
    natsMsg_Term(msg, nullptr);
    natsMsg_Destroy(msg);
    return;
  }
  auto* taken = new Taken(*this, msg);
  {
    std::lock_guard lock(outstanding_mutex_);
    outstanding_.insert(taken);
  }
  message->receipt = ReceiptRef(taken);
  share_receipt(*message);
  std::lock_guard lock(mutex_);
  buffer_.push_back(std::move(*message));
}

bool Consumer::input_over() {
  std::lock_guard lock(mutex_);
  return ended_;
}

bool Consumer::input_ended() {
  auto producers = presence_.census(names_.presence, Side::Producer);
  if (producers.closed == 0 && producers.alive == 0 && producers.dead > 0 && !warned_dead_) {
    warned_dead_ = true;
    say_on_stderr(fmt::format(
        "flow: edge {}: every process producing into it has died; waiting for one to be started\n",
        whole_.edge_name(edge_)));
  }
  if (producers.closed == 0 || producers.alive > 0) return false;
  jsConsumerInfo* raw = nullptr;
  if (js_GetConsumerInfo(&raw, js_, names_.stream.c_str(), names_.stream.c_str(), nullptr, nullptr) !=
      NATS_OK) {
    return false;
  }
  NatsPtr<jsConsumerInfo> info(raw);
  std::size_t mine = 0;
  {
    std::lock_guard lock(outstanding_mutex_);
    mine = outstanding_.size();
  }
  if (info->NumPending != 0) return false;
  if (!ending_.exchange(true)) presence_.announce(names_.presence, Side::Consumer, instance_name(), "ending");
  if (static_cast<std::uint64_t>(info->NumAckPending) <= mine) return true;
  // Taken and not finished elsewhere. A dead process's, or one a lost pull
  // left with no taker, comes back after the ack wait: wait for it. But what
  // other live processes of the part hold, once they are ending too, is
  // theirs to finish (a batch holding messages until its input ends).
  auto consumers = presence_.census(names_.presence, Side::Consumer);
  return consumers.dead == 0 && consumers.alive == 0 && consumers.ending >= 2;
}

SourcePull Consumer::pull(Chunk& out, std::size_t max, Clock::time_point now) {
  SourcePull result;
  {
    std::lock_guard lock(mutex_);
    if (!started_) {
      started_ = true;
      quiet_since_ = now;
      fetcher_ = std::thread([this] { fetch_loop(); });
    }
    if (gone_) throw std::runtime_error(*gone_);
    if (!buffer_.empty()) quiet_since_ = now;
    while (max > 0 && !buffer_.empty()) {
      out.push_back(std::move(buffer_.front()));
      buffer_.pop_front();
      --max;
    }
    if (buffer_.empty()) {
      if (ended_) {
        result.exhausted = true;
      } else {
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(now - quiet_since_) / 10;
        result.next_at = now + std::clamp<std::chrono::milliseconds>(wait, kFirstPoll, kSlowestPoll);
      }
    }
  }
  room_.notify_one();
  return result;
}

void Consumer::settle(Taken* taken) {
  {
    std::lock_guard lock(outstanding_mutex_);
    outstanding_.erase(taken);
    if (abandoned_) {
      natsMsg_Nak(taken->msg(), nullptr);
    } else {
      natsMsg_Ack(taken->msg(), nullptr);
    }
  }
  natsMsg_Destroy(taken->msg());
  delete taken;
}

void Consumer::keep_alive() {
  std::lock_guard lock(outstanding_mutex_);
  for (auto* taken : outstanding_) natsMsg_InProgress(taken->msg(), nullptr);
}

void Consumer::abandon() {
  std::lock_guard lock(outstanding_mutex_);
  abandoned_ = true;
}

}  // namespace flow::cut
