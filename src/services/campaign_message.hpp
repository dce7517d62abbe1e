// A campaign compiled once for sending, and the message each delivery gets from it.
//
// compile_campaign() does the per-campaign work: it checks the campaign can be sent (a
// verified sending domain in From, merge tags that exist), parses the subject and both body
// parts as templates, builds the footer the account holder cannot remove (controller
// details, why this person gets the message: list name and date of consent, the unsubscribe
// and portal links), and opens the domain's two DKIM keys. render_delivery() then fills the
// templates for one recipient, re-checks every link after the merge (a field value must not
// become a javascript: URL), builds the MIME text with the list headers, and signs it twice.
//
// Thread-safe: a CompiledCampaign is immutable; render_delivery() may run on many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "services/app.hpp"

namespace sm::services {

struct CompiledCampaignData;  // defined in campaign_message.cpp

struct CompiledCampaign {
  std::int64_t account_id = 0;
  std::int64_t campaign_id = 0;
  std::shared_ptr<const CompiledCampaignData> data;
};

// One recipient, as a delivery snapshot names it.
struct Recipient {
  std::int64_t delivery_id = 0;      // 0 for a test send
  std::int64_t subscriber_id = 0;    // 0 for a test send
  std::int64_t subscription_id = 0;  // 0 for a test send: links then lead to a sample page
  std::string email;
  std::string fields_json = "{}";  // the subscriber's field values, as stored

  // What the footer and the links need of the subscription: its list, the salt of its
  // unsubscribe token, the date of consent (confirmed_at, else created_at). A caller whose
  // claim query joins subscriptions fills them and saves render_delivery() one query per
  // delivery; with list_id 0 render_delivery() reads them itself.
  std::int64_t list_id = 0;
  std::string token_salt;
  Millis consented_at = 0;
};

// What goes to the relay for one delivery.
struct RenderedDelivery {
  std::string envelope_from;  // VERP address on bounce.domain naming the delivery
  std::string recipient;
  std::string mime;  // CRLF, signed
  std::string message_id;
};

// Errc::invalid_input with a sentence naming what to fix (no verified domain, an unknown
// tag, an empty subject...) when the campaign cannot be sent; not_found for another
// account's campaign.
Result<CompiledCampaign> compile_campaign(App& app, std::int64_t account_id,
                                          std::int64_t campaign_id);

// What compile_campaign() checks, without preparing click tracking (which records the
// campaign's links): for pages that say whether a campaign is ready to send.
Status check_campaign_sendable(App& app, std::int64_t account_id, std::int64_t campaign_id);

// The same Message-ID on every attempt for one delivery. A test send (delivery_id 0) gets
// "[Test] " before its subject, a unique Message-ID, sample values for the subscriber's
// fields and links to a sample page instead of working unsubscribe links.
Result<RenderedDelivery> render_delivery(App& app, const CompiledCampaign& campaign,
                                         const Recipient& recipient);

// The delivery a VERP address names, or nullopt when it is not one of ours (bounce handling).
// The address is "b-<delivery id>-<MAC>@<bounce.domain>"; the MAC is what makes it ours, so
// the domain is not compared (a bounce of mail sent before bounce.domain changed still counts).
std::optional<std::int64_t> delivery_from_verp(const App& app, std::string_view address);

// The address of the List-Unsubscribe mailto: for a subscription, "u-<id>-<MAC>@<bounce
// domain>", and the subscription such an address names (for the inbound mail handler).
std::string unsubscribe_mailbox(const App& app, std::int64_t subscription_id);
std::optional<std::int64_t> subscription_from_unsubscribe_mailbox(const App& app,
                                                                  std::string_view address);

// Showing a campaign rather than sending it: the composer's preview (sample values, sample
// links) and the public web version (no personal data: fields empty, no unsubscribe token,
// links to the portal). compile_for_display() checks only what showing needs, not what
// sending needs (a verified domain, complete controller details).
enum class Display { preview, web_version };
struct DisplayedMessage {
  std::string subject;
  std::string html;  // a whole document, links checked as in a delivery
  std::string text;
  std::vector<std::string> removed;  // what sanitising took out, for the composer's warning
};
Result<CompiledCampaign> compile_for_display(App& app, std::int64_t account_id,
                                             std::int64_t campaign_id);
Result<DisplayedMessage> render_display(App& app, const CompiledCampaign& campaign, Display how);

}  // namespace sm::services
