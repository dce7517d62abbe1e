// The tokens in tracked links and open pixels. A token names what was opened or clicked (an
// account, a campaign, a delivery and, for a click, the link's index) and carries an HMAC of
// that under the installation key, so nobody can make one up, point one at another link or
// campaign, or read a person's address out of it (it holds ids only).
//
// Layout before base64url: a version byte, the kind ('o' or 'c'), the four ids as unsigned
// LEB128 varints, then the first 16 bytes of HMAC-SHA-256(key, "track:" + the bytes before).
// About 35 characters for ids of a few digits.
//
// Thread-safe: pure functions of the key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "services/keyring.hpp"

namespace sm::services {

enum class TrackingKind { open, click };

struct TrackingTarget {
  TrackingKind kind = TrackingKind::open;
  std::int64_t account_id = 0;
  std::int64_t campaign_id = 0;
  std::int64_t delivery_id = 0;
  std::int64_t link_index = 0;  // 1.. for a click; 0 for an open

  bool operator==(const TrackingTarget&) const = default;
};

// REQUIRES: ids > 0, link_index >= 0.
std::string make_tracking_token(const KeyRing& keys, const TrackingTarget& target);

// The target of a token made by this installation, or nullopt for anything else (damaged,
// changed, made under another key, too long). The MAC is compared in constant time.
std::optional<TrackingTarget> read_tracking_token(const KeyRing& keys, std::string_view token);

}  // namespace sm::services
