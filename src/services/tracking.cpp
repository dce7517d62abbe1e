#include "services/tracking.hpp"

#include <algorithm>
#include <charconv>

#include "core/crypto.hpp"
#include "mail/link_rewriter.hpp"
#include "mail/utm_parameters.hpp"
#include "services/tracking_token.hpp"
#include "store/multi_row_insert.hpp"

namespace sm::services {
namespace {

Error no_campaign() {
  return make_error(Errc::not_found, "There is no such campaign in this account.");
}

bool started_sending(std::string_view status) { return status != "draft" && status != "scheduled"; }

struct Settings {
  bool account = false;
  CampaignTrackingChoices campaign;
  std::string status;
};

Result<Settings> read_settings(store::Connection& c, std::int64_t account_id,
                               std::int64_t campaign_id) {
  auto account = store::run_named(c, "tracking.account_enabled", {account_id});
  if (!account.ok()) return account.take_error();
  auto campaign = store::run_named(c, "tracking.campaign_settings", {account_id, campaign_id});
  if (!campaign.ok()) return campaign.take_error();
  if (account->empty() || campaign->empty()) return no_campaign();
  const store::Row& r = campaign->front();
  return Settings{account->front().integer(0) == 1,
                  {r.integer(0) == 1, r.integer(1) == 1, r.text(2)},
                  r.text(3)};
}

Status check_utm_campaign(std::string_view value) {
  if (value.size() > kMaxUtmCampaignBytes) {
    return field_error("utm_campaign", "The campaign name for analytics may be at most " +
                                           std::to_string(kMaxUtmCampaignBytes) +
                                           " characters long; shorten it.");
  }
  bool control = std::any_of(value.begin(), value.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f;
  });
  if (control) {
    return field_error("utm_campaign",
                       "The campaign name for analytics must be on one line, without tabs.");
  }
  return {};
}

// The links worth tracking: not this installation's own pages, at most kMaxTrackedLinks.
std::vector<mail::TrackableLink> links_to_track(std::string_view html,
                                                const std::string& base_url) {
  std::vector<mail::TrackableLink> links = mail::find_trackable_links(html);
  std::string own = base_url + "/";
  std::erase_if(links, [&](const mail::TrackableLink& l) {
    return l.url.starts_with(own) || l.url == base_url;
  });
  if (links.size() > kMaxTrackedLinks) links.resize(kMaxTrackedLinks);
  return links;
}

std::vector<std::string> destinations_of(const std::vector<mail::TrackableLink>& links,
                                         const std::string& utm_campaign) {
  mail::UtmParameters utm{std::string(kUtmSource), std::string(kUtmMedium), utm_campaign};
  std::vector<std::string> out;
  out.reserve(links.size());
  for (const auto& l : links) {
    out.push_back(utm_campaign.empty() ? l.url : mail::add_utm_parameters(l.url, utm));
  }
  return out;
}

// Keeps the stored links equal to `destinations`: stores them the first time, replaces them
// while the campaign has not started (it was edited since a test send), and refuses a change
// once messages carrying the old indices may be out.
Status store_links(App& app, std::int64_t account_id, std::int64_t campaign_id,
                   const std::vector<std::string>& destinations) {
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto settings = read_settings(c, account_id, campaign_id);
    if (!settings.ok()) return settings.take_error();
    auto stored = store::run_named(c, "tracking.campaign_links", {account_id, campaign_id});
    if (!stored.ok()) return stored.take_error();
    std::vector<std::string> old;
    for (const auto& r : stored->rows) old.push_back(r.text(1));
    if (old == destinations) return true;
    if (!old.empty() && started_sending(settings->status)) {
      return make_error(Errc::conflict,
                        "The campaign's links differ from those it was sent with, so they "
                        "cannot be tracked; duplicate the campaign to send the new version.",
                        "campaign links changed after sending started");
    }
    SM_TRY(store::run_named(c, "tracking.delete_campaign_links", {account_id, campaign_id}));
    std::vector<std::vector<store::Value>> rows;
    for (std::size_t i = 0; i < destinations.size(); ++i) {
      rows.push_back({account_id, campaign_id, static_cast<std::int64_t>(i + 1), destinations[i]});
    }
    if (!rows.empty()) SM_TRY(store::run_named_rows(c, "tracking.insert_campaign_link", rows));
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

std::vector<std::string> placeholders(const std::string& prefix, std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i <= count; ++i) out.push_back(prefix + std::to_string(i) + "-");
  return out;
}

// Replaces every "<prefix><index>-" of `text` by what `fill` gives for the index; a
// placeholder with an unknown index is left as it is (its link then answers 404).
template <class Fill>
std::string fill_placeholders(std::string_view text, const std::string& prefix, Fill fill) {
  if (prefix.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t copied = 0;
  for (std::size_t at; (at = text.find(prefix, copied)) != std::string_view::npos;) {
    std::size_t digits = at + prefix.size();
    std::int64_t index = 0;
    auto [end, ec] = std::from_chars(text.data() + digits, text.data() + text.size(), index);
    std::size_t after = static_cast<std::size_t>(end - text.data());
    out.append(text.substr(copied, at - copied));
    if (ec != std::errc() || after >= text.size() || text[after] != '-' || index < 1) {
      out.append(prefix);
      copied = digits;
      continue;
    }
    fill(out, index, text.substr(at, after + 1 - at));
    copied = after + 1;
  }
  out.append(text.substr(copied));
  return out;
}

std::string fill_delivery(const App& app, const CampaignTracking& t, std::string_view text,
                          std::int64_t delivery_id, bool html) {
  return fill_placeholders(text, t.placeholder_prefix,
                           [&](std::string& out, std::int64_t index, std::string_view placeholder) {
                             auto i = static_cast<std::size_t>(index);
                             if (i > t.destinations.size()) {
                               out.append(placeholder);
                             } else if (delivery_id <= 0) {
                               const std::string& d = t.destinations[i - 1];
                               out += html ? mail::escape_attribute(d) : d;
                             } else {
                               out += click_url(app, t, delivery_id, index);
                             }
                           });
}

// Where the pixel goes: before the last </body>, or at the end of a fragment.
std::size_t pixel_position(std::string_view html) {
  for (std::size_t at = html.size(); at >= 7; --at) {
    std::string_view tag = html.substr(at - 7, 7);
    bool match = tag[0] == '<' && tag[1] == '/';
    for (std::size_t k = 2; match && k < 7; ++k) {
      char c = tag[k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      match = c == "</body>"[k];
    }
    if (match) return at - 7;
  }
  return html.size();
}

}  // namespace

Result<bool> account_tracking_enabled(App& app, std::int64_t account_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "tracking.account_enabled", {account_id});
  if (!r.ok()) return r.take_error();
  if (r->empty()) return make_error(Errc::not_found, "There is no such account.");
  return r->front().integer(0) == 1;
}

Status set_account_tracking(App& app, std::int64_t account_id, bool enabled) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "tracking.set_account_enabled",
                            {account_id, std::int64_t{enabled ? 1 : 0}});
  if (!r.ok()) return r.take_error();
  if (r->affected == 0) return make_error(Errc::not_found, "There is no such account.");
  return {};
}

Result<CampaignTrackingChoices> campaign_tracking(App& app, std::int64_t account_id,
                                                  std::int64_t campaign_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "tracking.campaign_settings", {account_id, campaign_id});
  if (!r.ok()) return r.take_error();
  if (r->empty()) return no_campaign();
  const store::Row& row = r->front();
  return CampaignTrackingChoices{row.integer(0) == 1, row.integer(1) == 1, row.text(2)};
}

Status set_campaign_tracking(App& app, std::int64_t account_id, std::int64_t campaign_id,
                             const CampaignTrackingChoices& choices) {
  SM_TRY(check_utm_campaign(choices.utm_campaign));
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto settings = read_settings(c, account_id, campaign_id);
    if (!settings.ok()) return settings.take_error();
    if (started_sending(settings->status)) {
      return make_error(Errc::conflict,
                        "Tracking cannot be changed once the campaign has started sending.");
    }
    SM_TRY(store::run_named(
        c, "tracking.set_campaign_settings",
        {account_id, campaign_id, std::int64_t{choices.track_opens ? 1 : 0},
         std::int64_t{choices.track_clicks ? 1 : 0}, choices.utm_campaign, app.now()}));
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

Result<CampaignTracking> prepare_campaign_tracking(App& app, std::int64_t account_id,
                                                   std::int64_t campaign_id,
                                                   std::string_view html) {
  CampaignTracking t;
  t.account_id = account_id;
  t.campaign_id = campaign_id;
  t.base_url = app.config.http_base_url;
  t.html = std::string(html);
  Settings s;
  {
    auto lease = app.db->acquire();
    if (!lease.ok()) return lease.take_error();
    auto read = read_settings(**lease, account_id, campaign_id);
    if (!read.ok()) return read.take_error();
    s = std::move(*read);
  }
  if (!s.account) return t;

  t.opens = s.campaign.track_opens;
  t.clicks = s.campaign.track_clicks;
  bool utm = !s.campaign.utm_campaign.empty();
  if (!t.clicks && !utm) return t;

  auto links = links_to_track(html, t.base_url);
  t.destinations = destinations_of(links, s.campaign.utm_campaign);
  if (!t.clicks) {
    t.html = mail::replace_links(html, links, t.destinations);
    t.destinations.clear();
    return t;
  }
  SM_TRY(store_links(app, account_id, campaign_id, t.destinations));
  // A fresh random prefix per compilation: no text of the campaign can contain it by chance.
  t.placeholder_prefix =
      t.base_url + "/l/smtrk" + crypto::hex_encode(crypto::random_bytes(8)) + "-";
  t.html = mail::replace_links(html, links, placeholders(t.placeholder_prefix, links.size()));
  return t;
}

std::string open_pixel_url(const App& app, const CampaignTracking& t, std::int64_t delivery_id) {
  TrackingTarget target{TrackingKind::open, t.account_id, t.campaign_id, delivery_id, 0};
  return t.base_url + "/o/" + make_tracking_token(*app.keys, target) + ".gif";
}

std::string click_url(const App& app, const CampaignTracking& t, std::int64_t delivery_id,
                      std::int64_t link_index) {
  TrackingTarget target{TrackingKind::click, t.account_id, t.campaign_id, delivery_id, link_index};
  return t.base_url + "/l/" + make_tracking_token(*app.keys, target);
}

std::string tracked_html_for_delivery(const App& app, const CampaignTracking& t,
                                      std::string_view rendered_html, std::int64_t delivery_id) {
  std::string html = fill_delivery(app, t, rendered_html, delivery_id, true);
  if (!t.opens || delivery_id <= 0) return html;
  std::string pixel = "<img src=\"" + open_pixel_url(app, t, delivery_id) +
                      "\" width=\"1\" height=\"1\" alt=\"\" border=\"0\">";
  html.insert(pixel_position(html), pixel);
  return html;
}

std::string tracked_text_for_delivery(const App& app, const CampaignTracking& t,
                                      std::string_view rendered_text, std::int64_t delivery_id) {
  return fill_delivery(app, t, rendered_text, delivery_id, false);
}

Status record_unsubscribe(App& app, std::int64_t account_id, std::int64_t delivery_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "tracking.insert_unsubscribe_event",
                            {account_id, delivery_id, app.now()});
  if (!r.ok()) return r.take_error();
  return {};
}

}  // namespace sm::services
