// The portal's exports: everything the portal page shows, as CSV (one row per subscription,
// with the account in the first columns) and as JSON (with the consent receipts as files that
// `smartmessages consent verify` checks). Both are built from the same PortalView as the page,
// so they hold exactly what it shows.
#include <time.h>

#include <nlohmann/json.hpp>

#include "services/csv_export.hpp"
#include "services/portal.hpp"

namespace sm::services {
namespace {

using nlohmann::json;

// "2026-12-01T09:00:00Z"
std::string iso(Millis t) {
  time_t seconds = static_cast<time_t>(t / 1000);
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json iso_or_null(const std::optional<Millis>& t) { return t ? json(iso(*t)) : json(nullptr); }

std::string privacy_url(const App& app, std::int64_t account_id) {
  return app.config.http_base_url + "/privacy/" + std::to_string(account_id);
}

json controller_json(const Account& a) {
  const auto& d = a.details;
  return {{"organisation", d.organisation},
          {"contact_name", d.contact_name},
          {"postal_address", d.postal_address},
          {"contact_email", d.contact_email},
          {"website", d.website},
          {"privacy_contact", d.privacy_contact}};
}

json event_json(const ConsentEvent& e) {
  json j = {{"kind", consent_kind_name(e.kind)},
            {"occurred_at", iso(e.occurred_at)},
            {"ip_address", e.evidence.ip_address},
            {"user_agent", e.evidence.user_agent},
            {"referrer", e.evidence.referrer},
            {"form_url", e.evidence.form_url},
            {"source", e.source},
            {"basis", e.basis},
            {"digest", e.digest}};
  if (!e.form_wording.empty()) j["form_wording"] = e.form_wording;
  if (!e.message.empty()) j["message"] = e.message;
  return j;
}

json receipt_json(const ConsentReceipt& r) {
  return {{"issued_at", iso(r.issued_at)}, {"receipt", r.payload}, {"signature", r.signature}};
}

json delivery_json(const PortalDelivery& d) {
  return {{"campaign", d.campaign_name},
          {"subject", d.subject},
          {"status", d.status},
          {"sent_at", iso_or_null(d.sent_at)}};
}

json activity_json(const PortalSubscription& s) {
  json out = json::array();
  for (const auto& a : s.activity) {
    json j = {{"kind", a.kind},
              {"at", iso(a.at)},
              {"campaign", a.campaign_name},
              {"by_machine", a.machine}};
    if (!a.url.empty()) j["url"] = a.url;
    out.push_back(std::move(j));
  }
  for (const auto& b : s.bounces) {
    out.push_back({{"kind", bounce_kind_name(b.kind)},
                   {"at", iso(b.occurred_at)},
                   {"campaign", b.campaign_name},
                   {"status_code", b.status_code},
                   {"diagnostic", b.diagnostic}});
  }
  return out;
}

json events_json(const SubscriptionRecord& r) {
  json out = json::array();
  for (const auto& e : r.events) out.push_back(event_json(e));
  return out;
}

json receipts_json(const SubscriptionRecord& r) {
  json out = json::array();
  for (const auto& x : r.receipts) out.push_back(receipt_json(x));
  return out;
}

json deliveries_json(const PortalSubscription& s) {
  json out = json::array();
  for (const auto& d : s.deliveries) out.push_back(delivery_json(d));
  return out;
}

json subscription_json(const PortalSubscription& s) {
  const auto& sub = s.record.subscription;
  return {{"list", s.record.list_name},
          {"status", status_name(sub.status)},
          {"signed_up_at", iso(sub.created_at)},
          {"confirmed_at", iso_or_null(sub.confirmed_at)},
          {"unsubscribed_at", iso_or_null(sub.unsubscribed_at)},
          {"consent_record", events_json(s.record)},
          {"consent_receipts", receipts_json(s.record)},
          {"deliveries", deliveries_json(s)},
          {"activity", activity_json(s)}};
}

// Field values held (empty ones are not held), key → value.
json field_values(const PortalHolding& h) {
  json out = json::object();
  for (const auto& f : h.fields) {
    if (!f.value.empty()) out[f.key] = f.value;
  }
  return out;
}

json fields_json(const PortalHolding& h) {
  json out = json::array();
  for (const auto& f : h.fields) {
    if (f.value.empty()) continue;
    out.push_back({{"key", f.key},
                   {"label", f.definition ? json(f.definition->label) : json(nullptr)},
                   {"value", f.value}});
  }
  return out;
}

json suppression_json(const PortalHolding& h) {
  if (!h.suppression) return nullptr;
  return {{"reason", h.suppression->reason}, {"since", iso(h.suppression->since)}};
}

std::string suppression_cell(const PortalHolding& h) {
  if (!h.suppression) return "";
  return h.suppression->reason + " since " + iso(h.suppression->since);
}

const std::vector<std::string>& csv_header() {
  static const std::vector<std::string> h = {"account_id",
                                             "organisation",
                                             "controller_contact",
                                             "privacy_notice",
                                             "email",
                                             "fields",
                                             "list",
                                             "status",
                                             "signed_up_at",
                                             "confirmed_at",
                                             "unsubscribed_at",
                                             "consent_record",
                                             "consent_receipts",
                                             "deliveries",
                                             "activity",
                                             "suppressed"};
  return h;
}

std::string optional_iso(const std::optional<Millis>& t) { return t ? iso(*t) : ""; }

}  // namespace

json holding_json(const PortalHolding& h, const App& app) {
  json subscriber = nullptr;
  if (h.subscriber_id) {
    subscriber = {{"email", h.email_as_held},
                  {"subscriber_since", iso(h.subscriber_since)},
                  {"updated_at", iso(h.updated_at)},
                  {"fields", fields_json(h)}};
  }
  json subs = json::array();
  for (const auto& s : h.subscriptions) subs.push_back(subscription_json(s));
  return {{"account_id", h.account.id},
          {"controller", controller_json(h.account)},
          {"privacy_notice", privacy_url(app, h.account.id)},
          {"subscriber", std::move(subscriber)},
          {"subscriptions", std::move(subs)},
          {"suppression", suppression_json(h)}};
}

json portal_json(const PortalView& view, const App& app) {
  json accounts = json::array();
  for (const auto& h : view.holdings) accounts.push_back(holding_json(h, app));
  return {{"address", view.address},
          {"exported_at", iso(app.clock->now_ms())},
          {"exported_by", app.config.http_base_url},
          {"accounts", std::move(accounts)}};
}

void write_portal_csv(const PortalView& view, const App& app, std::ostream& out) {
  write_csv_row(out, csv_header());
  for (const auto& h : view.holdings) {
    std::vector<std::string> account = {std::to_string(h.account.id),
                                        h.account.details.organisation,
                                        h.account.details.contact_email,
                                        privacy_url(app, h.account.id),
                                        h.email_as_held,
                                        h.subscriber_id ? field_values(h).dump() : ""};
    std::string suppressed = suppression_cell(h);
    if (h.subscriptions.empty()) {
      auto row = account;
      row.insert(row.end(), {"", "", "", "", "", "", "", "", "", suppressed});
      write_csv_row(out, row);
      continue;
    }
    for (const auto& s : h.subscriptions) {
      const auto& sub = s.record.subscription;
      auto row = account;
      row.insert(row.end(),
                 {s.record.list_name, std::string(status_name(sub.status)), iso(sub.created_at),
                  optional_iso(sub.confirmed_at), optional_iso(sub.unsubscribed_at),
                  events_json(s.record).dump(), receipts_json(s.record).dump(),
                  deliveries_json(s).dump(), activity_json(s).dump(), suppressed});
      write_csv_row(out, row);
    }
  }
}

Status export_portal_csv(App& app, const PortalSession& s, std::ostream& out,
                         const Requester& who) {
  auto view = collect_portal_view(app, s);
  if (!view.ok()) return view.take_error();
  write_portal_csv(*view, app, out);
  audit_portal(app, "portal_exported_csv", who);
  return {};
}

Result<std::string> export_portal_json(App& app, const PortalSession& s, const Requester& who) {
  auto view = collect_portal_view(app, s);
  if (!view.ok()) return view.take_error();
  audit_portal(app, "portal_exported_json", who);
  return portal_json(*view, app).dump(2) + "\n";
}

}  // namespace sm::services
