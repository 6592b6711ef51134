#include "pipeline/cluster/article_stream.h"

#include <nats/nats.h>

#include <mutex>

namespace sluice::pipeline {

struct ArticleStream::Failures {
  std::mutex mutex;
  std::size_t count = 0;
  std::string first;
};

namespace {

// Asynchronous publishes in flight at most; publish() blocks while that many await their acks.
constexpr std::int64_t kMaxPending = 4096;

void on_publish_error(jsCtx*, jsPubAckErr* error, void* closure) {
  auto& failures = *static_cast<ArticleStream::Failures*>(closure);
  const std::lock_guard lock(failures.mutex);
  if (failures.count++ == 0)
    failures.first = error->ErrText ? error->ErrText : natsStatus_GetText(error->Err);
}

std::int64_t nanoseconds(std::chrono::milliseconds span) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(span).count();
}

}  // namespace

std::string stream_message_id(std::string_view id, int revision) {
  return std::string(id) + "#" + std::to_string(revision);
}

ArticleStream::ArticleStream(const NatsClient& client, const std::string& name, const config::StreamConfig& settings,
                             std::string origin)
    : stream_(name + "-articles"), origin_(std::move(origin)), failures_(std::make_unique<Failures>()) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = 5000;
  options.PublishAsync.MaxPending = kMaxPending;
  options.PublishAsync.ErrHandler = on_publish_error;
  options.PublishAsync.ErrHandlerClosure = failures_.get();
  check_nats(natsConnection_JetStream(&jetstream_, client.connection(), &options), "JetStream context");

  const std::string subjects = "sluice.article.>";
  const char* subject_list[] = {subjects.c_str()};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = stream_.c_str();
  config.Subjects = subject_list;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Replicas = settings.replicas;
  config.MaxAge = nanoseconds(settings.max_age);
  config.MaxBytes = settings.max_bytes > 0 ? static_cast<std::int64_t>(settings.max_bytes) : -1;
  config.Duplicates = nanoseconds(settings.duplicate_window);
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus status = js_GetStreamInfo(&info, jetstream_, stream_.c_str(), nullptr, &code);
  if (status == NATS_OK) {
    jsStreamInfo_Destroy(info);
    info = nullptr;
    status = js_UpdateStream(&info, jetstream_, &config, nullptr, &code);
  } else if (status == NATS_NOT_FOUND || code == JSStreamNotFoundErr) {
    status = js_AddStream(&info, jetstream_, &config, nullptr, &code);
  }
  jsStreamInfo_Destroy(info);
  if (status != NATS_OK) {
    jsCtx_Destroy(jetstream_);
    check_nats(status, "JetStream stream " + stream_);
  }
}

ArticleStream::~ArticleStream() { jsCtx_Destroy(jetstream_); }

void ArticleStream::publish(std::span<const Message> batch, std::chrono::milliseconds wait) {
  {
    const std::lock_guard lock(failures_->mutex);
    failures_->count = 0;
    failures_->first.clear();
  }
  std::string subject;
  for (const Message& message : batch) {
    subject.assign("sluice.article.").append(message.feed);
    natsMsg* msg = nullptr;
    check_nats(natsMsg_Create(&msg, subject.c_str(), nullptr, message.body.data(), static_cast<int>(message.body.size())),
               "stream message");
    const std::string id = stream_message_id(message.id, message.revision);
    const std::string seq = std::to_string(message.seq);
    natsStatus status = natsMsgHeader_Set(msg, "Nats-Msg-Id", id.c_str());
    if (status == NATS_OK) status = natsMsgHeader_Set(msg, "Sluice-Origin", origin_.c_str());
    if (status == NATS_OK) status = natsMsgHeader_Set(msg, "Sluice-Seq", seq.c_str());
    // On success the client owns the message; on failure it is still ours.
    if (status == NATS_OK) status = js_PublishMsgAsync(jetstream_, &msg, nullptr);
    if (msg != nullptr) natsMsg_Destroy(msg);
    check_nats(status, "publishing to " + stream_);
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = wait.count();
  if (const natsStatus status = js_PublishAsyncComplete(jetstream_, &options); status != NATS_OK) {
    // Not acknowledged in time: forget what is still pending; the caller publishes the batch again.
    natsMsgList pending;
    if (js_PublishAsyncGetPendingList(&pending, jetstream_) == NATS_OK) natsMsgList_Destroy(&pending);
    check_nats(status, "waiting for " + stream_ + " to acknowledge " + std::to_string(batch.size()) + " articles");
  }
  const std::lock_guard lock(failures_->mutex);
  if (failures_->count > 0)
    throw NatsError(stream_ + " refused " + std::to_string(failures_->count) + " of " + std::to_string(batch.size()) +
                    " articles: " + failures_->first);
}

}  // namespace sluice::pipeline
