// What the campaign pages share (web/campaign_pages.cpp: composing, preview, web version;
// web/campaign_sending_pages.cpp: test sends, sending and its progress): the gate in front of
// a POST that changes a campaign, and the campaign a path names.
#pragma once

#include <optional>
#include <string>

#include "http/form.hpp"
#include "http/message.hpp"
#include "services/app.hpp"
#include "services/campaigns.hpp"
#include "web/guard.hpp"

namespace sm::web {

// A signed-in POST that may change something: session, form, origin, CSRF token and at least
// the editor role. On failure the response to send.
struct CampaignChange {
  std::optional<SignedIn> who;
  http::FormFields form;
  std::optional<http::Response> refusal;
};
CampaignChange begin_campaign_change(services::App& app, const http::Request& req);

// The campaign named by the path's {id} within the signed-in account, or the page to send
// instead (404 for another account's campaign).
struct FoundCampaign {
  std::optional<services::Campaign> campaign;
  std::optional<http::Response> refusal;
};
FoundCampaign campaign_of(services::App& app, const http::Request& req, const SignedIn& who);

// The campaign's page with `e` shown on the form it is about (a test send's "emails", a
// schedule's "at"), what was typed kept.
http::Response campaign_page_with_error(services::App& app, const SignedIn& who,
                                        const services::Campaign& c, const Error& e,
                                        const http::FormFields& form);

// "/campaigns/7".
std::string campaign_path(std::int64_t id);

// "Draft", "Scheduled", "Sending", ..., and whether the badge reads as settled (ok) or not.
std::string status_label(services::CampaignStatus s);
bool status_ok(services::CampaignStatus s);

}  // namespace sm::web
