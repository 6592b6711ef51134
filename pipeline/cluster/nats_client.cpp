#include "pipeline/cluster/nats_client.h"

#include <nats/nats.h>

#include <sstream>

namespace sluice::pipeline {
namespace {

// How long JetStream requests (key-value reads and writes, stream management) may take.
constexpr std::int64_t kRequestWaitMs = 2000;

std::string last_error(natsStatus status) {
  const char* text = nats_GetLastError(nullptr);
  return text && *text ? text : natsStatus_GetText(status);
}

// The client reports a conflicting write (create on a present key, update on a moved revision) as
// a JetStream "wrong last sequence" error, with no status of its own.
bool is_conflict(natsStatus status) {
  if (status != NATS_ERR) return false;
  const char* text = nats_GetLastError(nullptr);
  return text && std::string_view(text).find("wrong last sequence") != std::string_view::npos;
}

struct OptionsDeleter {
  void operator()(natsOptions* options) const { natsOptions_Destroy(options); }
};

}  // namespace

void check_nats(int status, std::string_view doing) {
  if (status != NATS_OK) throw NatsError(std::string(doing) + ": " + last_error(static_cast<natsStatus>(status)));
}

NatsClient::NatsClient(const std::string& urls, const std::string& name, std::chrono::milliseconds timeout) {
  natsOptions* raw = nullptr;
  check_nats(natsOptions_Create(&raw), "NATS options");
  const std::unique_ptr<natsOptions, OptionsDeleter> options(raw);
  std::vector<std::string> servers;
  std::istringstream list(urls);
  for (std::string url; std::getline(list, url, ',');)
    if (!url.empty()) servers.push_back(url);
  std::vector<const char*> pointers;
  for (const std::string& server : servers) pointers.push_back(server.c_str());
  check_nats(natsOptions_SetServers(raw, pointers.data(), static_cast<int>(pointers.size())), "NATS servers " + urls);
  check_nats(natsOptions_SetName(raw, name.c_str()), "NATS client name");
  check_nats(natsOptions_SetTimeout(raw, timeout.count()), "NATS timeout");
  // Once up, a lost connection is retried for as long as sluice runs, every half second.
  check_nats(natsOptions_SetMaxReconnect(raw, -1), "NATS reconnects");
  check_nats(natsOptions_SetReconnectWait(raw, 500), "NATS reconnect wait");
  check_nats(natsConnection_Connect(&connection_, raw), "cannot connect to NATS at " + urls);
  jsOptions js;
  jsOptions_Init(&js);
  js.Wait = kRequestWaitMs;
  if (const natsStatus status = natsConnection_JetStream(&jetstream_, connection_, &js); status != NATS_OK) {
    natsConnection_Destroy(connection_);
    check_nats(status, "JetStream on " + urls);
  }
}

NatsClient::~NatsClient() {
  jsCtx_Destroy(jetstream_);
  natsConnection_Close(connection_);
  natsConnection_Destroy(connection_);
}

bool NatsClient::connected() const noexcept {
  return natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
}

KeyValueBucket::KeyValueBucket(const NatsClient& client, const Settings& settings) : name_(settings.name) {
  kvConfig config;
  kvConfig_Init(&config);
  config.Bucket = name_.c_str();
  config.History = 1;
  config.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(settings.ttl).count();
  config.Replicas = settings.replicas;
  // Made when missing; one that exists (another instance made it) is bound, and its TTL set to
  // this configuration's when it differs (a changed lease_ttl: the last instance started wins).
  if (js_KeyValue(&store_, client.jetstream(), name_.c_str()) != NATS_OK) {
    check_nats(js_CreateKeyValue(&store_, client.jetstream(), &config), "key-value bucket " + name_);
    return;
  }
  kvStatus* status = nullptr;
  if (kvStore_Status(&status, store_) != NATS_OK) return;
  const std::int64_t ttl = kvStatus_TTL(status);
  kvStatus_Destroy(status);
  if (ttl == config.TTL) return;
  const std::string stream = "KV_" + name_;  // the stream a bucket is kept in
  jsStreamInfo* info = nullptr;
  if (js_GetStreamInfo(&info, client.jetstream(), stream.c_str(), nullptr, nullptr) != NATS_OK) return;
  info->Config->MaxAge = config.TTL;
  jsStreamInfo* updated = nullptr;
  const natsStatus changed = js_UpdateStream(&updated, client.jetstream(), info->Config, nullptr, nullptr);
  jsStreamInfo_Destroy(updated);
  jsStreamInfo_Destroy(info);
  check_nats(changed, "setting the TTL of key-value bucket " + name_);
}

KeyValueBucket::~KeyValueBucket() { kvStore_Destroy(store_); }

std::optional<KeyValueBucket::Entry> KeyValueBucket::get(const std::string& key) {
  kvEntry* entry = nullptr;
  const natsStatus status = kvStore_Get(&entry, store_, key.c_str());
  if (status == NATS_NOT_FOUND) return std::nullopt;
  check_nats(status, "reading " + name_ + "/" + key);
  Entry found{std::string(static_cast<const char*>(kvEntry_Value(entry)), static_cast<std::size_t>(kvEntry_ValueLen(entry))),
              kvEntry_Revision(entry)};
  kvEntry_Destroy(entry);
  return found;
}

std::optional<std::uint64_t> KeyValueBucket::create(const std::string& key, std::string_view value) {
  std::uint64_t revision = 0;
  const natsStatus status = kvStore_Create(&revision, store_, key.c_str(), value.data(), static_cast<int>(value.size()));
  if (is_conflict(status)) return std::nullopt;
  check_nats(status, "creating " + name_ + "/" + key);
  return revision;
}

std::optional<std::uint64_t> KeyValueBucket::update(const std::string& key, std::string_view value, std::uint64_t last) {
  std::uint64_t revision = 0;
  const natsStatus status =
      kvStore_Update(&revision, store_, key.c_str(), value.data(), static_cast<int>(value.size()), last);
  if (is_conflict(status)) return std::nullopt;
  check_nats(status, "updating " + name_ + "/" + key);
  return revision;
}

std::uint64_t KeyValueBucket::put(const std::string& key, std::string_view value) {
  std::uint64_t revision = 0;
  check_nats(kvStore_Put(&revision, store_, key.c_str(), value.data(), static_cast<int>(value.size())),
             "writing " + name_ + "/" + key);
  return revision;
}

void KeyValueBucket::erase(const std::string& key) {
  check_nats(kvStore_Delete(store_, key.c_str()), "deleting " + name_ + "/" + key);
}

std::vector<std::string> KeyValueBucket::keys() {
  kvKeysList list;
  const natsStatus status = kvStore_Keys(&list, store_, nullptr);
  if (status == NATS_NOT_FOUND) return {};
  check_nats(status, "listing " + name_);
  std::vector<std::string> keys(list.Keys, list.Keys + list.Count);
  kvKeysList_Destroy(&list);
  return keys;
}

}  // namespace sluice::pipeline
