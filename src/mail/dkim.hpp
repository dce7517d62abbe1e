// DKIM signing (RFC 6376) with ed25519-sha256 (RFC 8463) and rsa-sha256 keys, relaxed/relaxed.
//
// A DkimKey is parsed once and then signs any number of messages: parsing an RSA key costs far
// more than a signature, which is why this signer exists instead of libopendkim (issue 4).
//
// Thread-safe: a DkimKey is immutable after load_dkim_key() and may sign from many threads at
// once; copies share the parsed key. Nothing here logs, and no Error holds key material.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace sm::mail {

enum class DkimAlgorithm { ed25519_sha256, rsa_sha256 };

// A new key: `private_text` is what to store (encrypted at rest) and later give to
// load_dkim_key(); `dns_record` is the TXT value to publish at dkim_record_name().
struct DkimKeyPair {
  std::string private_text;  // base64 of the 32-byte seed (ed25519) or PKCS#8 PEM (rsa)
  std::string dns_record;    // "v=DKIM1; k=ed25519; p=..." or "v=DKIM1; k=rsa; p=..."
};

DkimKeyPair generate_ed25519_key();

// Fails with Errc::invalid_input unless 2048 <= bits <= 4096: RFC 8301 asks signers for at
// least 2048, and a larger key makes every signature slower and the DNS answer bigger.
Result<DkimKeyPair> generate_rsa_key(int bits = 2048);

// "<selector>._domainkey.<domain>": where the public key is published.
std::string dkim_record_name(std::string_view selector, std::string_view domain);

class DkimKey {
 public:
  DkimAlgorithm algorithm() const { return algorithm_; }
  const std::string& domain() const { return domain_; }
  const std::string& selector() const { return selector_; }

  // The TXT value that verifies this key's signatures.
  std::string dns_record() const;

  // The raw signature of `data`: Ed25519 over SHA-256(data) as RFC 8463 says, or RSASSA-PKCS1
  // v1.5 with SHA-256. Public for tests; dkim_sign() is what callers want.
  Result<std::string> sign(std::string_view data) const;

  struct Secret;  // the parsed private key; defined in dkim.cpp

 private:
  friend Result<DkimKey> load_dkim_key(DkimAlgorithm, std::string_view, std::string_view,
                                       std::string_view);
  DkimKey() = default;

  DkimAlgorithm algorithm_ = DkimAlgorithm::ed25519_sha256;
  std::string domain_;
  std::string selector_;
  std::shared_ptr<const Secret> secret_;
};

// Parses `private_text` as generate_*_key() wrote it, for signing as `domain` (d=) with
// `selector` (s=). Fails with Errc::invalid_input and a sentence when the domain or selector
// is not a plain ASCII DNS name, or when the text is not a key of `algorithm` (an RSA key must
// have at least 1024 bits, RFC 8301).
Result<DkimKey> load_dkim_key(DkimAlgorithm algorithm, std::string_view domain,
                              std::string_view selector, std::string_view private_text);

// The DKIM-Signature field for `message` (CRLF text as mail::render() writes it), to be put
// before its first line: folded at 78 columns (a d= or s= longer than a line stays whole),
// ending in CRLF, with t= taken from `now`.
// Fails with Errc::invalid_input when the message is not CRLF text with a header block.
Result<std::string> dkim_sign(const DkimKey& key, std::string_view message, Millis now);

// One DKIM-Signature field per key, in the order of `keys`, concatenated. The body is
// canonicalised and hashed once for all of them.
Result<std::string> dkim_sign(std::span<const DkimKey> keys, std::string_view message, Millis now);

}  // namespace sm::mail
