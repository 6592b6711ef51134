// The signature a WebSub hub puts on each delivery: X-Hub-Signature: METHOD=HEX, an HMAC of the
// exact body with the subscription's secret (WebSub §8). sha256, sha384 and sha512 are accepted;
// sha1, which the specification still allows, only when the operator says so.
#pragma once

#include <string>
#include <string_view>

namespace sluice::pipeline {

enum class Signature {
  valid,
  missing,      // no header
  malformed,    // not METHOD=HEX
  unsupported,  // a method sluice does not take (sha1 unless allowed, or unknown)
  mismatch,     // a well-formed signature of another body or secret
};

// What the header says of body. The comparison takes the same time wherever the digests differ.
Signature check_signature(std::string_view header, std::string_view body, std::string_view secret, bool allow_sha1);

std::string_view signature_name(Signature signature) noexcept;

// METHOD=HEX over body with secret, as a hub writes it ("sha256=..."): for tests and the bench's hub.
std::string sign(std::string_view method, std::string_view body, std::string_view secret);

// A secret for a new subscription: 32 random bytes from the system's generator, as 64 hex digits.
// Throws std::runtime_error when the generator fails.
std::string new_secret();

}  // namespace sluice::pipeline
