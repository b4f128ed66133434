#pragma once
// The NATS client as the cut edges use it: one connection per process, with
// errors turned into exceptions whose text says what failed and where.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nats/nats.h>

namespace flow::cut {

/// A NATS or JetStream call failed; what() names the call's purpose and the cause.
class NatsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// "timeout", or "maximum messages exceeded (JetStream error 10077)".
std::string describe(natsStatus status, jsErrCode code = static_cast<jsErrCode>(0));

/// Throws NatsError "WHAT: CAUSE" unless `status` is NATS_OK.
void check(natsStatus status, const std::string& what, jsErrCode code = static_cast<jsErrCode>(0));

/// The error code JetStream gives a publish to a stream at its limit with
/// discard=new ("maximum messages exceeded", "maximum bytes exceeded").
inline constexpr int kStreamFull = 10077;

/// The URLs of a `--nats` value: one, or a comma-separated list (a cluster).
/// Throws NatsError for an empty entry.
std::vector<std::string> server_urls(const std::string& urls);

class Connection {
 public:
  /// Connects to the first server of `urls` that answers, within a few
  /// seconds, or throws "cannot reach NATS at URL: …"; throws "NATS at URL
  /// has no JetStream" when the server does not answer JetStream's API.
  /// Once connected it reconnects without end while the server is away.
  /// Messages show the URL redacted (redacted_nats_url).
  Connection(const std::string& urls, const std::string& client_name);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  natsConnection* get() const { return connection_; }
  /// The connection's JetStream context for stream, consumer and KV calls.
  jsCtx* jetstream() const { return jetstream_; }
  /// The URL list with its passwords and tokens redacted, for messages.
  const std::string& shown_url() const { return shown_url_; }

 private:
  void open(const std::string& urls, const std::string& client_name);
  void require_jetstream();
  void close();

  std::string shown_url_;
  natsConnection* connection_ = nullptr;
  jsCtx* jetstream_ = nullptr;
};

/// Deleters, for unique_ptr over the client's objects.
struct NatsDelete {
  void operator()(natsMsg* msg) const { natsMsg_Destroy(msg); }
  void operator()(jsStreamInfo* info) const { jsStreamInfo_Destroy(info); }
  void operator()(jsConsumerInfo* info) const { jsConsumerInfo_Destroy(info); }
  void operator()(kvEntry* entry) const { kvEntry_Destroy(entry); }
  void operator()(kvStore* store) const { kvStore_Destroy(store); }
  void operator()(natsSubscription* sub) const { natsSubscription_Destroy(sub); }
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
  void operator()(jsMsgMetaData* meta) const { jsMsgMetaData_Destroy(meta); }
};
template <typename T>
using NatsPtr = std::unique_ptr<T, NatsDelete>;

}  // namespace flow::cut
