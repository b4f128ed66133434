#include "runtime/cut/presence.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <array>

namespace flow::cut {
namespace {

const char* side_letter(Side side) { return side == Side::Producer ? "p" : "c"; }

bool alive(kvEntry* entry) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto renewed = std::chrono::nanoseconds(kvEntry_Created(entry));
  return now - renewed < kStaleAfter;
}

// Key characters JetStream allows: letters, digits, - _ = / and '.' between tokens.
std::string key_safe(std::string text) {
  for (auto& c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) c = '_';
  }
  return text;
}

}  // namespace

const std::string& instance_name() {
  static const std::string name = [] {
    std::array<char, 256> host{};
    if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
    auto started = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
    return key_safe(fmt::format("{}-{}-{}", host.data(), getpid(), started));
  }();
  return name;
}

Presence::Presence(jsCtx* js, const std::string& bucket, bool create) {
  kvStore* raw = nullptr;
  if (js_KeyValue(&raw, js, bucket.c_str()) != NATS_OK && create) {
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = bucket.c_str();
    config.History = 1;
    config.StorageType = js_FileStorage;
    raw = nullptr;
    auto status = js_CreateKeyValue(&raw, js, &config);
    // Another part may have created it meanwhile.
    if (status != NATS_OK && js_KeyValue(&raw, js, bucket.c_str()) != NATS_OK) {
      check(status, fmt::format("creating the key-value bucket {}", bucket));
    }
  }
  store_.reset(raw);
}

void Presence::announce(const std::string& edge, Side side, const std::string& instance, std::string_view state) {
  if (!store_) throw NatsError(fmt::format("no presence bucket to announce {} in", edge));
  auto key = fmt::format("{}.{}.{}", edge, side_letter(side), instance);
  uint64_t revision = 0;
  check(kvStore_Put(&revision, store_.get(), key.c_str(), state.data(), static_cast<int>(state.size())),
        fmt::format("announcing {} in the presence bucket", key));
}

template <typename Visit>
void Presence::for_each_entry(const std::string& edge, Side side, Visit visit) {
  if (!store_) return;
  kvKeysList keys{};
  auto status = kvStore_Keys(&keys, store_.get(), nullptr);
  if (status == NATS_NOT_FOUND) return;
  check(status, "listing the presence bucket");
  std::unique_ptr<kvKeysList, decltype(&kvKeysList_Destroy)> owned(&keys, &kvKeysList_Destroy);
  auto prefix = fmt::format("{}.{}.", edge, side_letter(side));
  for (int i = 0; i < keys.Count; ++i) {
    std::string key = keys.Keys[i];
    if (key.rfind(prefix, 0) != 0) continue;
    kvEntry* raw = nullptr;
    if (kvStore_Get(&raw, store_.get(), key.c_str()) != NATS_OK) continue;  // deleted meanwhile
    NatsPtr<kvEntry> entry(raw);
    visit(key, entry.get());
  }
}

Census Presence::census(const std::string& edge, Side side) {
  Census census;
  for_each_entry(edge, side, [&](const std::string&, kvEntry* entry) {
    std::string_view state = kvEntry_ValueString(entry);
    if (state == "closed") {
      ++census.closed;
    } else if (!alive(entry)) {
      ++census.dead;
    } else if (state == "ending") {
      ++census.ending;
    } else {
      ++census.alive;
    }
  });
  return census;
}

void Presence::forget_finished(const std::string& edge, Side side) {
  for_each_entry(edge, side, [&](const std::string& key, kvEntry* entry) {
    std::string_view state = kvEntry_ValueString(entry);
    if (state == "closed" || !alive(entry)) kvStore_Purge(store_.get(), key.c_str(), nullptr);
  });
}

}  // namespace flow::cut
