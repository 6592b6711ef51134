// The cluster tests' fixture: a real nats-server with JetStream on loopback and a client of it.
#pragma once

#include <gtest/gtest.h>

#include "pipeline/cluster/nats_client.h"
#include "tests/support/nats_server.h"

namespace sluice::pipeline::test_cluster {

class Cluster : public ::testing::Test {
 protected:
  test::NatsServer server;
  NatsClient client{server.url(), "cluster test"};
};

}  // namespace sluice::pipeline::test_cluster
