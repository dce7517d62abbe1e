#include "services/totp.hpp"

#include <liboath/oath.h>

#include <cstdio>
#include <cstdlib>

#include "core/crypto.hpp"

namespace sm {
namespace {

constexpr std::size_t kSecretBytes = 20;

void ensure_oath() {
  // oath_init is not safe to call concurrently; a static makes it happen once.
  static const bool ready = oath_init() == OATH_OK;
  if (!ready) {
    std::fprintf(stderr, "liboath failed to initialise\n");
    std::abort();
  }
}

std::string hotp(std::string_view secret, std::uint64_t counter) {
  ensure_oath();
  char out[kTotpDigits + 1] = {};
  int rc = oath_hotp_generate(secret.data(), secret.size(), counter, kTotpDigits, false,
                              OATH_HOTP_DYNAMIC_TRUNCATION, out);
  return rc == OATH_OK ? std::string(out) : std::string();
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
      continue;
    }
    auto u = static_cast<unsigned char>(c);
    out += {'%', kHex[u >> 4], kHex[u & 0xf]};
  }
  return out;
}

// The code without spaces, when what is left is exactly six digits.
std::optional<std::string> clean_code(std::string_view code) {
  std::string digits;
  for (char c : code) {
    if (c == ' ') continue;
    if (c < '0' || c > '9') return std::nullopt;
    digits.push_back(c);
  }
  if (digits.size() != kTotpDigits) return std::nullopt;
  return digits;
}

}  // namespace

std::string new_totp_secret() { return crypto::random_bytes(kSecretBytes); }

std::string otpauth_uri(std::string_view secret, std::string_view issuer,
                        std::string_view account_label) {
  std::string issuer_enc = percent_encode(issuer);
  return "otpauth://totp/" + issuer_enc + ":" + percent_encode(account_label) +
         "?secret=" + crypto::base32_encode(secret) + "&issuer=" + issuer_enc +
         "&algorithm=SHA1&digits=6&period=30";
}

std::int64_t totp_step(Millis at) {
  constexpr Millis step_ms = kTotpStepSeconds * kSecond;
  // Floor, not truncation, so that moments before 1970 do not share step 0.
  return at >= 0 ? at / step_ms : -((-at + step_ms - 1) / step_ms);
}

std::optional<std::int64_t> verify_totp(std::string_view secret, std::string_view code, Millis now,
                                        std::int64_t last_used_step) {
  auto digits = clean_code(code);
  if (!digits || secret.empty()) return std::nullopt;
  std::int64_t current = totp_step(now);
  // Newest first: should two steps in the window give the same code, returning the later one
  // makes sure the same code cannot be accepted again a moment later.
  for (std::int64_t step = current + 1; step >= current - 1; --step) {
    if (step < 0 || step <= last_used_step) continue;
    std::string expected = hotp(secret, static_cast<std::uint64_t>(step));
    if (!expected.empty() && crypto::constant_time_equal(expected, *digits)) return step;
  }
  return std::nullopt;
}

std::string totp_code(std::string_view secret, Millis at) {
  if (at < 0) return {};
  ensure_oath();
  // liboath's own TOTP function, so tests also check that totp_step agrees with it.
  char out[kTotpDigits + 1] = {};
  int rc = oath_totp_generate(secret.data(), secret.size(), static_cast<time_t>(at / kSecond),
                              kTotpStepSeconds, OATH_TOTP_DEFAULT_START_TIME, kTotpDigits, out);
  return rc == OATH_OK ? std::string(out) : std::string();
}

}  // namespace sm
