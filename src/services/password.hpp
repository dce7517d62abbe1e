// Account passwords: the policy a new password must meet, and argon2id hashing.
//
// The policy follows NIST SP 800-63B: a minimum length, a generous maximum, no composition
// rules, and a refusal of passwords that are easy to guess, estimated by zxcvbn with the
// user's own details (organisation name, email address) counted as easy words.
//
// Thread-safe: every function may be called from any thread. hash_password, verify_password
// and the first call of dummy_hash each take tens of milliseconds and 64 MiB of memory on
// purpose; do not call them on an I/O thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sm {

constexpr std::size_t kMinPasswordCharacters = 12;  // Unicode code points
constexpr std::size_t kMaxPasswordBytes = 1024;     // UTF-8 octets
// zxcvbn's estimate, in bits, below which a password is refused: log2(10^8 guesses).
constexpr double kMinPasswordEntropyBits = 26.575424759098897;

// Checks a new password; a refusal is Errc::invalid_input with field "password" and a sentence
// saying what to change. `user_inputs` are words about the person that a guesser would try
// first; each is also split at punctuation ("jane.doe@acme.example" counts "jane", "doe" and
// "acme" too).
Status check_password_policy(std::string_view password, std::vector<std::string_view> user_inputs);

// An argon2id hash in the standard "$argon2id$v=19$..." form, salt included. Fails only when
// the system cannot give the memory.
Result<std::string> hash_password(std::string_view password);

// True when `password` matches `hash`. A malformed hash is simply false.
bool verify_password(std::string_view hash, std::string_view password);

// True when `hash` was made with weaker settings than hash_password uses today, so the caller
// should store a fresh hash after a successful sign-in.
bool password_needs_rehash(std::string_view hash);

// A valid hash of a random password nobody knows. Signing in with an unknown email address
// verifies against it, so that the answer takes as long as for a known address.
std::string dummy_hash();

}  // namespace sm
