// Random identifiers for Message-IDs, MIME boundaries and outbox file names, from libsodium.
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace sm::mail {

// `bytes` random bytes as 2 * bytes lowercase hex digits.
std::string random_hex(std::size_t bytes);

}  // namespace sm::mail
