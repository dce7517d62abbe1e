// /api/v1/campaigns: composing, test sends and sending, with the same rules as the web pages
// (services/campaigns.hpp, services/sending.hpp), for programs holding an API key of the
// account.
#include <nlohmann/json.hpp>
#include <optional>

#include "api/api_support.hpp"
#include "api/routes.hpp"
#include "core/text.hpp"
#include "core/time_text.hpp"
#include "services/campaigns.hpp"
#include "services/sending.hpp"

namespace sm::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;
using services::App;
using services::Campaign;
using services::CampaignForm;

Error no_such_campaign() {
  return make_error(Errc::not_found,
                    "There is no such campaign in this account; GET /api/v1/campaigns for the "
                    "ids.");
}

Response not_found_or(const Error& e) {
  return problem(e.code == Errc::not_found ? no_such_campaign() : e);
}

json optional_time(const std::optional<Millis>& t) { return t ? json(*t) : json(nullptr); }

json campaign_json(App& app, const Campaign& c, bool with_content) {
  json lists = json::array();
  json list_ids = json::array();
  for (const auto& l : c.lists) {
    lists.push_back({{"id", l.id}, {"name", l.name}});
    list_ids.push_back(l.id);
  }
  json j = {{"id", c.id},
            {"name", c.name},
            {"subject", c.subject},
            {"preheader", c.preheader},
            {"from_name", c.from_name},
            {"from_email", c.from_email},
            {"reply_to", c.reply_to},
            {"body_format", std::string(services::body_format_name(c.body_format))},
            {"text_edited", c.text_edited},
            {"web_version", c.web_version},
            {"rate_per_minute", c.rate_per_minute},
            {"list_ids", list_ids},
            {"lists", lists},
            {"status", std::string(services::campaign_status_name(c.status))},
            {"scheduled_at", optional_time(c.scheduled_at)},
            {"started_at", optional_time(c.started_at)},
            {"finished_at", optional_time(c.finished_at)},
            {"created_at", c.created_at},
            {"updated_at", c.updated_at}};
  if (with_content) {
    j["body"] = c.body;
    j["text"] = c.text;
  }
  if (c.web_version) j["web_version_url"] = services::web_version_url(app, c);
  return j;
}

json progress_json(const services::SendingProgress& p) {
  return {{"total", p.total},     {"queued", p.queued},
          {"sending", p.sending}, {"sent", p.sent},
          {"failed", p.failed},   {"bounced", p.bounced},
          {"unknown", p.unknown}, {"sent_last_minute", p.sent_last_minute},
          {"note", p.note}};
}

Status read_string(const json& body, const char* name, std::string* out) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_string()) return field_error(name, std::string("\"") + name + "\" must be a string.");
  *out = it->get<std::string>();
  return {};
}

Status read_bool(const json& body, const char* name, bool* out) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_boolean()) {
    return field_error(name, std::string("\"") + name + "\" must be true or false.");
  }
  *out = it->get<bool>();
  return {};
}

Status read_lists(const json& body, std::vector<std::int64_t>* out) {
  auto it = body.find("list_ids");
  if (it == body.end() || it->is_null()) return {};
  const Error wrong = field_error("list_ids", "\"list_ids\" must be an array of list ids.");
  if (!it->is_array()) return wrong;
  out->clear();
  for (const auto& id : *it) {
    if (!id.is_number_integer()) return wrong;
    out->push_back(id.get<std::int64_t>());
  }
  return {};
}

// The body: "markdown": "..." or "html": "..." (the short form), or "body_format" with "body".
Status read_body(const json& body, CampaignForm* f) {
  for (auto [name, format] : {std::pair{"markdown", services::BodyFormat::markdown},
                              {"html", services::BodyFormat::html}}) {
    if (!body.contains(name)) continue;
    SM_TRY(read_string(body, name, &f->body));
    f->body_format = format;
    return {};
  }
  std::string format;
  SM_TRY(read_string(body, "body_format", &format));
  if (!format.empty()) {
    auto parsed = services::parse_body_format(format);
    if (!parsed) {
      return field_error("body_format", "\"body_format\" is \"markdown\" or \"html\".");
    }
    f->body_format = *parsed;
  }
  return read_string(body, "body", &f->body);
}

// Copies the members present in `body` over `f`: a new campaign starts empty, an update
// starts from the campaign as it is.
Status read_form(const json& body, CampaignForm* f) {
  SM_TRY(read_string(body, "name", &f->name));
  SM_TRY(read_string(body, "subject", &f->subject));
  SM_TRY(read_string(body, "preheader", &f->preheader));
  SM_TRY(read_string(body, "from_name", &f->from_name));
  SM_TRY(read_string(body, "from_email", &f->from_email));
  SM_TRY(read_string(body, "reply_to", &f->reply_to));
  SM_TRY(read_body(body, f));
  // A "text" given is the author's own; "text_edited": false goes back to a generated one.
  if (body.contains("text") && !body["text"].is_null()) {
    SM_TRY(read_string(body, "text", &f->text));
    f->text_edited = true;
  }
  SM_TRY(read_bool(body, "text_edited", &f->text_edited));
  SM_TRY(read_bool(body, "web_version", &f->web_version));
  if (auto it = body.find("rate_per_minute"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return field_error("rate_per_minute", "\"rate_per_minute\" must be a whole number.");
    }
    f->rate_per_minute = it->get<std::int64_t>();
  }
  return read_lists(body, &f->list_ids);
}

json saved_json(App& app, const services::SavedCampaign& s) {
  json j = campaign_json(app, s.campaign, true);
  j["removed"] = s.removed;
  return j;
}

Response create_campaign(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto body = json_body(req);
  if (!body.ok()) return problem(body.error());
  CampaignForm f;
  if (auto s = read_form(*body, &f); !s.ok()) return problem(s.error());
  auto made = services::create_campaign(app, *account, f);
  if (!made.ok()) return problem(made.error());
  Response r = json_reply(saved_json(app, *made), 201);
  r.headers.set("Location", "/api/v1/campaigns/" + std::to_string(made->campaign.id));
  return r;
}

Response all_campaigns(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto campaigns = services::account_campaigns(app, *account);
  if (!campaigns.ok()) return problem(campaigns.error());
  json out = json::array();
  for (const auto& c : *campaigns) out.push_back(campaign_json(app, c, false));
  return json_reply({{"campaigns", out}});
}

// The campaign of the path within the key's account, or the reply to send instead.
struct Found {
  std::int64_t account = 0;
  std::optional<Campaign> campaign;
  std::optional<Response> refusal;
};

Found found_campaign(App& app, const Request& req) {
  Found f;
  auto account = authenticate(app, req);
  if (!account.ok()) return {0, std::nullopt, problem(account.error())};
  f.account = *account;
  auto id = path_id(req);
  if (!id) return {f.account, std::nullopt, problem(no_such_campaign())};
  auto c = services::find_campaign(app, f.account, *id);
  if (!c.ok()) return {f.account, std::nullopt, not_found_or(c.error())};
  f.campaign = std::move(*c);
  return f;
}

Response one_campaign(App& app, const Request& req) {
  auto f = found_campaign(app, req);
  if (f.refusal) return *f.refusal;
  json j = campaign_json(app, *f.campaign, true);
  auto progress = services::campaign_progress(app, f.account, f.campaign->id);
  if (progress.ok()) j["progress"] = progress_json(*progress);
  return json_reply(j);
}

Response update_campaign(App& app, const Request& req) {
  auto f = found_campaign(app, req);
  if (f.refusal) return *f.refusal;
  auto body = json_body(req);
  if (!body.ok()) return problem(body.error());
  CampaignForm form = f.campaign->form();
  if (auto s = read_form(*body, &form); !s.ok()) return problem(s.error());
  auto saved = services::update_campaign(app, f.account, f.campaign->id, form);
  if (!saved.ok()) return not_found_or(saved.error());
  return json_reply(saved_json(app, *saved));
}

Response remove_campaign(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = path_id(req);
  if (!id) return problem(no_such_campaign());
  auto done = services::delete_campaign(app, *account, *id);
  if (!done.ok()) return not_found_or(done.error());
  Response r;
  r.status = 204;
  return r;
}

Response send_test(App& app, const Request& req) {
  auto f = found_campaign(app, req);
  if (f.refusal) return *f.refusal;
  auto body = json_body(req);
  if (!body.ok()) return problem(body.error());
  // "addresses", or "emails" as the issue first named it.
  const char* member = body->contains("addresses") ? "addresses" : "emails";
  auto it = body->find(member);
  std::vector<std::string> addresses;
  bool strings = it != body->end() && it->is_array();
  if (strings) {
    for (const auto& a : *it) {
      if (!a.is_string()) strings = false;
      if (a.is_string()) addresses.push_back(a.get<std::string>());
    }
  }
  if (!strings) {
    return problem(
        field_error("addresses", "Send the test addresses as \"addresses\", an array of up to " +
                                     std::to_string(services::kMaxTestAddresses) + " strings."));
  }
  auto sent = services::send_test(app, f.account, f.campaign->id, addresses);
  if (!sent.ok()) {
    Error e = sent.take_error();
    if (e.field == "emails") e.field = member;
    return not_found_or(e);
  }
  return json_reply({{"sent", addresses.size()}});
}

// "at": an RFC 3339 time ("2026-12-24T09:00:00Z") or epoch milliseconds; absent: now.
Result<std::optional<Millis>> send_time(const Request& req) {
  if (trim_whitespace(req.body).empty()) return std::optional<Millis>{};
  auto body = json_body(req);
  if (!body.ok()) return body.take_error();
  auto it = body->find("at");
  if (it == body->end() || it->is_null()) return std::optional<Millis>{};
  if (it->is_number_integer()) return std::optional<Millis>{it->get<Millis>()};
  if (it->is_string()) {
    if (auto at = parse_rfc3339(it->get<std::string>())) return std::optional<Millis>{*at};
  }
  return field_error("at",
                     "\"at\" is a time like \"2026-12-24T09:00:00Z\" (RFC 3339, with a zone) or "
                     "epoch milliseconds.");
}

Response send(App& app, const Request& req) {
  auto f = found_campaign(app, req);
  if (f.refusal) return *f.refusal;
  auto at = send_time(req);
  if (!at.ok()) return problem(at.error());
  auto started = services::start_campaign(app, f.account, f.campaign->id, *at);
  if (!started.ok()) return not_found_or(started.error());
  auto now = services::find_campaign(app, f.account, f.campaign->id);
  if (!now.ok()) return problem(now.error());
  return json_reply(campaign_json(app, *now, false), 202);
}

using StateChange = Status (*)(App&, std::int64_t, std::int64_t);

Response change_state(App& app, const Request& req, StateChange change) {
  auto f = found_campaign(app, req);
  if (f.refusal) return *f.refusal;
  auto done = change(app, f.account, f.campaign->id);
  if (!done.ok()) return not_found_or(done.error());
  auto now = services::find_campaign(app, f.account, f.campaign->id);
  if (!now.ok()) return problem(now.error());
  return json_reply(campaign_json(app, *now, false));
}

Response requeue(App& app, const Request& req) {
  auto f = found_campaign(app, req);
  if (f.refusal) return *f.refusal;
  auto n = services::requeue_unknown(app, f.account, f.campaign->id);
  if (!n.ok()) return not_found_or(n.error());
  return json_reply({{"requeued", *n}});
}

}  // namespace

void add_campaign_api(http::Router& router, App& app) {
  // A body may be up to 1 MB of Markdown or HTML, and its text part as much again.
  http::RouteOptions big;
  big.max_body_bytes = 3 * 1024 * 1024;
  router.post(
      "/api/v1/campaigns", [&app](Request& r) { return create_campaign(app, r); }, big);
  router.get("/api/v1/campaigns", [&app](Request& r) { return all_campaigns(app, r); });
  router.get("/api/v1/campaigns/{id}", [&app](Request& r) { return one_campaign(app, r); });
  router.add(
      http::Method::put, "/api/v1/campaigns/{id}",
      [&app](Request& r) { return update_campaign(app, r); }, big);
  router.add(http::Method::del, "/api/v1/campaigns/{id}",
             [&app](Request& r) { return remove_campaign(app, r); });
  router.post("/api/v1/campaigns/{id}/test", [&app](Request& r) { return send_test(app, r); });
  router.post("/api/v1/campaigns/{id}/send", [&app](Request& r) { return send(app, r); });
  router.post("/api/v1/campaigns/{id}/pause",
              [&app](Request& r) { return change_state(app, r, services::pause_campaign); });
  router.post("/api/v1/campaigns/{id}/resume",
              [&app](Request& r) { return change_state(app, r, services::resume_campaign); });
  router.post("/api/v1/campaigns/{id}/cancel",
              [&app](Request& r) { return change_state(app, r, services::cancel_campaign); });
  router.post("/api/v1/campaigns/{id}/requeue-unknown",
              [&app](Request& r) { return requeue(app, r); });
}

}  // namespace sm::api
