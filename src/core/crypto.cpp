#include "core/crypto.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace sm::crypto {
namespace {

// A wrong key length is a programming error; continuing could encrypt under a truncated key.
void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "crypto precondition failed: %s\n", what);
  std::abort();
}

unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Error decode_error(const char* what) {
  return make_error(Errc::invalid_input, "The value is not valid encoded data.", what);
}

}  // namespace

void ensure_initialised() {
  // sodium_init is safe to call repeatedly, but a static makes the cost one load per call.
  static const bool ready = sodium_init() >= 0;
  require(ready, "sodium_init");
}

void wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

std::string random_bytes(std::size_t n) {
  ensure_initialised();
  std::string out(n, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

std::string random_token() { return base64url_encode(random_bytes(32)); }

std::string sha256_hex(std::string_view data) {
  ensure_initialised();
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(bytes(digest), bytes(data), data.size());
  return hex_encode(digest);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  ensure_initialised();
  // The streaming interface, because the one-shot one fixes the key length at 32 bytes.
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes(key), key.size());
  crypto_auth_hmacsha256_update(&state, bytes(data), data.size());
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, bytes(mac));
  sodium_memzero(&state, sizeof state);
  return mac;
}

std::string hmac_hex(std::string_view key, std::string_view data) {
  return hex_encode(hmac_sha256(key, data));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  ensure_initialised();
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

std::string to_base64(std::string_view in, int variant) {
  ensure_initialised();
  std::string out(sodium_base64_encoded_len(in.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes(in), in.size(), variant);
  out.resize(out.size() - 1);  // the encoder writes a terminating NUL
  return out;
}

}  // namespace

std::string base64url_encode(std::string_view bytes_in) {
  return to_base64(bytes_in, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string base64_encode(std::string_view bytes_in) {
  return to_base64(bytes_in, sodium_base64_VARIANT_ORIGINAL);
}

Result<std::string> base64url_decode(std::string_view text) {
  ensure_initialised();
  std::string out(text.size() * 3 / 4 + 1, '\0');
  std::size_t len = 0;
  // A null end pointer makes libsodium refuse trailing characters it could not decode.
  if (sodium_base642bin(bytes(out), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return decode_error("base64url");
  }
  out.resize(len);
  return out;
}

std::string hex_encode(std::string_view bytes_in) {
  ensure_initialised();
  std::string out(bytes_in.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes(bytes_in), bytes_in.size());
  out.resize(out.size() - 1);
  return out;
}

Result<std::string> hex_decode(std::string_view text) {
  ensure_initialised();
  if (text.size() % 2 != 0) return decode_error("hex: odd length");
  std::string out(text.size() / 2, '\0');
  std::size_t len = 0;
  if (sodium_hex2bin(bytes(out), out.size(), text.data(), text.size(), nullptr, &len, nullptr) !=
          0 ||
      len != out.size()) {
    return decode_error("hex");
  }
  return out;
}

std::string base32_encode(std::string_view in, bool padded) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve((in.size() + 4) / 5 * 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 0x1f]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1f]);
  if (padded) {
    while (out.size() % 8 != 0) out.push_back('=');
  }
  return out;
}

std::string seal(std::string_view key, std::string_view plaintext) {
  require(key.size() == crypto_secretbox_KEYBYTES, "seal: key must be 32 bytes");
  std::string out = random_bytes(crypto_secretbox_NONCEBYTES);
  out.resize(out.size() + crypto_secretbox_MACBYTES + plaintext.size());
  unsigned char* nonce = bytes(out);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, bytes(plaintext), plaintext.size(),
                        nonce, bytes(key));
  return out;
}

Result<std::string> open(std::string_view key, std::string_view sealed) {
  require(key.size() == crypto_secretbox_KEYBYTES, "open: key must be 32 bytes");
  ensure_initialised();
  constexpr std::size_t overhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  auto failed = [] {
    return make_error(Errc::invalid_input, "The stored secret could not be read.",
                      "secretbox open failed: wrong key, truncated or tampered");
  };
  if (sealed.size() < overhead) return failed();
  std::string plain(sealed.size() - overhead, '\0');
  const unsigned char* nonce = bytes(sealed);
  if (crypto_secretbox_open_easy(bytes(plain), nonce + crypto_secretbox_NONCEBYTES,
                                 sealed.size() - crypto_secretbox_NONCEBYTES, nonce,
                                 bytes(key)) != 0) {
    return failed();
  }
  return plain;
}

std::string derive_key(std::string_view master, std::uint64_t id, std::string_view context,
                       std::size_t length) {
  require(master.size() == crypto_kdf_KEYBYTES, "derive_key: master must be 32 bytes");
  require(context.size() == crypto_kdf_CONTEXTBYTES, "derive_key: context must be 8 bytes");
  require(length >= crypto_kdf_BYTES_MIN && length <= crypto_kdf_BYTES_MAX,
          "derive_key: length out of range");
  ensure_initialised();
  // crypto_kdf reads exactly 8 context bytes; copy so the view need not be NUL-terminated.
  char ctx[crypto_kdf_CONTEXTBYTES + 1] = {};
  context.copy(ctx, crypto_kdf_CONTEXTBYTES);
  std::string subkey(length, '\0');
  crypto_kdf_derive_from_key(bytes(subkey), length, id, ctx, bytes(master));
  return subkey;
}

SigningKeyPair signing_keypair_from_seed(std::string_view seed) {
  require(seed.size() == crypto_sign_SEEDBYTES, "signing seed must be 32 bytes");
  ensure_initialised();
  SigningKeyPair pair{std::string(crypto_sign_PUBLICKEYBYTES, '\0'),
                      std::string(crypto_sign_SECRETKEYBYTES, '\0')};
  crypto_sign_seed_keypair(bytes(pair.public_key), bytes(pair.secret_key), bytes(seed));
  return pair;
}

std::string sign(std::string_view seed_or_secret_key, std::string_view message) {
  require(seed_or_secret_key.size() == crypto_sign_SEEDBYTES ||
              seed_or_secret_key.size() == crypto_sign_SECRETKEYBYTES,
          "sign: key must be a 32-byte seed or a 64-byte secret key");
  ensure_initialised();
  std::string expanded;
  if (seed_or_secret_key.size() == crypto_sign_SEEDBYTES) {
    expanded = signing_keypair_from_seed(seed_or_secret_key).secret_key;
    seed_or_secret_key = expanded;
  }
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(bytes(signature), nullptr, bytes(message), message.size(),
                       bytes(seed_or_secret_key));
  wipe(expanded);
  return signature;
}

bool verify(std::string_view public_key, std::string_view message, std::string_view signature) {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  ensure_initialised();
  return crypto_sign_verify_detached(bytes(signature), bytes(message), message.size(),
                                     bytes(public_key)) == 0;
}

}  // namespace sm::crypto
