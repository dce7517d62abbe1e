// Recovery codes: ten single-use codes shown once when two-factor sign-in is turned on, for
// the day the authenticator is lost. Only their keyed hashes are stored.
//
// Thread-safe: no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sm {

constexpr std::size_t kRecoveryCodeCount = 10;

// Ten codes like "k7dq-3mxp-94vt": 12 characters from a 31-letter alphabet without 0, 1, i,
// l and o (which are easy to misread), about 59 bits each.
std::vector<std::string> new_recovery_codes();

// The code as typed, reduced to its 12 characters: lowercased, spaces and hyphens removed.
std::string normalize_recovery_code(std::string_view code);

// The keyed hash to store and look up (64 hex digits) of the normalized code. Typing
// "K7DQ 3MXP 94VT" finds the code "k7dq-3mxp-94vt". REQUIRES: hmac_key is
// KeyRing::hmac_key(); the input is domain-separated, so it never collides with other HMACs
// made with that key.
std::string hash_recovery_code(std::string_view hmac_key, std::string_view code);

}  // namespace sm
