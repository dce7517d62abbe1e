// One open or click as the tracking endpoints received it, classified at once so that
// nothing about the request has to be kept: whether it is to be anonymous (the browser sent
// DNT: 1 or Sec-GPC: 1) and whether its user agent is a machine's (a mail-privacy proxy that
// fetches every image, or a link scanner). The user agent itself is never stored.
//
// A click that arrives within kScannerWindow of its delivery's sent_at is a machine's too
// (security gateways open every link as the message arrives); the event writer decides that
// when it writes the event, because only the database knows when the delivery was sent.
//
// Thread-safe: pure functions.
#pragma once

#include <string_view>

#include "core/clock.hpp"
#include "services/tracking_token.hpp"

namespace sm::services {

constexpr Millis kScannerWindow = 10 * kSecond;

struct TrackingEvent {
  TrackingTarget target;
  Millis at = 0;
  bool anonymous = false;      // store campaign, link, kind and hour only
  bool machine_agent = false;  // a known proxy or scanner by its user agent
};

// True for the user agents of known mail-privacy proxies and link scanners: Apple Mail
// Privacy Protection (exactly "Mozilla/5.0"), Gmail's GoogleImageProxy, YahooMailProxy,
// BingPreview, and the Barracuda, Mimecast and Proofpoint gateways; and for requests with no
// user agent at all, which no mail client sends.
bool is_machine_user_agent(std::string_view user_agent);

TrackingEvent classify_event(const TrackingTarget& target, Millis now, bool do_not_track,
                             std::string_view user_agent);

}  // namespace sm::services
