#include "runtime/cut/nats.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <optional>

#include "flow/distributed.hpp"

namespace flow {
namespace {

// The pieces of a comma-separated list, as written (blanks kept).
std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (true) {
    auto comma = list.find(',', start);
    pieces.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return pieces;
    start = comma + 1;
  }
}

// Where the user info of `url` starts and ends (the '@'), or nullopt when it has none.
// It ends at the last '@', so a password holding '@', '/' or ':' is hidden whole.
std::optional<std::pair<std::size_t, std::size_t>> user_info(const std::string& url) {
  auto scheme = url.find("://");
  auto start = scheme == std::string::npos ? 0 : scheme + 3;
  auto at = url.rfind('@');
  if (at == std::string::npos || at < start) return std::nullopt;
  return std::pair(start, at);
}

// "nats://user:pass@host" → "nats://user:***@host"; a token, "nats://tok@host" → "nats://***@host".
std::string redact_one(const std::string& url) {
  auto info = user_info(url);
  if (!info) return url;
  auto [start, at] = *info;
  auto colon = url.find(':', start);
  auto user = colon != std::string::npos && colon < at ? url.substr(start, colon + 1 - start) : std::string();
  return url.substr(0, start) + user + "***" + url.substr(at);
}

}  // namespace

std::string redacted_nats_url(const std::string& nats_url) {
  auto pieces = split_list(nats_url);
  for (auto& piece : pieces) piece = redact_one(piece);
  return fmt::format("{}", fmt::join(pieces, ","));
}

}  // namespace flow

namespace flow::cut {
namespace {

std::string trimmed(const std::string& text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") + 1 - first);
}

// The client's own error text may quote a URL as given: hide its secret there too.
std::string scrubbed(std::string text, const std::string& urls) {
  for (const auto& url : split_list(urls)) {
    auto info = user_info(url);
    if (!info) continue;
    auto secret = url.substr(info->first, info->second + 1 - info->first);  // "user:pass@"
    auto shown = redact_one(url).substr(info->first);
    shown = shown.substr(0, shown.find('@') + 1);  // "user:***@"
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + shown.size())) {
      text.replace(at, secret.size(), shown);
    }
  }
  return text;
}

// The client's last error starts with where in its source it arose,
// "(conn.c:2088): No server available for connection": only the cause is for the user.
std::string without_source_place(std::string text) {
  auto end = text.find("): ");
  if (text.starts_with('(') && end != std::string::npos && text.find(".c:") < end) text.erase(0, end + 3);
  return text;
}

}  // namespace

std::string describe(natsStatus status, jsErrCode code) {
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  std::string text = (detail != nullptr && *detail != '\0' && last == status) ? without_source_place(detail)
                                                                              : natsStatus_GetText(status);
  if (code != 0) text += fmt::format(" (JetStream error {})", static_cast<int>(code));
  return text;
}

void check(natsStatus status, const std::string& what, jsErrCode code) {
  if (status != NATS_OK) throw NatsError(fmt::format("{}: {}", what, describe(status, code)));
}

std::vector<std::string> server_urls(const std::string& urls) {
  auto pieces = split_list(urls);
  for (auto& piece : pieces) {
    piece = trimmed(piece);
    if (piece.empty())
      throw NatsError(fmt::format("NATS URL list '{}' has an empty entry", redacted_nats_url(urls)));
  }
  return pieces;
}

Connection::Connection(const std::string& urls, const std::string& client_name)
    : shown_url_(redacted_nats_url(urls)) {
  try {
    open(urls, client_name);
    require_jetstream();
  } catch (const NatsError& e) {
    close();
    throw NatsError(scrubbed(e.what(), urls));
  }
}

Connection::~Connection() {
  natsConnection_FlushTimeout(connection_, 2000);
  close();
}

void Connection::open(const std::string& urls, const std::string& client_name) {
  natsOptions* options = nullptr;
  check(natsOptions_Create(&options), "NATS options");
  std::unique_ptr<natsOptions, decltype(&natsOptions_Destroy)> owned(options, &natsOptions_Destroy);
  // A list (a cluster) is tried server by server; natsOptions_SetURL would take it as one URL.
  auto servers = server_urls(urls);
  std::vector<const char*> pointers;
  pointers.reserve(servers.size());
  for (const auto& server : servers) pointers.push_back(server.c_str());
  check(natsOptions_SetServers(options, pointers.data(), static_cast<int>(pointers.size())),
        fmt::format("NATS URL '{}'", shown_url_));
  check(natsOptions_SetName(options, client_name.c_str()), "NATS client name");
  check(natsOptions_SetTimeout(options, 2000), "NATS connect timeout");
  // A server restart (file storage keeps the streams) must not end the run:
  // keep trying every 250 ms, and buffer what is published meanwhile.
  check(natsOptions_SetMaxReconnect(options, -1), "NATS reconnect");
  check(natsOptions_SetReconnectWait(options, 250), "NATS reconnect wait");
  check(natsOptions_SetReconnectBufSize(options, 64 << 20), "NATS reconnect buffer");
  auto status = natsConnection_Connect(&connection_, options);
  if (status != NATS_OK)
    throw NatsError(fmt::format("cannot reach NATS at {}: {}", shown_url_, describe(status)));
  status = natsConnection_JetStream(&jetstream_, connection_, nullptr);
  if (status != NATS_OK)
    throw NatsError(fmt::format("NATS at {}: no JetStream context: {}", shown_url_, describe(status)));
}

// A server started without -js takes the connection but answers no JetStream
// request: every stream call would then fail, or time out, with a cause that
// does not say so. Ask once, now, and say what is missing.
void Connection::require_jetstream() {
  jsAccountInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  auto status = js_GetAccountInfo(&info, jetstream_, nullptr, &code);
  jsAccountInfo_Destroy(info);
  if (status == NATS_OK) return;
  std::array<char, 512> connected{};
  auto server = natsConnection_GetConnectedUrl(connection_, connected.data(), connected.size()) == NATS_OK
                    ? redacted_nats_url(connected.data())
                    : shown_url_;
  if (status == NATS_NO_RESPONDERS || code == JSNotEnabledErr || code == JSNotEnabledForAccountErr) {
    throw NatsError(fmt::format("NATS at {} has no JetStream (start nats-server with -js)", server));
  }
  throw NatsError(fmt::format("NATS at {}: JetStream does not answer: {}", server, describe(status, code)));
}

void Connection::close() {
  jsCtx_Destroy(jetstream_);
  jetstream_ = nullptr;
  natsConnection_Destroy(connection_);
  connection_ = nullptr;
}

}  // namespace flow::cut
