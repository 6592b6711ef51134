// CURVE on the live and replay sockets: real key files, a real ZAP handler, real clients.
#include "pipeline/deliver/curve.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <thread>
#include <zmq_addon.hpp>

#include "pipeline/deliver/journal.h"
#include "pipeline/deliver/publisher.h"
#include "pipeline/deliver/replay_server.h"
#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;

unsigned mode_of(const std::filesystem::path& file) {
  struct stat info {};
  EXPECT_EQ(::stat(file.c_str(), &info), 0) << file;
  return info.st_mode & 0777;
}

bool receives(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, timeout) <= 0) return false;
  std::vector<zmq::message_t> frames;
  return zmq::recv_multipart(socket, std::back_inserter(frames)).has_value();
}

TEST(CurveKeys, KeygenWritesAPrivateSecretAndAPublicCertificate) {
  const test::TempDir dir;
  const CurveKeys keys = write_certificates(dir.path(), "server");
  EXPECT_EQ(keys.public_key.size(), 40U);
  EXPECT_EQ(keys.secret_key.size(), 40U);
  EXPECT_EQ(mode_of(dir.path() / "server.key_secret"), 0600U);
  const CurveKeys secret = read_certificate(dir.path() / "server.key_secret");
  EXPECT_EQ(secret.public_key, keys.public_key);
  EXPECT_EQ(secret.secret_key, keys.secret_key);
  const CurveKeys shared = read_certificate(dir.path() / "server.key");
  EXPECT_EQ(shared.public_key, keys.public_key);
  EXPECT_TRUE(shared.secret_key.empty()) << "the public certificate holds no secret";
  EXPECT_THROW(write_certificates(dir.path(), "server"), std::runtime_error) << "never overwritten";
}

TEST(CurveKeys, ABrokenCertificateIsNamed) {
  const test::TempDir dir;
  test::write_file(dir.path() / "bad.key", "curve\n    public-key = \"too short\"\n");
  try {
    read_certificate(dir.path() / "bad.key");
    FAIL() << "read a key of 9 characters";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path() / "bad.key").string()), std::string::npos) << e.what();
  }
}

TEST(CurveServer, RefusesASecretKeyOthersCanRead) {
  const test::TempDir dir;
  write_certificates(dir.path(), "server");
  std::filesystem::permissions(dir.path() / "server.key_secret", std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  zmq::context_t context;
  try {
    CurveServer server(context, dir.path() / "server.key_secret", dir.path());
    FAIL() << "accepted a secret key file readable by its group";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
  }
}

class CurveStream : public testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir.path() / "clients");
    server_keys = write_certificates(dir.path(), "server");
    known = write_certificates(dir.path() / "clients", "reader");
    std::filesystem::remove(dir.path() / "clients" / "reader.key_secret");
    unknown = write_certificates(dir.path(), "stranger");
    curve.emplace(context, dir.path() / "server.key_secret", dir.path() / "clients");
  }

  zmq::socket_t client(zmq::socket_type type, const CurveKeys* keys) {
    zmq::socket_t socket(context, type);
    socket.set(zmq::sockopt::linger, 0);
    if (keys) secure_client(socket, server_keys.public_key, *keys);
    return socket;
  }

  test::TempDir dir;
  zmq::context_t context;
  CurveKeys server_keys;
  CurveKeys known;
  CurveKeys unknown;
  std::optional<CurveServer> curve;
};

TEST_F(CurveStream, OnlyAnAllowedClientReceivesTheLiveStream) {
  EXPECT_EQ(curve->clients(), 1U);
  Publisher publisher(context, "tcp://127.0.0.1:*", 7, 0, &*curve);
  auto allowed = client(zmq::socket_type::sub, &known);
  auto stranger = client(zmq::socket_type::sub, &unknown);
  auto plain = client(zmq::socket_type::sub, nullptr);
  for (zmq::socket_t* socket : {&allowed, &stranger, &plain}) {
    socket->set(zmq::sockopt::subscribe, "article.");
    socket->connect(publisher.endpoint());
  }
  ASSERT_TRUE(test::wait_until([&] {
    publisher.read_subscriptions();
    return publisher.subscriptions() > 0;
  }, 5s));
  publisher.publish_record("article.a.", 1, "{}");
  EXPECT_TRUE(receives(allowed, 5s));
  // The others never got through the handshake: more articles, still nothing.
  for (std::uint64_t seq = 2; seq <= 5; ++seq) publisher.publish_record("article.a.", seq, "{}");
  EXPECT_FALSE(receives(stranger, 500ms));
  EXPECT_FALSE(receives(plain, 100ms));
}

TEST_F(CurveStream, OnlyAnAllowedClientIsServedAReplay) {
  Journal journal(dir.path() / "journal");
  journal.append("article.a.", "{}", 1);
  journal.sync();
  std::atomic<std::uint64_t> head{journal.head()};
  ReplayServer replay(context, "tcp://127.0.0.1:*", dir.path() / "journal", journal.epoch(), head, &*curve);
  std::jthread thread([&](std::stop_token stop) { replay.run(stop); });
  auto stranger = client(zmq::socket_type::dealer, &unknown);
  auto allowed = client(zmq::socket_type::dealer, &known);
  for (zmq::socket_t* socket : {&stranger, &allowed}) {
    socket->connect(replay.endpoint());
    socket->send(zmq::str_buffer(R"({"from": 1})"), zmq::send_flags::dontwait);
  }
  EXPECT_TRUE(receives(allowed, 5s));
  EXPECT_FALSE(receives(stranger, 500ms));
  EXPECT_EQ(replay.requests(), 1U) << "the stranger's request never reached the server";
}

}  // namespace
}  // namespace sluice::pipeline
