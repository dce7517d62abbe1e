// Opt-in open and click tracking: the account's and the campaign's choices, and what tracking
// does to a campaign's message. See DESIGN.md, flow 4.
//
// Tracking is off until the account holder turns it on for the account, and then for each
// campaign: opens (a 1x1 image), clicks (links through /l/{token}) and analytics parameters
// (utm_campaign). When it is off for either, the message is left exactly as written and
// nothing is recorded.
//
// Rendering, in two steps so that the per-delivery work is a string fill, not a parse:
//   1. prepare_campaign_tracking(), once per compiled campaign, finds the trackable links of
//      the campaign's HTML (mail/link_rewriter.hpp), adds the analytics parameters, stores
//      the destinations as the campaign's links and returns the HTML with each tracked href
//      replaced by a placeholder URL. That HTML is what the campaign compiles and renders.
//   2. tracked_html_for_delivery() turns the placeholders of one delivery's rendered HTML
//      into signed click URLs ({base_url}/l/{token}) and appends the open pixel
//      (<img src="{base_url}/o/{token}.gif">); tracked_text_for_delivery() does the same for
//      the plain-text part, without a pixel. For a test send (delivery id 0) the
//      placeholders become the destinations themselves and no pixel is added.
//
// Links to this installation (the unsubscribe, preferences, portal and web version pages)
// are never tracked, nor links with merge tags in them.
//
// Thread-safe: a CampaignTracking is immutable; the functions may run on many threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "services/app.hpp"

namespace sm::services {

// Longer utm_campaign values are refused.
constexpr std::size_t kMaxUtmCampaignBytes = 100;
// utm_source and utm_medium are the same for every campaign.
inline constexpr std::string_view kUtmSource = "newsletter";
inline constexpr std::string_view kUtmMedium = "email";
// Links past this many in one campaign are left untracked.
constexpr std::size_t kMaxTrackedLinks = 500;

// The account's switch. not_found for an unknown account.
Result<bool> account_tracking_enabled(App& app, std::int64_t account_id);
Status set_account_tracking(App& app, std::int64_t account_id, bool enabled);

struct CampaignTrackingChoices {
  bool track_opens = false;
  bool track_clicks = false;
  std::string utm_campaign;  // empty: no analytics parameters
};

// not_found for another account's campaign.
Result<CampaignTrackingChoices> campaign_tracking(App& app, std::int64_t account_id,
                                                  std::int64_t campaign_id);

// Saves the choices of a draft or scheduled campaign. Errors: field error "utm_campaign"
// (too long, or control characters); conflict once sending has started (the messages already
// sent were tracked as they were); not_found.
Status set_campaign_tracking(App& app, std::int64_t account_id, std::int64_t campaign_id,
                             const CampaignTrackingChoices& choices);

// What rendering needs to track one campaign's deliveries.
struct CampaignTracking {
  std::int64_t account_id = 0;
  std::int64_t campaign_id = 0;
  bool opens = false;   // add the open pixel
  bool clicks = false;  // the HTML holds placeholders to fill
  // The HTML to compile and render: tracked hrefs are placeholders, and with analytics
  // parameters on, untracked destinations carry them. Without tracking, the input as given.
  std::string html;
  std::string placeholder_prefix;         // "{base_url}/l/smtrk<16 hex>-"; empty without clicks
  std::vector<std::string> destinations;  // by link index - 1
  std::string base_url;
};

// Reads the account's and campaign's choices and prepares `html` (the campaign's sanitised
// HTML, merge tags still in it). With click tracking on, stores the destinations as the
// campaign's links (the redirect goes only there); compiling again gives the same indices.
// Errors: not_found; conflict when the links differ from those stored for a campaign that
// has started sending.
Result<CampaignTracking> prepare_campaign_tracking(App& app, std::int64_t account_id,
                                                   std::int64_t campaign_id, std::string_view html);

// The delivery's HTML: placeholders filled with its click URLs, the open pixel added (before
// </body> when there is one, else at the end). Unchanged when the campaign is not tracked.
std::string tracked_html_for_delivery(const App& app, const CampaignTracking& tracking,
                                      std::string_view rendered_html, std::int64_t delivery_id);

// The same for the plain-text part: placeholders filled, no pixel.
std::string tracked_text_for_delivery(const App& app, const CampaignTracking& tracking,
                                      std::string_view rendered_text, std::int64_t delivery_id);

// The open pixel's URL and a click URL for one delivery, as the message carries them.
std::string open_pixel_url(const App& app, const CampaignTracking& tracking,
                           std::int64_t delivery_id);
std::string click_url(const App& app, const CampaignTracking& tracking, std::int64_t delivery_id,
                      std::int64_t link_index);

// Records that a delivery led to an unsubscribe, for the campaign's report: for whatever
// handles an unsubscribe that names its delivery. Recorded whether or not tracking is on (it
// is an outcome of sending, like a bounce); a delivery of another account is ignored.
// Bounces and complaints need no call: the report reads them from bounce_events.
Status record_unsubscribe(App& app, std::int64_t account_id, std::int64_t delivery_id);

}  // namespace sm::services
