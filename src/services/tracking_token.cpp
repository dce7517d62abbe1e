#include "services/tracking_token.hpp"

#include <cassert>

#include "core/crypto.hpp"

namespace sm::services {
namespace {

constexpr char kVersion = 1;
constexpr std::size_t kMacBytes = 16;
constexpr std::size_t kMaxTokenChars = 96;  // 1 + 1 + 4 * 10 + 16 bytes is 78 characters

void put_varint(std::string& out, std::uint64_t n) {
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

// Reads one varint from the front of `in`; nullopt when it runs off the end or past 63 bits.
std::optional<std::int64_t> take_varint(std::string_view& in) {
  std::uint64_t n = 0;
  for (int shift = 0; shift < 63 && !in.empty(); shift += 7) {
    auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    n |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      if (n > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<std::int64_t>(n);
    }
  }
  return std::nullopt;
}

std::string mac(const KeyRing& keys, std::string_view payload) {
  std::string message = "track:";
  message += payload;
  return crypto::hmac_sha256(keys.hmac_key(), message).substr(0, kMacBytes);
}

std::optional<TrackingTarget> parse_payload(std::string_view p) {
  if (p.size() < 2 || p[0] != kVersion || (p[1] != 'o' && p[1] != 'c')) return std::nullopt;
  TrackingTarget t;
  t.kind = p[1] == 'o' ? TrackingKind::open : TrackingKind::click;
  p.remove_prefix(2);
  auto account = take_varint(p);
  auto campaign = take_varint(p);
  auto delivery = take_varint(p);
  auto link = take_varint(p);
  if (!account || !campaign || !delivery || !link || !p.empty()) return std::nullopt;
  t.account_id = *account;
  t.campaign_id = *campaign;
  t.delivery_id = *delivery;
  t.link_index = *link;
  bool ids_ok = t.account_id > 0 && t.campaign_id > 0 && t.delivery_id > 0;
  bool link_ok = t.kind == TrackingKind::open ? t.link_index == 0 : t.link_index > 0;
  if (!ids_ok || !link_ok) return std::nullopt;
  return t;
}

}  // namespace

std::string make_tracking_token(const KeyRing& keys, const TrackingTarget& t) {
  assert(t.account_id > 0 && t.campaign_id > 0 && t.delivery_id > 0 && t.link_index >= 0);
  std::string payload;
  payload.reserve(32);
  payload.push_back(kVersion);
  payload.push_back(t.kind == TrackingKind::open ? 'o' : 'c');
  put_varint(payload, static_cast<std::uint64_t>(t.account_id));
  put_varint(payload, static_cast<std::uint64_t>(t.campaign_id));
  put_varint(payload, static_cast<std::uint64_t>(t.delivery_id));
  put_varint(payload, static_cast<std::uint64_t>(t.link_index));
  return crypto::base64url_encode(payload + mac(keys, payload));
}

std::optional<TrackingTarget> read_tracking_token(const KeyRing& keys, std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenChars) return std::nullopt;
  auto bytes = crypto::base64url_decode(token);
  if (!bytes.ok() || bytes->size() <= kMacBytes) return std::nullopt;
  std::string_view all(*bytes);
  std::string_view payload = all.substr(0, all.size() - kMacBytes);
  std::string_view tag = all.substr(all.size() - kMacBytes);
  if (!crypto::constant_time_equal(mac(keys, payload), tag)) return std::nullopt;
  return parse_payload(payload);
}

}  // namespace sm::services
