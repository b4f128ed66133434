#include "runtime/cut/nats.hpp"

#include <fmt/format.h>

namespace flow::cut {

std::string describe(natsStatus status, jsErrCode code) {
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  std::string text = (detail != nullptr && *detail != '\0' && last == status) ? detail : natsStatus_GetText(status);
  if (code != 0) text += fmt::format(" (JetStream error {})", static_cast<int>(code));
  return text;
}

void check(natsStatus status, const std::string& what, jsErrCode code) {
  if (status != NATS_OK) throw NatsError(fmt::format("{}: {}", what, describe(status, code)));
}

Connection::Connection(const std::string& url, const std::string& client_name) : url_(url) {
  natsOptions* options = nullptr;
  check(natsOptions_Create(&options), "NATS options");
  std::unique_ptr<natsOptions, decltype(&natsOptions_Destroy)> owned(options, &natsOptions_Destroy);
  check(natsOptions_SetURL(options, url.c_str()), fmt::format("NATS URL '{}'", url));
  check(natsOptions_SetName(options, client_name.c_str()), "NATS client name");
  check(natsOptions_SetTimeout(options, 2000), "NATS connect timeout");
  // A server restart (file storage keeps the streams) must not end the run:
  // keep trying every 250 ms, and buffer what is published meanwhile.
  check(natsOptions_SetMaxReconnect(options, -1), "NATS reconnect");
  check(natsOptions_SetReconnectWait(options, 250), "NATS reconnect wait");
  check(natsOptions_SetReconnectBufSize(options, 64 << 20), "NATS reconnect buffer");
  auto status = natsConnection_Connect(&connection_, options);
  if (status != NATS_OK) throw NatsError(fmt::format("cannot reach NATS at {}: {}", url, describe(status)));
  status = natsConnection_JetStream(&jetstream_, connection_, nullptr);
  if (status != NATS_OK) {
    natsConnection_Destroy(connection_);
    throw NatsError(fmt::format("NATS at {}: no JetStream context: {}", url, describe(status)));
  }
}

Connection::~Connection() {
  jsCtx_Destroy(jetstream_);
  natsConnection_FlushTimeout(connection_, 2000);
  natsConnection_Destroy(connection_);
}

}  // namespace flow::cut
