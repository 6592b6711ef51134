// Reads sluice's JetStream stream with libnats (any NATS client works the same way): a durable
// pull consumer, so a restart goes on after the last article it acknowledged. Prints one article
// JSON per line.
//   stream_consumer NATS_URL [DURABLE] [--until-idle]
// --until-idle: exit once no article came for two seconds (instead of waiting for more).
#include <nats/nats.h>

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: stream_consumer NATS_URL [DURABLE] [--until-idle]\n");
    return 2;
  }
  const char* url = argv[1];
  const char* durable = argc > 2 && argv[2][0] != '-' ? argv[2] : "reader";
  const bool until_idle = std::strcmp(argv[argc - 1], "--until-idle") == 0;

  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  natsSubscription* subscription = nullptr;
  natsStatus status = natsConnection_ConnectTo(&connection, url);
  if (status == NATS_OK) status = natsConnection_JetStream(&js, connection, nullptr);
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = "sluice-articles";  // the stream of cluster.name "sluice"
  // Every article (subjects sluice.article.<feed>); "sluice.article.world" would take one feed.
  if (status == NATS_OK)
    status = js_PullSubscribe(&subscription, js, "sluice.article.>", durable, nullptr, &options, nullptr);
  if (status != NATS_OK) {
    std::fprintf(stderr, "stream_consumer: %s\n", nats_GetLastError(nullptr));
    return 1;
  }
  for (;;) {
    natsMsgList batch;
    status = natsSubscription_Fetch(&batch, subscription, 256, 2000, nullptr);
    if (status == NATS_TIMEOUT) {
      if (until_idle) break;
      continue;
    }
    if (status != NATS_OK) {
      std::fprintf(stderr, "stream_consumer: %s\n", nats_GetLastError(nullptr));
      break;
    }
    for (int i = 0; i < batch.Count; ++i) {
      natsMsg* message = batch.Msgs[i];
      std::fwrite(natsMsg_GetData(message), 1, static_cast<std::size_t>(natsMsg_GetDataLength(message)), stdout);
      std::fputc('\n', stdout);
      // Acknowledged once handled: after a crash, what was not acknowledged comes again.
      natsMsg_Ack(message, nullptr);
    }
    std::fflush(stdout);
    natsMsgList_Destroy(&batch);
  }
  natsSubscription_Destroy(subscription);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  return status == NATS_OK || status == NATS_TIMEOUT ? 0 : 1;
}
