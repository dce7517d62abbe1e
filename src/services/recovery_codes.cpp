#include "services/recovery_codes.hpp"

#include <sodium.h>

#include "core/crypto.hpp"

namespace sm {
namespace {

constexpr std::string_view kAlphabet = "23456789abcdefghjkmnpqrstuvwxyz";
constexpr int kGroups = 3;
constexpr int kGroupLength = 4;

std::string new_code() {
  crypto::ensure_initialised();
  std::string code;
  for (int g = 0; g < kGroups; ++g) {
    if (g > 0) code.push_back('-');
    for (int i = 0; i < kGroupLength; ++i) {
      // randombytes_uniform has no modulo bias, which a 31-letter alphabet would otherwise get.
      code.push_back(kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))]);
    }
  }
  return code;
}

}  // namespace

std::vector<std::string> new_recovery_codes() {
  std::vector<std::string> codes;
  while (codes.size() < kRecoveryCodeCount) {
    std::string code = new_code();
    // A repeat is astronomically unlikely, but ten distinct codes is the promise.
    bool repeated = false;
    for (const auto& c : codes) repeated = repeated || c == code;
    if (!repeated) codes.push_back(std::move(code));
  }
  return codes;
}

std::string normalize_recovery_code(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
  return out;
}

std::string hash_recovery_code(std::string_view hmac_key, std::string_view code) {
  return crypto::hmac_hex(hmac_key, "recovery-code:" + normalize_recovery_code(code));
}

}  // namespace sm
