#include "mail/random_hex.hpp"

#include <sodium.h>

#include <vector>

namespace sm::mail {

std::string random_hex(std::size_t bytes) {
  // sodium_init() is idempotent and thread-safe; the static makes it run once per process.
  [[maybe_unused]] static const int sodium_ready = sodium_init();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

}  // namespace sm::mail
