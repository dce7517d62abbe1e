// The installation's secret keys. One 32-byte master key lives in <data_dir>/secret.key;
// every key the code uses is derived from it for one purpose, so that a key exposed for one
// purpose (say, a token MAC) says nothing about the others, and the operator has one file to
// back up. Losing the file makes stored TOTP secrets unreadable and every issued token
// invalid, so the operator guide tells them to back it up with the database.
//
// Thread-safe: a KeyRing is immutable once loaded; share one const instance.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sm {

class KeyRing {
 public:
  // Reads <data_dir>/secret.key, or creates it with 32 fresh random bytes (mode 0600) when it
  // does not exist yet; creates data_dir too when it is missing. Two processes starting at
  // once agree on one key: the file appears whole or not at all. Refuses to start when the
  // file can be read by group or others, is not a regular file, or does not hold exactly 32
  // bytes as 64 hex digits.
  static Result<KeyRing> load_or_create(const std::filesystem::path& data_dir);

  // 32 bytes for HMACs: session and link tokens, suppression hashes, recovery codes.
  const std::string& hmac_key() const { return hmac_key_; }

  // 32 bytes for crypto::seal/open of secrets kept at rest, such as TOTP secrets.
  const std::string& secrets_key() const { return secrets_key_; }

  // Signs with the installation's Ed25519 key (for consent receipts); 64 raw bytes.
  std::string sign(std::string_view message) const;

  // The Ed25519 public key: 32 raw bytes, or standard base64 (44 characters) to publish.
  const std::string& signing_public_key_bytes() const { return signing_public_; }
  std::string signing_public_key() const;

 private:
  explicit KeyRing(const std::string& master);

  std::string hmac_key_;
  std::string secrets_key_;
  std::string signing_secret_;
  std::string signing_public_;
};

}  // namespace sm
