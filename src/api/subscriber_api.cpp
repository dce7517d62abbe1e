// /api/v1/lists/{id}/subscribers, /api/v1/subscribers/{id} (with its export and erasure) and
// /api/v1/consent/verify.
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "api/api_support.hpp"
#include "api/routes.hpp"
#include "http/form.hpp"
#include "services/consent_receipt.hpp"
#include "services/portal.hpp"
#include "services/subscriber_activity.hpp"
#include "services/subscriber_erasure.hpp"
#include "services/subscriptions.hpp"

namespace sm::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;
using services::App;

Result<std::int64_t> id_in_path(const Request& req, const std::string& name) {
  if (auto id = path_id(req, name)) return *id;
  return make_error(Errc::not_found,
                    "There is nothing with that id; ids are positive whole "
                    "numbers from this API's answers.");
}

json optional_time(const std::optional<Millis>& t) { return t ? json(*t) : json(nullptr); }

json subscription_json(const services::Subscription& s) {
  return {{"id", s.id},
          {"list_id", s.list_id},
          {"status", services::status_name(s.status)},
          {"created_at", s.created_at},
          {"confirmed_at", optional_time(s.confirmed_at)},
          {"unsubscribed_at", optional_time(s.unsubscribed_at)}};
}

json event_json(const services::ConsentEvent& e) {
  json j = {{"id", e.id},
            {"kind", services::consent_kind_name(e.kind)},
            {"occurred_at", e.occurred_at},
            {"ip_address", e.evidence.ip_address},
            {"user_agent", e.evidence.user_agent},
            {"referrer", e.evidence.referrer},
            {"form_url", e.evidence.form_url},
            {"source", e.source},
            {"basis", e.basis},
            {"digest", e.digest}};
  if (e.form_version_id) {
    j["form"] = {{"digest", e.form_digest}, {"wording", e.form_wording}};
  }
  if (e.import_id) j["import_id"] = *e.import_id;
  if (!e.message.empty()) j["message"] = e.message;
  return j;
}

json receipt_json(const services::ConsentReceipt& r) {
  return {{"id", r.id},
          {"subscription_id", r.subscription_id},
          {"issued_at", r.issued_at},
          {"receipt", r.payload},
          {"signature", r.signature}};
}

Result<services::NewSubscriber> new_subscriber(const json& body) {
  services::NewSubscriber p;
  if (!body.contains("email") || !body["email"].is_string()) {
    return field_error("email", "Send the address as \"email\": \"name@example.org\".");
  }
  p.email = body["email"].get<std::string>();
  if (body.contains("fields")) {
    if (!body["fields"].is_object()) {
      return field_error("fields", "\"fields\" must be an object of field keys to values.");
    }
    for (const auto& [key, value] : body["fields"].items()) {
      p.fields[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  p.confirmed = body.value("confirmed", false);
  if (body.contains("source") && body["source"].is_string()) p.source = body["source"];
  if (body.contains("basis") && body["basis"].is_string()) p.basis = body["basis"];
  return p;
}

services::Evidence requester_evidence(const Request& req) {
  return {req.remote_ip, std::string(req.user_agent().substr(0, 500)), "", ""};
}

Response add(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto list = id_in_path(req, "id");
  if (!list.ok()) return problem(list.error());
  auto body = json_body(req);
  if (!body.ok()) return problem(body.error());
  auto person = new_subscriber(*body);
  if (!person.ok()) return problem(person.error());
  auto added = services::add_subscriber(app, *account, *list, *person, requester_evidence(req));
  if (!added.ok()) return problem(added.error());
  bool confirmed = added->status == services::SubscriptionStatus::confirmed;
  return json_reply({{"subscriber_id", added->subscriber_id},
                     {"subscription_id", added->subscription_id},
                     {"status", services::status_name(added->status)}},
                    confirmed ? 201 : 202);
}

Response list_members(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto list = id_in_path(req, "id");
  if (!list.ok()) return problem(list.error());
  auto q = http::parse_query(req.query);
  if (!q.ok()) return problem(q.error());
  std::optional<services::SubscriptionStatus> status;
  if (q->has("status")) {
    status = services::parse_status(q->get("status"));
    if (!status) {
      return problem(field_error("status", "status must be pending, confirmed or unsubscribed."));
    }
  }
  std::int64_t limit = 100, offset = 0;
  std::string l = q->get("limit");
  std::string o = q->get("offset");
  std::from_chars(l.data(), l.data() + l.size(), limit);
  std::from_chars(o.data(), o.data() + o.size(), offset);
  limit = std::clamp<std::int64_t>(limit, 1, 1000);
  offset = std::max<std::int64_t>(offset, 0);
  auto page = services::list_members(app, *account, *list, status, limit, offset);
  if (!page.ok()) return problem(page.error());
  json items = json::array();
  for (const auto& m : page->members) {
    json s = subscription_json(m.subscription);
    items.push_back(
        {{"subscriber_id", m.subscriber_id}, {"email", m.email}, {"subscription", std::move(s)}});
  }
  return json_reply({{"total", page->total},
                     {"limit", limit},
                     {"offset", offset},
                     {"subscribers", std::move(items)}});
}

// The subscriber's own opens and clicks of the last six months (none when tracking was off).
json activity_json(const std::vector<services::ActivityItem>& items) {
  json out = json::array();
  for (const auto& a : items) {
    json one = {{"kind", a.kind},
                {"at", a.at},
                {"campaign_id", a.campaign_id},
                {"campaign_name", a.campaign_name},
                {"machine", a.machine}};
    if (a.kind == "click") one["url"] = a.url;
    out.push_back(std::move(one));
  }
  return out;
}

Response get_subscriber(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = id_in_path(req, "id");
  if (!id.ok()) return problem(id.error());
  auto rec = services::find_subscriber(app, *account, *id);
  if (!rec.ok()) return problem(rec.error());
  json subs = json::array(), receipts = json::array();
  for (const auto& s : rec->subscriptions) {
    json one = subscription_json(s.subscription);
    one["list_name"] = s.list_name;
    one["list_public_id"] = s.list_public_id;
    one["consent_record"] = json::array();
    for (const auto& e : s.events) one["consent_record"].push_back(event_json(e));
    subs.push_back(std::move(one));
    for (const auto& r : s.receipts) receipts.push_back(receipt_json(r));
  }
  json fields = json::parse(rec->fields_json, nullptr, false);
  auto activity = services::subscriber_activity(app, *account, *id);
  if (!activity.ok()) return problem(activity.error());
  return json_reply({{"id", rec->id},
                     {"email", rec->email},
                     {"fields", fields.is_discarded() ? json::object() : fields},
                     {"created_at", rec->created_at},
                     {"updated_at", rec->updated_at},
                     {"subscriptions", std::move(subs)},
                     {"receipts", std::move(receipts)},
                     {"activity", activity_json(*activity)}});
}

Response delete_subscriber(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = id_in_path(req, "id");
  if (!id.ok()) return problem(id.error());
  // An erasure: the data goes, a suppression (a keyed hash) stays, the dashboard counts it.
  auto done = services::erase_subscriber(app, *account, *id, services::ErasureVia::account);
  if (!done.ok()) return problem(done.error());
  Response r;
  r.status = 204;
  return r;
}

// What the data access portal would show the person for this account, for a request the
// account holder received directly.
Response export_subscriber(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = id_in_path(req, "id");
  if (!id.ok()) return problem(id.error());
  auto holding = services::subscriber_holding(app, *account, *id);
  if (!holding.ok()) return problem(holding.error());
  return json_reply(services::holding_json(*holding, app));
}

// Checks a receipt against this installation's public key. Any key holder could do the same
// offline; this is a convenience for API users.
Response verify(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto facts = services::verify_receipt(req.body, app.keys->signing_public_key_bytes());
  if (!facts.ok()) return json_reply({{"valid", false}, {"reason", facts.error().message}});
  return json_reply({{"valid", true}, {"receipt", *facts}});
}

}  // namespace

void add_subscriber_api(http::Router& router, App& app) {
  router.post("/api/v1/lists/{id}/subscribers", [&app](Request& r) { return add(app, r); });
  router.get("/api/v1/lists/{id}/subscribers", [&app](Request& r) { return list_members(app, r); });
  router.get("/api/v1/subscribers/{id}", [&app](Request& r) { return get_subscriber(app, r); });
  router.get("/api/v1/subscribers/{id}/export",
             [&app](Request& r) { return export_subscriber(app, r); });
  router.add(http::Method::del, "/api/v1/subscribers/{id}",
             [&app](Request& r) { return delete_subscriber(app, r); });
  router.post("/api/v1/consent/verify", [&app](Request& r) { return verify(app, r); });
}

}  // namespace sm::api
