#include "services/password.hpp"

#include <sodium.h>
#include <zxcvbn.h>

#include <algorithm>

#include "core/crypto.hpp"

namespace sm {
namespace {

Error refuse(std::string message) { return field_error("password", std::move(message)); }

std::size_t code_points(std::string_view utf8) {
  // Every code point has exactly one byte that is not a continuation byte (10xxxxxx).
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool is_word_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || u >= 0x80;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The user's words, lowercased, whole and split at anything that is not a letter or digit.
// Pieces shorter than three characters would match too much and are dropped.
std::vector<std::string> user_words(const std::vector<std::string_view>& inputs) {
  std::vector<std::string> words;
  for (std::string_view input : inputs) {
    std::string whole = lower_ascii(input);
    if (whole.empty()) continue;
    words.push_back(whole);
    std::string piece;
    for (char c : whole + ".") {
      if (is_word_char(c)) {
        piece.push_back(c);
        continue;
      }
      if (piece.size() >= 3 && piece != whole) words.push_back(piece);
      piece.clear();
    }
  }
  return words;
}

double entropy_bits(std::string_view password, const std::vector<std::string_view>& inputs) {
  std::vector<std::string> words = user_words(inputs);
  std::vector<const char*> dict;
  for (const auto& w : words) dict.push_back(w.c_str());
  dict.push_back(nullptr);
  // zxcvbn reads a C string: a NUL inside the password shortens what it rates, which can only
  // make the estimate lower, never let a weak password through.
  std::string copy(password);
  double bits = ZxcvbnMatch(copy.c_str(), dict.data(), nullptr);
  crypto::wipe(copy);
  return bits;
}

}  // namespace

Status check_password_policy(std::string_view password, std::vector<std::string_view> user_inputs) {
  if (code_points(password) < kMinPasswordCharacters) {
    return refuse(
        "This password is too short: use at least 12 characters. A passphrase of four or more "
        "random words is long enough and easy to remember.");
  }
  if (password.size() > kMaxPasswordBytes) {
    return refuse(
        "This password is too long: it can have at most 1024 bytes (about 1000 letters). Use a "
        "shorter passphrase.");
  }
  if (entropy_bits(password, user_inputs) < kMinPasswordEntropyBits) {
    return refuse(
        "This password is too easy to guess: it is close to a common password or word. Add "
        "more words or use a passphrase of four or more random words.");
  }
  return {};
}

Result<std::string> hash_password(std::string_view password) {
  crypto::ensure_initialised();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return make_error(Errc::unavailable, "Signing in is not possible right now. Try again soon.",
                      "crypto_pwhash_str failed: out of memory");
  }
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  crypto::ensure_initialised();
  // libsodium wants a NUL-terminated hash; a hash that does not fit is not one of ours.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view hash) {
  crypto::ensure_initialised();
  if (hash.size() >= crypto_pwhash_STRBYTES) return true;
  std::string terminated(hash);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

std::string dummy_hash() {
  // Computed once, with today's settings, so it costs exactly what a real user's hash costs.
  static const std::string hash = [] {
    auto h = hash_password(crypto::random_token());
    return h.ok() ? *h : std::string("$argon2id$v=19$m=65536,t=2,p=1$");
  }();
  return hash;
}

}  // namespace sm
