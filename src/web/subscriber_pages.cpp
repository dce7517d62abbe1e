// Subscribers of an account and their consent records, for signed-in account holders:
// the list's subscribers with an "Add subscriber" form, one subscriber's page with the whole
// consent record and receipts, and deletion. Viewers read; editors and owners change.
#include <charconv>
#include <sstream>

#include "services/bounces.hpp"
#include "services/lists.hpp"
#include "services/portal.hpp"
#include "services/subscriber_activity.hpp"
#include "services/subscriber_erasure.hpp"
#include "services/subscriptions.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;

constexpr std::int64_t kPageSize = 50;

std::int64_t number(std::string_view text) {
  std::int64_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

std::string when(const std::optional<Millis>& t) { return t ? format_utc(*t) : ""; }

Response not_here(App& app, const SignedIn& who) {
  return message_page(app, 404, "Not found", "There is no such list or subscriber in this account.",
                      &who);
}

Response viewer_refused(App& app, const SignedIn& who) {
  return message_page(app, 403, "Not allowed",
                      "Viewers can read subscribers but not change them; ask an owner for the "
                      "editor role.",
                      &who);
}

TemplateValue member_row(const services::ListMember& m) {
  TemplateValue row;
  row.set("id", TemplateValue::number(m.subscriber_id)).set("email", m.email);
  row.set("status", std::string(services::status_name(m.subscription.status)));
  row.set("confirmed", m.subscription.status == services::SubscriptionStatus::confirmed);
  row.set("created_at", format_utc(m.subscription.created_at));
  return row;
}

Page members_page(App& app, const SignedIn& who, const services::MailingList& list,
                  const http::FormFields& q) {
  Page p;
  p.title = "Subscribers of " + list.name;
  p.template_name = "subscribers";
  p.signed_in = &who;
  auto status = services::parse_status(q.get("status"));
  std::int64_t offset = std::max<std::int64_t>(0, number(q.get("offset")));
  p.data.set("list_id", TemplateValue::number(list.id)).set("list_name", list.name);
  p.data.set("can_change", can_edit(who)).set("status_filter", q.get("status"));
  auto counts = services::list_counts(app, who.account.id, list.id);
  if (counts.ok()) {
    p.data.set("pending", TemplateValue::number(counts->pending));
    p.data.set("confirmed_count", TemplateValue::number(counts->confirmed));
    p.data.set("unsubscribed", TemplateValue::number(counts->unsubscribed));
  }
  auto page = services::list_members(app, who.account.id, list.id, status, kPageSize, offset);
  TemplateValue::List rows;
  if (page.ok()) {
    for (const auto& m : page->members) rows.push_back(member_row(m));
    std::string filter = status ? "status=" + q.get("status") + "&" : "";
    if (offset + kPageSize < page->total) {
      p.data.set("next", "?" + filter + "offset=" + std::to_string(offset + kPageSize));
    }
    if (offset > 0) {
      p.data.set("previous", "?" + filter + "offset=" +
                                 std::to_string(std::max<std::int64_t>(0, offset - kPageSize)));
    }
  }
  p.data.set("members", std::move(rows));
  return p;
}

Response members(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto list = services::find_list(app, gate.who->account.id, number(req.param("id")));
  if (!list.ok()) return not_here(app, *gate.who);
  auto q = http::parse_query(req.query);
  Page p = members_page(app, *gate.who, *list, q.ok() ? *q : http::FormFields());
  if (q.ok() && q->has("added")) p.data.set("success", "Subscriber added.");
  return render(app, std::move(p));
}

services::NewSubscriber person_of(const http::FormFields& f) {
  services::NewSubscriber p;
  p.email = f.get("email");
  p.confirmed = f.get("mode") == "confirmed";
  p.source = f.get("source");
  p.basis = f.get("basis");
  for (const auto& [name, value] : f.all()) {
    if (name.starts_with("f_") && !value.empty()) p.fields[name.substr(2)] = value;
  }
  return p;
}

Response add(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  const SignedIn& who = *gate.who;
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (auto r = refuse_forgery(app, req, who, form.fields)) return *r;
  if (!can_edit(who)) return viewer_refused(app, who);
  auto list = services::find_list(app, who.account.id, number(req.param("id")));
  if (!list.ok()) return not_here(app, who);
  auto r = requester(req);
  auto added = services::add_subscriber(app, who.account.id, list->id, person_of(form.fields),
                                        {r.ip_address, r.user_agent, "", ""});
  if (added.ok()) {
    return Response::see_other("/lists/" + std::to_string(list->id) + "/subscribers?added=1");
  }
  Page p = members_page(app, who, *list, http::FormFields());
  add_error(p.data, added.error());
  keep_values(p.data, form.fields);
  p.status = status_for(added.error());
  return render(app, std::move(p));
}

TemplateValue event_row(const services::ConsentEvent& e) {
  TemplateValue row;
  row.set("kind", std::string(services::consent_kind_name(e.kind)));
  row.set("occurred_at", format_utc(e.occurred_at));
  row.set("ip_address", e.evidence.ip_address).set("user_agent", e.evidence.user_agent);
  row.set("referrer", e.evidence.referrer).set("form_url", e.evidence.form_url);
  row.set("source", e.source).set("basis", e.basis).set("digest", e.digest);
  row.set("form_digest", e.form_digest).set("form_wording", e.form_wording);
  row.set("message", e.message);
  return row;
}

TemplateValue subscription_block(std::int64_t subscriber_id,
                                 const services::SubscriptionRecord& s) {
  TemplateValue b;
  b.set("list_name", s.list_name).set("list_id", TemplateValue::number(s.subscription.list_id));
  b.set("status", std::string(services::status_name(s.subscription.status)));
  b.set("created_at", format_utc(s.subscription.created_at));
  b.set("confirmed_at", when(s.subscription.confirmed_at));
  b.set("unsubscribed_at", when(s.subscription.unsubscribed_at));
  TemplateValue::List events, receipts;
  for (const auto& e : s.events) events.push_back(event_row(e));
  for (const auto& r : s.receipts) {
    TemplateValue row;
    row.set("issued_at", format_utc(r.issued_at));
    row.set("href", "/subscribers/" + std::to_string(subscriber_id) + "/receipts/" +
                        std::to_string(r.id) + ".json");
    receipts.push_back(std::move(row));
  }
  b.set("events", std::move(events)).set("receipts", std::move(receipts));
  return b;
}

std::string bounce_label(const services::BounceEvent& e) {
  switch (e.kind) {
    case services::BounceKind::hard:
      return "Hard bounce";
    case services::BounceKind::soft:
      return e.counted_as_hard ? "Soft bounce, the limit reached: counted as hard" : "Soft bounce";
    case services::BounceKind::complaint:
      return "Complaint";
  }
  return "";
}

// The address's bounces and complaints (services/bounces), newest first, and when it last
// bounced hard.
void add_bounces(App& app, TemplateValue& data, std::int64_t account_id,
                 std::int64_t subscriber_id) {
  auto b = services::subscriber_bounces(app, account_id, subscriber_id);
  if (!b.ok()) return;
  TemplateValue::List rows;
  for (const auto& e : b->events) {
    TemplateValue row;
    row.set("kind", bounce_label(e)).set("occurred_at", format_utc(e.occurred_at));
    row.set("campaign", e.campaign_name).set("status_code", e.status_code);
    row.set("diagnostic", e.diagnostic);
    rows.push_back(std::move(row));
  }
  data.set("has_bounces", !rows.empty());
  data.set("bounce_events", std::move(rows));
  data.set("bounced_at", when(b->bounced_at));
}

// The subscriber's own opens and clicks of the last six months (services/subscriber_activity).
void add_activity(App& app, TemplateValue& data, std::int64_t account_id,
                  std::int64_t subscriber_id) {
  auto items = services::subscriber_activity(app, account_id, subscriber_id);
  if (!items.ok()) return;
  TemplateValue::List rows;
  for (const auto& a : *items) {
    TemplateValue row;
    row.set("kind", a.kind).set("at", format_utc(a.at)).set("campaign", a.campaign_name);
    row.set("url", a.url).set("machine", a.machine);
    rows.push_back(std::move(row));
  }
  data.set("has_activity", !rows.empty());
  data.set("activity", std::move(rows));
}

Response subscriber(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto rec = services::find_subscriber(app, gate.who->account.id, number(req.param("id")));
  if (!rec.ok()) return not_here(app, *gate.who);
  Page p;
  p.title = "Subscriber";
  p.template_name = "subscriber";
  p.signed_in = &*gate.who;
  p.data.set("id", TemplateValue::number(rec->id)).set("email", rec->email);
  p.data.set("fields_json", rec->fields_json).set("created_at", format_utc(rec->created_at));
  p.data.set("can_change", can_edit(*gate.who));
  auto q = http::parse_query(req.query);
  p.data.set("confirm_delete", q.ok() && q->has("delete"));
  TemplateValue::List subs;
  for (const auto& s : rec->subscriptions) subs.push_back(subscription_block(rec->id, s));
  p.data.set("subscriptions", std::move(subs));
  add_bounces(app, p.data, gate.who->account.id, rec->id);
  add_activity(app, p.data, gate.who->account.id, rec->id);
  return render(app, std::move(p));
}

Response receipt(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  std::string file = req.param("receipt");
  if (!file.ends_with(".json")) return not_here(app, *gate.who);
  auto r = services::find_receipt(app, gate.who->account.id, number(req.param("id")),
                                  number(file.substr(0, file.size() - 5)));
  if (!r.ok()) return not_here(app, *gate.who);
  auto out = Response::json(r->file_text());
  out.headers.set("Content-Disposition",
                  "attachment; filename=\"consent-receipt-" + std::to_string(r->id) + ".json\"");
  out.headers.set("Cache-Control", "no-store");
  return out;
}

Response remove(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (auto r = refuse_forgery(app, req, *gate.who, form.fields)) return *r;
  if (!can_edit(*gate.who)) return viewer_refused(app, *gate.who);
  auto done = services::erase_subscriber(app, gate.who->account.id, number(req.param("id")),
                                         services::ErasureVia::account);
  if (!done.ok()) return not_here(app, *gate.who);
  return message_page(app, 200, "Subscriber erased",
                      "The subscriber, their field values, subscriptions, consent records and "
                      "the record of campaigns sent to them are deleted. The address is kept "
                      "as a suppression (a keyed hash), so an import cannot add it back.",
                      &*gate.who);
}

// The subscriber's data as the data access portal would give it to them, for a request the
// account holder received directly: JSON (with consent receipts) or CSV.
Response export_one(App& app, const Request& req, bool csv) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto id = number(req.param("id"));
  auto holding = services::subscriber_holding(app, gate.who->account.id, id);
  if (!holding.ok()) return not_here(app, *gate.who);
  services::PortalView view{holding->email_as_held, {std::move(*holding)}};
  Response r;
  if (csv) {
    std::ostringstream out;
    services::write_portal_csv(view, app, out);
    r = Response::text(out.str());
    r.headers.set("Content-Type", "text/csv; charset=utf-8");
  } else {
    r = Response::json(services::holding_json(view.holdings.front(), app).dump(2) + "\n");
  }
  std::string name = "subscriber-" + std::to_string(id) + (csv ? ".csv" : ".json");
  r.headers.set("Content-Disposition", "attachment; filename=\"" + name + "\"");
  r.headers.set("Cache-Control", "no-store");
  return r;
}

}  // namespace

void add_subscriber_routes(http::Router& router, App& app) {
  router.get("/lists/{id}/subscribers", [&app](Request& r) { return members(app, r); });
  router.post("/lists/{id}/subscribers", [&app](Request& r) { return add(app, r); });
  router.get("/subscribers/{id}", [&app](Request& r) { return subscriber(app, r); });
  router.get("/subscribers/{id}/receipts/{receipt}",
             [&app](Request& r) { return receipt(app, r); });
  router.post("/subscribers/{id}/delete", [&app](Request& r) { return remove(app, r); });
  router.get("/subscribers/{id}/export.json",
             [&app](Request& r) { return export_one(app, r, false); });
  router.get("/subscribers/{id}/export.csv",
             [&app](Request& r) { return export_one(app, r, true); });
}

}  // namespace sm::web
