#include "pipeline/push/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

#include "feeds/text.h"

namespace sluice::pipeline {
namespace {

const EVP_MD* digest_of(std::string_view method, bool allow_sha1) {
  if (method == "sha256") return EVP_sha256();
  if (method == "sha384") return EVP_sha384();
  if (method == "sha512") return EVP_sha512();
  if (method == "sha1" && allow_sha1) return EVP_sha1();
  return nullptr;
}

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0x0F];
  }
  return out;
}

std::vector<unsigned char> hmac(const EVP_MD* digest, std::string_view body, std::string_view secret) {
  std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  if (!HMAC(digest, secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()),
            body.size(), out.data(), &size))
    throw std::runtime_error("HMAC failed");
  out.resize(size);
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Signature check_signature(std::string_view header, std::string_view body, std::string_view secret, bool allow_sha1) {
  header = feeds::trim_view(header);
  if (header.empty()) return Signature::missing;
  const std::size_t equals = header.find('=');
  if (equals == std::string_view::npos || equals == 0) return Signature::malformed;
  const std::string method = feeds::ascii_lower(header.substr(0, equals));
  const std::string_view given = header.substr(equals + 1);
  if (given.empty() || given.size() % 2 != 0) return Signature::malformed;
  std::vector<unsigned char> bytes(given.size() / 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int high = hex_digit(given[2 * i]), low = hex_digit(given[2 * i + 1]);
    if (high < 0 || low < 0) return Signature::malformed;
    bytes[i] = static_cast<unsigned char>(high << 4 | low);
  }
  const EVP_MD* digest = digest_of(method, allow_sha1);
  if (!digest) return Signature::unsupported;
  const std::vector<unsigned char> expected = hmac(digest, body, secret);
  if (expected.size() != bytes.size()) return Signature::mismatch;
  return CRYPTO_memcmp(expected.data(), bytes.data(), bytes.size()) == 0 ? Signature::valid : Signature::mismatch;
}

std::string_view signature_name(Signature signature) noexcept {
  switch (signature) {
    case Signature::valid: return "valid";
    case Signature::missing: return "missing";
    case Signature::malformed: return "malformed";
    case Signature::unsupported: return "unsupported method";
    case Signature::mismatch: return "mismatch";
  }
  return "?";
}

std::string sign(std::string_view method, std::string_view body, std::string_view secret) {
  const EVP_MD* digest = digest_of(method, true);
  if (!digest) throw std::invalid_argument("unknown signature method " + std::string(method));
  const std::vector<unsigned char> mac = hmac(digest, body, secret);
  return std::string(method) + "=" + hex(mac.data(), mac.size());
}

std::string new_secret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for a WebSub secret");
  return hex(bytes, sizeof bytes);
}

}  // namespace sluice::pipeline
