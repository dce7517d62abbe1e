// Cryptographic building blocks on libsodium: randomness, hashing, MACs, encodings,
// authenticated encryption of secrets at rest, and Ed25519 signatures.
//
// Bytes are passed as std::string holding raw octets (not text); keys are raw bytes too, never
// hex or base64, unless a function's name says so. Functions that take a key state its length
// under REQUIRES; calling them with another length is a bug and aborts the process, since
// carrying on with a wrong key would be worse than stopping.
//
// Thread-safe: every function may be called from any thread. libsodium is initialised on first
// use, once, behind a function-local static.
//
// These std::string values are not wiped from memory when they are destroyed; key material
// lives for the whole process anyway (see services/keyring.hpp). Call wipe() on short-lived
// copies of secrets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sm::crypto {

constexpr std::size_t kKeyBytes = 32;         // secretbox, HMAC and KDF master keys
constexpr std::size_t kSignSeedBytes = 32;    // Ed25519 seed
constexpr std::size_t kSignSecretBytes = 64;  // Ed25519 secret key (seed + public key)
constexpr std::size_t kSignPublicBytes = 32;
constexpr std::size_t kSignatureBytes = 64;

// Initialises libsodium if that has not happened yet. Every function below calls it; callers
// only need it to fail fast at start-up.
void ensure_initialised();

// Overwrites `secret` with zeros in a way the compiler cannot optimise away, then empties it.
void wipe(std::string& secret);

// `n` bytes from the operating system's CSPRNG.
std::string random_bytes(std::size_t n);

// 32 random bytes as unpadded base64url: 43 characters, safe in URLs and cookies.
std::string random_token();

// SHA-256 of `data`, as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// HMAC-SHA-256 of `data` under `key` (any length), as 32 raw bytes or 64 hex digits.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string hmac_hex(std::string_view key, std::string_view data);

// True when a and b are equal, in time that depends only on their lengths, so comparing a
// secret with a guess does not tell how many leading bytes were right.
bool constant_time_equal(std::string_view a, std::string_view b);

// base64url without padding (RFC 4648 section 5), for tokens.
std::string base64url_encode(std::string_view bytes);
Result<std::string> base64url_decode(std::string_view text);

// Standard base64 with padding (RFC 4648 section 4), for keys published to other programs.
std::string base64_encode(std::string_view bytes);

// Lowercase hex. Decoding accepts either case and refuses odd lengths and other characters.
std::string hex_encode(std::string_view bytes);
Result<std::string> hex_decode(std::string_view text);

// Base32 (RFC 4648 section 6, uppercase A-Z2-7), as authenticator apps expect TOTP secrets.
// Without '=' padding, as in otpauth URIs, unless `padded`.
std::string base32_encode(std::string_view bytes, bool padded = false);

// Authenticated encryption (XSalsa20-Poly1305) with a fresh random nonce, which is prefixed to
// the result. open() fails when the key is wrong or a single bit of `sealed` was changed.
// REQUIRES: key.size() == kKeyBytes.
std::string seal(std::string_view key, std::string_view plaintext);
Result<std::string> open(std::string_view key, std::string_view sealed);

// A subkey for one purpose, derived from a master key (libsodium's crypto_kdf). Subkeys for
// different (id, context) pairs are independent. REQUIRES: master.size() == kKeyBytes,
// context.size() == 8, 16 <= length <= 64.
std::string derive_key(std::string_view master, std::uint64_t id, std::string_view context,
                       std::size_t length = kKeyBytes);

// An Ed25519 key pair. The secret key is 64 bytes (seed followed by public key).
struct SigningKeyPair {
  std::string public_key;
  std::string secret_key;
};

// The key pair for a 32-byte seed; the same seed always gives the same pair.
// REQUIRES: seed.size() == kSignSeedBytes.
SigningKeyPair signing_keypair_from_seed(std::string_view seed);

// A 64-byte detached signature of `message`. `seed_or_secret_key` is either a 32-byte seed or
// a 64-byte secret key. REQUIRES: its size is one of those two.
std::string sign(std::string_view seed_or_secret_key, std::string_view message);

// True when `signature` is a valid signature of `message` by `public_key`. Wrong sizes are
// simply false.
bool verify(std::string_view public_key, std::string_view message, std::string_view signature);

}  // namespace sm::crypto
