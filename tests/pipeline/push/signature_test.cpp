// The signature on WebSub deliveries, against digests computed independently (RFC 4231's HMAC
// test case 2) and against what forgers send.
#include "pipeline/push/signature.h"

#include <gtest/gtest.h>

namespace sluice::pipeline {
namespace {

TEST(Signature, MatchesTheRfc4231Digests) {
  // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(sign("sha256", "what do ya want for nothing?", "Jefe"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(sign("sha512", "what do ya want for nothing?", "Jefe"),
            "sha512=164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST(Signature, OnlyTheRightSecretOverTheExactBodyIsValid) {
  const std::string body = "<feed>...</feed>";
  const std::string secret = new_secret();
  EXPECT_EQ(secret.size(), 64U);
  EXPECT_NE(secret, new_secret());
  for (const char* method : {"sha256", "sha384", "sha512"})
    EXPECT_EQ(check_signature(sign(method, body, secret), body, secret, false), Signature::valid) << method;
  EXPECT_EQ(check_signature("SHA256=" + sign("sha256", body, secret).substr(7), body, secret, false), Signature::valid);
  EXPECT_EQ(check_signature(sign("sha256", body + " ", secret), body, secret, false), Signature::mismatch);
  EXPECT_EQ(check_signature(sign("sha256", body, "another secret"), body, secret, false), Signature::mismatch);
  EXPECT_EQ(check_signature(sign("sha256", body, secret).substr(0, 41), body, secret, false), Signature::mismatch)
      << "a truncated digest";
  EXPECT_EQ(check_signature("", body, secret, false), Signature::missing);
  EXPECT_EQ(check_signature("sha256", body, secret, false), Signature::malformed);
  EXPECT_EQ(check_signature("sha256=xyz0", body, secret, false), Signature::malformed);
  EXPECT_EQ(check_signature("md5=00ff", body, secret, false), Signature::unsupported);
  const std::string sha1 = sign("sha1", body, secret);
  EXPECT_EQ(check_signature(sha1, body, secret, false), Signature::unsupported);
  EXPECT_EQ(check_signature(sha1, body, secret, true), Signature::valid);
}

}  // namespace
}  // namespace sluice::pipeline
