#include "mail/dkim.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/crypto.hpp"
#include "mail/dkim_canonical.hpp"

namespace sm::mail {

struct DkimKey::Secret {
  Secret() = default;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret() {
    crypto::wipe(ed25519_secret);
    EVP_PKEY_free(rsa);
  }

  std::string ed25519_secret;  // libsodium's 64 bytes: seed, then public key
  std::string ed25519_public;
  EVP_PKEY* rsa = nullptr;
};

namespace {

// RFC 8301 3.2: verifiers must not accept signatures by smaller RSA keys.
constexpr int kMinRsaBits = 1024;
constexpr int kMinNewRsaBits = 2048;
constexpr int kMaxRsaBits = 4096;
// RFC 1035 limit on a whole name; each label is checked against its own 63.
constexpr std::size_t kMaxDnsName = 253;
constexpr std::size_t kMaxDnsLabel = 63;
constexpr std::size_t kFoldColumn = 78;

std::string sha256(std::string_view data) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return digest;
}

// OpenSSL keeps errors in a per-thread queue; the oldest one names the first thing that failed.
std::string openssl_detail(std::string_view what) {
  char text[256] = "no OpenSSL error queued";
  if (const unsigned long code = ERR_get_error(); code != 0) {
    ERR_error_string_n(code, text, sizeof text);
  }
  ERR_clear_error();
  return std::string(what) + ": " + text;
}

Error key_error(std::string message, std::string_view what) {
  return make_error(Errc::invalid_input, std::move(message), openssl_detail(what));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// DER SubjectPublicKeyInfo, base64, as k=rsa records carry it.
std::string rsa_public_base64(EVP_PKEY* key) {
  const int size = i2d_PUBKEY(key, nullptr);
  if (size <= 0) return {};
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_PUBKEY(key, &out);
  return crypto::base64_encode(der);
}

std::string rsa_private_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (bio != nullptr &&
      PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    pem = bio_text(bio);
  }
  BIO_free(bio);
  return pem;
}

// A refusing callback, so that an encrypted PEM fails instead of prompting on the terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

Result<EVP_PKEY*> parse_rsa_pem(std::string_view pem) {
  ERR_clear_error();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key =
      bio != nullptr ? PEM_read_bio_PrivateKey(bio, nullptr, no_passphrase, nullptr) : nullptr;
  BIO_free(bio);
  if (key == nullptr) {
    return key_error(
        "The RSA DKIM key is not an unencrypted PEM private key; paste the whole "
        "key, from -----BEGIN to the END line.",
        "PEM_read_bio_PrivateKey");
  }
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA || EVP_PKEY_get_bits(key) < kMinRsaBits) {
    EVP_PKEY_free(key);
    return make_error(Errc::invalid_input,
                      "The DKIM key is not an RSA key of at least 1024 bits; generate a new "
                      "2048-bit key.");
  }
  return key;
}

Result<std::string> decode_ed25519_seed(std::string_view text) {
  crypto::ensure_initialised();
  std::string seed(crypto::kSignSeedBytes, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  const int rc =
      sodium_base642bin(reinterpret_cast<unsigned char*>(seed.data()), seed.size(), text.data(),
                        text.size(), " \t\r\n", &length, &end, sodium_base64_VARIANT_ORIGINAL);
  if (rc != 0 || end != text.data() + text.size() || length != crypto::kSignSeedBytes) {
    crypto::wipe(seed);
    return make_error(Errc::invalid_input,
                      "The Ed25519 DKIM key must be the base64 of a 32-byte seed, as generated; "
                      "check that it was copied whole.");
  }
  return seed;
}

Result<std::shared_ptr<DkimKey::Secret>> parse_secret(DkimAlgorithm algorithm,
                                                      std::string_view text) {
  auto secret = std::make_shared<DkimKey::Secret>();
  if (algorithm == DkimAlgorithm::rsa_sha256) {
    auto rsa = parse_rsa_pem(text);
    if (!rsa) return rsa.take_error();
    secret->rsa = *rsa;
    return secret;
  }
  auto seed = decode_ed25519_seed(text);
  if (!seed) return seed.take_error();
  crypto::SigningKeyPair pair = crypto::signing_keypair_from_seed(*seed);
  crypto::wipe(*seed);
  secret->ed25519_secret = std::move(pair.secret_key);
  secret->ed25519_public = std::move(pair.public_key);
  return secret;
}

// Letters, digits, '-' and '_' in dot-separated labels: what d= and s= may hold (RFC 6376
// 3.5), restricted to A-labels so that the name is the same in DNS and in the signature.
bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxDnsName) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-' && c != '_') return false;
    if (++label > kMaxDnsLabel) return false;
  }
  return label > 0;
}

std::string record_text(std::string_view k, std::string_view public_base64) {
  return "v=DKIM1; k=" + std::string(k) + "; p=" + std::string(public_base64);
}

}  // namespace

DkimKeyPair generate_ed25519_key() {
  std::string seed = crypto::random_bytes(crypto::kSignSeedBytes);
  const crypto::SigningKeyPair pair = crypto::signing_keypair_from_seed(seed);
  DkimKeyPair out{crypto::base64_encode(seed),
                  record_text("ed25519", crypto::base64_encode(pair.public_key))};
  crypto::wipe(seed);
  return out;
}

Result<DkimKeyPair> generate_rsa_key(int bits) {
  if (bits < kMinNewRsaBits || bits > kMaxRsaBits) {
    return make_error(Errc::invalid_input,
                      "An RSA DKIM key must have between 2048 and 4096 bits; use 2048.");
  }
  ERR_clear_error();
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (key == nullptr) {
    return make_error(Errc::internal, "The RSA DKIM key could not be generated; try again.",
                      openssl_detail("EVP_RSA_gen"));
  }
  DkimKeyPair out{rsa_private_pem(key), record_text("rsa", rsa_public_base64(key))};
  EVP_PKEY_free(key);
  if (out.private_text.empty() || out.dns_record.size() <= record_text("rsa", "").size()) {
    return make_error(Errc::internal, "The RSA DKIM key could not be written out; try again.",
                      openssl_detail("PEM_write_bio_PrivateKey or i2d_PUBKEY"));
  }
  return out;
}

std::string dkim_record_name(std::string_view selector, std::string_view domain) {
  return std::string(selector) + "._domainkey." + std::string(domain);
}

std::string DkimKey::dns_record() const {
  if (algorithm_ == DkimAlgorithm::rsa_sha256) {
    return record_text("rsa", rsa_public_base64(secret_->rsa));
  }
  return record_text("ed25519", crypto::base64_encode(secret_->ed25519_public));
}

Result<std::string> DkimKey::sign(std::string_view data) const {
  if (algorithm_ == DkimAlgorithm::ed25519_sha256) {
    // RFC 8463 3: the Ed25519 input is the SHA-256 hash, not the data itself.
    return crypto::sign(secret_->ed25519_secret, sha256(data));
  }
  ERR_clear_error();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t size = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  bool ok = ctx != nullptr &&
            EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, secret_->rsa) == 1 &&
            EVP_DigestSign(ctx, nullptr, &size, in, data.size()) == 1;
  std::string signature(size, '\0');
  ok = ok && EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size, in,
                            data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    return make_error(Errc::internal, "The message could not be DKIM-signed; try again.",
                      openssl_detail("EVP_DigestSign"));
  }
  signature.resize(size);
  return signature;
}

namespace {

// One piece of the DKIM-Signature value; a fold may go before any piece.
struct Piece {
  std::string text;
  bool space_before;  // tags are separated by a space; h= names and b= chunks are not
};

std::string_view algorithm_name(DkimAlgorithm algorithm) {
  return algorithm == DkimAlgorithm::rsa_sha256 ? "rsa-sha256" : "ed25519-sha256";
}

std::vector<Piece> signature_pieces(const DkimKey& key, const std::vector<std::string>& names,
                                    std::string_view body_hash, Millis now) {
  std::vector<Piece> pieces = {
      {"v=1;", true},
      {"a=" + std::string(algorithm_name(key.algorithm())) + ";", true},
      {"c=relaxed/relaxed;", true},
      {"d=" + key.domain() + ";", true},
      {"s=" + key.selector() + ";", true},
      {"t=" + std::to_string(now / kSecond) + ";", true},
  };
  for (std::size_t i = 0; i < names.size(); ++i) {
    const bool last = i + 1 == names.size();
    pieces.push_back({(i == 0 ? "h=" : "") + names[i] + (last ? ";" : ":"), i == 0});
  }
  pieces.push_back({"bh=" + std::string(body_hash) + ";", true});
  // b= comes last, so that the text signed is exactly what precedes its value.
  pieces.push_back({"b=", true});
  return pieces;
}

// Appends `pieces` to `out`, whose current line is `column` long, folding before a piece that
// would pass kFoldColumn. Returns the column where the text ends.
std::size_t append_folded(std::string& out, std::size_t column, const std::vector<Piece>& pieces) {
  for (const Piece& piece : pieces) {
    const std::size_t space = piece.space_before ? 1 : 0;
    if (column + space + piece.text.size() > kFoldColumn) {
      out += "\r\n ";
      column = 1;
    } else if (space == 1) {
      out += ' ';
      ++column;
    }
    out += piece.text;
    column += piece.text.size();
  }
  return column;
}

// The b= value in chunks that fill each line, the first one after "b=".
std::vector<Piece> signature_chunks(std::string_view value, std::size_t column) {
  std::vector<Piece> chunks;
  std::size_t room = column < kFoldColumn ? kFoldColumn - column : 0;
  while (!value.empty()) {
    if (room == 0) room = kFoldColumn - 1;
    const std::size_t n = std::min(room, value.size());
    chunks.push_back({std::string(value.substr(0, n)), false});
    value.remove_prefix(n);
    room = 0;
  }
  return chunks;
}

Result<std::string> signature_field(const DkimKey& key, const std::string& signed_headers,
                                    const std::vector<std::string>& names,
                                    std::string_view body_hash, Millis now) {
  std::string field = "DKIM-Signature:";
  const std::size_t column =
      append_folded(field, field.size(), signature_pieces(key, names, body_hash, now));

  // RFC 6376 3.7: the signature field itself, with an empty b= and no final CRLF, is hashed
  // after the signed header fields.
  std::string own = dkim::relaxed_header({"DKIM-Signature", field});
  own.resize(own.size() - 2);
  auto signature = key.sign(signed_headers + own);
  if (!signature) return signature.take_error();

  append_folded(field, column, signature_chunks(crypto::base64_encode(*signature), column));
  field += "\r\n";
  return field;
}

bool has_from(const std::vector<dkim::HeaderField>& fields) {
  for (const auto& field : fields) {
    if (field.name.size() == 4 && strncasecmp(field.name.data(), "from", 4) == 0) return true;
  }
  return false;
}

}  // namespace

Result<DkimKey> load_dkim_key(DkimAlgorithm algorithm, std::string_view domain,
                              std::string_view selector, std::string_view private_text) {
  if (!is_dns_name(domain)) {
    return make_error(Errc::invalid_input,
                      "The DKIM signing domain must be a plain ASCII domain name such as "
                      "example.org (IDN domains in their xn-- form).");
  }
  if (!is_dns_name(selector)) {
    return make_error(Errc::invalid_input,
                      "A DKIM selector may only hold letters, digits, '-', '_' and dots.");
  }
  auto secret = parse_secret(algorithm, private_text);
  if (!secret) return secret.take_error();
  DkimKey key;
  key.algorithm_ = algorithm;
  key.domain_ = std::string(domain);
  key.selector_ = std::string(selector);
  key.secret_ = std::move(*secret);
  return key;
}

Result<std::string> dkim_sign(const DkimKey& key, std::string_view message, Millis now) {
  return dkim_sign(std::span<const DkimKey>(&key, 1), message, now);
}

Result<std::string> dkim_sign(std::span<const DkimKey> keys, std::string_view message, Millis now) {
  auto split = dkim::split_message(message);
  if (!split) return split.take_error();
  if (!has_from(split->fields)) {
    return make_error(Errc::invalid_input,
                      "The message cannot be DKIM-signed: it has no From header, which every "
                      "signature must cover.");
  }
  if (now < 0) {
    return make_error(Errc::invalid_input, "A DKIM signature cannot be dated before 1970.");
  }
  const std::string body_hash = crypto::base64_encode(sha256(dkim::relaxed_body(split->body)));
  const std::vector<std::string> names = dkim::signed_header_names(split->fields);
  const std::string signed_headers = dkim::canonical_headers(split->fields, names);

  std::string out;
  for (const DkimKey& key : keys) {
    auto field = signature_field(key, signed_headers, names, body_hash, now);
    if (!field) return field.take_error();
    out += *field;
  }
  return out;
}

}  // namespace sm::mail
