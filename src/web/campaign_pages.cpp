// Campaigns, for signed-in account holders: the list of campaigns, the composer, a campaign's
// page with its preview, and the two public views: the web version (/w/{public_id}) and the
// page sample links of a test send lead to (/sample/...). Sending and its progress are in
// campaign_sending_pages.cpp.
//
// The preview runs nothing on our origin: the page frames /campaigns/{id}/preview in an
// <iframe sandbox>, and that response's own Content-Security-Policy sandboxes it again (an
// opaque origin, no script, no forms), so a campaign that slipped past the sanitiser still
// could not read the account's pages. The web version is served sandboxed too, and loads
// nothing from other sites.
#include <algorithm>
#include <optional>

#include "core/text.hpp"
#include "core/time_text.hpp"
#include "services/campaign_content.hpp"
#include "services/campaign_message.hpp"
#include "services/campaigns.hpp"
#include "services/lists.hpp"
#include "services/sending.hpp"
#include "services/sending_domains.hpp"
#include "services/subscriber_fields.hpp"
#include "web/campaign_page_support.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;
using services::Campaign;
using services::CampaignForm;
using services::CampaignStatus;

// The preview frame: sandboxed (an opaque origin: no script, no forms, no navigation of the
// page around it), script and plugins refused again by name, images from https and data:
// URLs as a mail client would show them, inline styles. default-src stays 'self' as on every
// page (DESIGN.md), which for a sandboxed document reaches nothing of the account's.
constexpr const char* kPreviewCsp =
    "sandbox; default-src 'self'; script-src 'none'; object-src 'none'; "
    "img-src https: data:; style-src 'unsafe-inline'; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'";
// The public web version loads nothing from another origin (DESIGN.md's privacy invariant):
// images hosted elsewhere are not shown there.
constexpr const char* kWebVersionCsp =
    "sandbox; default-src 'self'; script-src 'none'; object-src 'none'; img-src 'self' data:; "
    "style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

Response not_found(App& app, const SignedIn& who) {
  return message_page(app, 404, "No such campaign",
                      "This account has no such campaign. Open Campaigns to see the ones it "
                      "has.",
                      &who);
}

Response read_only(App& app, const SignedIn& who) {
  return message_page(app, 403, "Not allowed",
                      "Viewers can look at campaigns but not change or send them. Ask an owner "
                      "of the account to make you an editor.",
                      &who);
}

bool has_flag(const Request& req, const char* name) {
  auto q = http::parse_query(req.query);
  return q.ok() && q->has(name);
}

// ---------------------------------------------------------------------------------------------
// The list

TemplateValue campaign_row(const Campaign& c) {
  TemplateValue v;
  v.set("id", TemplateValue::number(c.id)).set("name", c.name).set("subject", c.subject);
  v.set("status", status_label(c.status)).set("status_ok", status_ok(c.status));
  std::string lists;
  for (const auto& l : c.lists) lists += (lists.empty() ? "" : ", ") + l.name;
  v.set("lists", lists);
  Millis when =
      c.finished_at.value_or(c.started_at.value_or(c.scheduled_at.value_or(c.updated_at)));
  v.set("when", format_utc(when));
  return v;
}

Response campaigns_index(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  const SignedIn& who = *gate.who;
  auto campaigns = services::account_campaigns(app, who.account.id);
  if (!campaigns.ok()) return message_page(app, 503, "Try again", campaigns.error().message, &who);
  Page p = signed_in_page(who, "Campaigns", "campaigns");
  TemplateValue::List rows;
  for (const auto& c : *campaigns) rows.push_back(campaign_row(c));
  p.data.set("has_campaigns", !rows.empty());
  p.data.set("campaigns", std::move(rows));
  if (has_flag(req, "deleted")) p.data.set("success", "Campaign deleted.");
  return render(app, std::move(p));
}

// ---------------------------------------------------------------------------------------------
// The composer

CampaignForm form_of(const http::FormFields& f) {
  CampaignForm c;
  c.name = f.get("name");
  c.subject = f.get("subject");
  c.preheader = f.get("preheader");
  c.from_name = f.get("from_name");
  std::string local(trim_whitespace(f.get("from_local")));
  std::string domain(trim_whitespace(f.get("from_domain")));
  // A whole address typed into the first box is taken as it is.
  c.from_email =
      local.find('@') != std::string::npos || local.empty() ? local : local + "@" + domain;
  c.reply_to = f.get("reply_to");
  c.body_format =
      services::parse_body_format(f.get("body_format")).value_or(services::BodyFormat::markdown);
  c.body = f.get("body");
  c.text = f.get("text");
  c.text_edited = f.get("text_edited") == "1";
  c.web_version = f.get("web_version") == "1";
  std::string rate(trim_whitespace(f.get("rate_per_minute")));
  c.rate_per_minute = rate.empty() ? 0 : (rate == "0" ? 0 : parse_id(rate).value_or(-1));
  for (const auto& id : f.get_all("list_ids")) {
    if (auto n = parse_id(id)) c.list_ids.push_back(*n);
  }
  return c;
}

TemplateValue::List domain_choices(App& app, const SignedIn& who, const std::string& chosen,
                                   bool& any_verified) {
  TemplateValue::List out;
  auto domains = services::account_sending_domains(app, who.account.id);
  if (!domains.ok()) return out;
  for (const auto& d : *domains) {
    if (!d.verified()) continue;
    any_verified = true;
    TemplateValue v;
    v.set("domain", d.domain).set("selected", d.domain == chosen);
    out.push_back(std::move(v));
  }
  return out;
}

TemplateValue::List list_choices(App& app, const SignedIn& who, const CampaignForm& f) {
  TemplateValue::List out;
  auto lists = services::account_lists(app, who.account.id);
  if (!lists.ok()) return out;
  for (const auto& l : *lists) {
    bool chosen = std::find(f.list_ids.begin(), f.list_ids.end(), l.id) != f.list_ids.end();
    TemplateValue v;
    v.set("id", TemplateValue::number(l.id)).set("name", l.name).set("checked", chosen);
    auto counts = services::list_counts(app, who.account.id, l.id);
    if (counts.ok()) v.set("confirmed", TemplateValue::number(counts->confirmed));
    out.push_back(std::move(v));
  }
  return out;
}

TemplateValue::List tag_help(App& app, const SignedIn& who) {
  TemplateValue::List out;
  auto fields = services::account_fields(app, who.account.id);
  if (fields.ok()) {
    for (const auto& f : *fields) {
      TemplateValue v;
      v.set("tag", "{{subscriber." + f.key + "}}").set("what", f.label);
      out.push_back(std::move(v));
    }
  }
  for (auto name : services::campaign_tag_names()) {
    TemplateValue v;
    v.set("tag", "{{" + std::string(name) + "}}");
    out.push_back(std::move(v));
  }
  return out;
}

void set_form_values(App& app, const SignedIn& who, TemplateValue& d, const CampaignForm& f) {
  d.set("name_value", f.name).set("subject_value", f.subject);
  d.set("preheader_value", f.preheader).set("from_name_value", f.from_name);
  const std::size_t at = f.from_email.rfind('@');
  d.set("from_local_value", at == std::string::npos ? f.from_email : f.from_email.substr(0, at));
  const std::string domain = at == std::string::npos ? "" : f.from_email.substr(at + 1);
  bool any_verified = false;
  d.set("domains", domain_choices(app, who, domain, any_verified));
  d.set("has_verified_domains", any_verified);
  d.set("reply_to_value", f.reply_to);
  d.set("format_markdown", f.body_format == services::BodyFormat::markdown);
  d.set("format_html", f.body_format == services::BodyFormat::html);
  d.set("body_value", f.body).set("text_value", f.text);
  d.set("text_edited", f.text_edited).set("web_version", f.web_version);
  d.set("rate_per_minute_value", TemplateValue::number(f.rate_per_minute));
  TemplateValue::List lists = list_choices(app, who, f);
  d.set("has_lists", !lists.empty());
  d.set("lists", std::move(lists));
  d.set("tags", tag_help(app, who));
}

Page form_page(App& app, const SignedIn& who, const Campaign* existing, const CampaignForm& f) {
  Page p =
      signed_in_page(who, existing ? "Edit " + existing->name : "New campaign", "campaign_form");
  p.data.set("is_new", existing == nullptr);
  p.data.set("action",
             existing ? campaign_path(existing->id) + "/edit" : std::string("/campaigns/new"));
  if (existing) p.data.set("id", TemplateValue::number(existing->id)).set("name", existing->name);
  set_form_values(app, who, p.data, f);
  return p;
}

Response refused_form(App& app, const SignedIn& who, const Campaign* existing,
                      const CampaignForm& f, const Error& e) {
  Page p = form_page(app, who, existing, f);
  add_error(p.data, e);
  p.status = status_for(e);
  return render(app, std::move(p));
}

Response new_campaign_form(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  if (!can_edit(*gate.who)) return read_only(app, *gate.who);
  CampaignForm f;
  f.from_name = gate.who->account.details.organisation;
  return render(app, form_page(app, *gate.who, nullptr, f));
}

Response create_campaign(App& app, const Request& req) {
  auto c = begin_campaign_change(app, req);
  if (c.refusal) return *c.refusal;
  CampaignForm f = form_of(c.form);
  auto made = services::create_campaign(app, c.who->account.id, f);
  if (!made.ok()) return refused_form(app, *c.who, nullptr, f, made.error());
  return Response::see_other(campaign_path(made->campaign.id) + "?created=1");
}

Response edit_campaign_form(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto found = campaign_of(app, req, *gate.who);
  if (found.refusal) return *found.refusal;
  if (!can_edit(*gate.who)) return read_only(app, *gate.who);
  if (!found.campaign->editable()) return Response::see_other(campaign_path(found.campaign->id));
  return render(app, form_page(app, *gate.who, &*found.campaign, found.campaign->form()));
}

Response update_campaign(App& app, const Request& req) {
  auto c = begin_campaign_change(app, req);
  if (c.refusal) return *c.refusal;
  auto found = campaign_of(app, req, *c.who);
  if (found.refusal) return *found.refusal;
  CampaignForm f = form_of(c.form);
  auto saved = services::update_campaign(app, c.who->account.id, found.campaign->id, f);
  if (!saved.ok()) return refused_form(app, *c.who, &*found.campaign, f, saved.error());
  return Response::see_other(campaign_path(found.campaign->id) + "?saved=1");
}

// ---------------------------------------------------------------------------------------------
// A campaign's page

TemplateValue campaign_value(App& app, const Campaign& c) {
  TemplateValue v = campaign_row(c);
  // Mustache shows a section for any string, even an empty one, so empty values are not set.
  if (!c.preheader.empty()) v.set("preheader", c.preheader);
  if (!c.reply_to.empty()) v.set("reply_to", c.reply_to);
  if (c.lists.empty()) v.set("lists", false);
  v.set("from_name", c.from_name).set("from_email", c.from_email);
  v.set("format", std::string(services::body_format_name(c.body_format)));
  v.set("editable", c.editable()).set("deletable", c.deletable());
  v.set("draft", c.status == CampaignStatus::draft);
  v.set("scheduled", c.status == CampaignStatus::scheduled);
  v.set("startable", c.editable());
  v.set("has_progress", !c.editable() || c.started_at.has_value());
  if (c.scheduled_at) {
    v.set("scheduled_at", format_utc(*c.scheduled_at));
    v.set("scheduled_at_value", format_datetime_local(*c.scheduled_at));
  }
  v.set("rate", c.rate_per_minute == 0 ? std::string("as fast as the relay allows")
                                       : std::to_string(c.rate_per_minute) + " per minute");
  const bool published =
      c.web_version && (c.status == CampaignStatus::sending || c.status == CampaignStatus::paused ||
                        c.status == CampaignStatus::sent);
  v.set("web_version", c.web_version);
  if (published) v.set("web_version_url", services::web_version_url(app, c));
  return v;
}

// What the campaign's page says about sending it: ready, or the sentence saying what is
// missing; and what sanitising removed from the body.
void set_readiness(App& app, const Campaign& c, TemplateValue& v) {
  auto shown = services::compile_for_display(app, c.account_id, c.id);
  if (shown.ok()) {
    auto display = services::render_display(app, *shown, services::Display::preview);
    if (display.ok()) {
      TemplateValue::List removed;
      for (const auto& r : display->removed) removed.push_back(TemplateValue(r));
      v.set("has_removed", !removed.empty());
      v.set("removed", std::move(removed));
      v.set("preview_subject", display->subject);
      v.set("preview_text", display->text);
    }
  }
  if (!c.editable()) return;
  // Why the service sent a scheduled campaign back to draft, if it did.
  auto progress = services::campaign_progress(app, c.account_id, c.id);
  if (progress.ok() && !progress->note.empty()) v.set("note", progress->note);
  std::string problem;
  if (c.lists.empty()) problem = "Choose at least one list to send the campaign to.";
  auto sendable = services::check_campaign_sendable(app, c.account_id, c.id);
  if (!sendable.ok()) problem = sendable.error().message;
  v.set("ready", problem.empty());
  v.set("not_ready", problem);
}

Page campaign_page(App& app, const SignedIn& who, const Campaign& c) {
  Page p = signed_in_page(who, c.name, "campaign");
  TemplateValue v = campaign_value(app, c);
  set_readiness(app, c, v);
  v.set("now_value", format_datetime_local(app.now() + kHour));
  v.set("max_test_addresses", TemplateValue::number(5));
  p.data.set("campaign", std::move(v));
  return p;
}

Response campaign_overview(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto found = campaign_of(app, req, *gate.who);
  if (found.refusal) return *found.refusal;
  Page p = campaign_page(app, *gate.who, *found.campaign);
  if (has_flag(req, "created")) p.data.set("success", "Campaign saved as a draft.");
  if (has_flag(req, "saved")) p.data.set("success", "Campaign saved.");
  if (has_flag(req, "copied")) p.data.set("success", "This is a new draft copied from the other.");
  if (has_flag(req, "tested")) p.data.set("success", "Test sent. Check the inboxes.");
  if (has_flag(req, "scheduled")) p.data.set("success", "Campaign scheduled.");
  return render(app, std::move(p));
}

// The HTML part as the preview frame shows it: sample values and sample links, sandboxed.
Response campaign_preview(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto found = campaign_of(app, req, *gate.who);
  if (found.refusal) return *found.refusal;
  auto shown = services::compile_for_display(app, gate.who->account.id, found.campaign->id);
  Result<services::DisplayedMessage> display =
      shown.ok() ? services::render_display(app, *shown, services::Display::preview)
                 : Result<services::DisplayedMessage>(shown.error());
  Response r = display.ok()
                   ? Response::html(display->html)
                   : Response::html("<!DOCTYPE html><p>" + display.error().message + "</p>", 422);
  r.headers.set("Content-Security-Policy", kPreviewCsp);
  r.headers.set("Cache-Control", "no-store");
  return r;
}

Response delete_campaign_form(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto found = campaign_of(app, req, *gate.who);
  if (found.refusal) return *found.refusal;
  if (!can_edit(*gate.who)) return read_only(app, *gate.who);
  Page p = campaign_page(app, *gate.who, *found.campaign);
  p.title = "Delete " + found.campaign->name;
  p.data.set("confirm_delete", true);
  return render(app, std::move(p));
}

Response delete_campaign(App& app, const Request& req) {
  auto c = begin_campaign_change(app, req);
  if (c.refusal) return *c.refusal;
  auto found = campaign_of(app, req, *c.who);
  if (found.refusal) return *found.refusal;
  // Only the confirmation's button sends confirm=yes; anything else asks first.
  if (c.form.get("confirm") != "yes") {
    return Response::see_other(campaign_path(found.campaign->id) + "/delete");
  }
  auto done = services::delete_campaign(app, c.who->account.id, found.campaign->id);
  if (done.ok()) return Response::see_other("/campaigns?deleted=1");
  return message_page(app, status_for(done.error()), "Not deleted", done.error().message, &*c.who);
}

Response duplicate_campaign(App& app, const Request& req) {
  auto c = begin_campaign_change(app, req);
  if (c.refusal) return *c.refusal;
  auto found = campaign_of(app, req, *c.who);
  if (found.refusal) return *found.refusal;
  auto copy = services::duplicate_campaign(app, c.who->account.id, found.campaign->id);
  if (copy.ok()) return Response::see_other(campaign_path(copy->campaign.id) + "?copied=1");
  return message_page(app, status_for(copy.error()), "Not copied", copy.error().message, &*c.who);
}

// ---------------------------------------------------------------------------------------------
// Public views: no session, no cookie.

// A note at the top of the web version when it had images from elsewhere, which are not
// loaded on our origin.
std::string with_image_note(std::string html) {
  if (html.find("src=\"http") == std::string::npos) return html;
  const std::string note =
      "<p style=\"font:13px Arial,sans-serif;color:#444;background:#f4f4f4;padding:8px;"
      "margin:0 0 16px 0\">Images from other sites are not loaded on this page, so that no "
      "other site learns you read it.</p>\n";
  std::size_t body = html.find("<body>");
  if (body != std::string::npos) html.insert(body + 6, "\n" + note);
  return html;
}

Response web_version(App& app, const Request& req) {
  auto none = [&] {
    return message_page(app, 404, "No such page",
                        "There is no published web version at this address. It may have been "
                        "withdrawn by the sender.");
  };
  auto c = services::find_web_version(app, req.param("id"));
  if (!c.ok())
    return c.error().code == Errc::not_found
               ? none()
               : message_page(app, 503, "Try again", c.error().message);
  auto shown = services::compile_for_display(app, c->account_id, c->id);
  if (!shown.ok()) return none();
  auto display = services::render_display(app, *shown, services::Display::web_version);
  if (!display.ok()) return none();
  Response r = Response::html(with_image_note(std::move(display->html)));
  r.headers.set("Content-Security-Policy", kWebVersionCsp);
  return r;
}

// Where the links of a test send lead: they do nothing, and say so.
Response sample_link(App& app, const Request& req) {
  std::string which = req.param("which");
  std::string what = which == "unsubscribe"   ? "unsubscribes the recipient at once"
                     : which == "preferences" ? "opens the recipient's preferences"
                     : which == "web-version" ? "opens the published web version"
                                              : "works for the recipient";
  return message_page(app, 200, "This was a test message",
                      "This link is a sample in a test send. In the campaign itself, it " + what +
                          ". Nothing has changed.");
}

}  // namespace

CampaignChange begin_campaign_change(App& app, const Request& req) {
  CampaignChange c;
  auto gate = require_signed_in(app, req);
  if (!gate.who) {
    c.refusal = gate.refusal;
    return c;
  }
  c.who = std::move(gate.who);
  auto form = read_form(app, req);
  if (form.refusal) {
    c.refusal = *form.refusal;
    return c;
  }
  c.form = std::move(form.fields);
  if (auto r = refuse_forgery(app, req, *c.who, c.form)) {
    c.refusal = *r;
  } else if (!can_edit(*c.who)) {
    c.refusal = read_only(app, *c.who);
  }
  return c;
}

FoundCampaign campaign_of(App& app, const Request& req, const SignedIn& who) {
  auto id = parse_id(req.param("id"));
  if (!id) return {std::nullopt, not_found(app, who)};
  auto c = services::find_campaign(app, who.account.id, *id);
  if (c.ok()) return {std::move(*c), std::nullopt};
  if (c.error().code == Errc::not_found) return {std::nullopt, not_found(app, who)};
  return {std::nullopt,
          message_page(app, status_for(c.error()), "Try again", c.error().message, &who)};
}

Response campaign_page_with_error(App& app, const SignedIn& who, const Campaign& c, const Error& e,
                                  const http::FormFields& form) {
  Page p = campaign_page(app, who, c);
  keep_values(p.data, form);
  add_error(p.data, e);
  p.status = status_for(e);
  return render(app, std::move(p));
}

std::string campaign_path(std::int64_t id) { return "/campaigns/" + std::to_string(id); }

std::string status_label(CampaignStatus s) {
  switch (s) {
    case CampaignStatus::draft:
      return "Draft";
    case CampaignStatus::scheduled:
      return "Scheduled";
    case CampaignStatus::sending:
      return "Sending";
    case CampaignStatus::paused:
      return "Paused";
    case CampaignStatus::sent:
      return "Sent";
    case CampaignStatus::cancelled:
      return "Cancelled";
  }
  return "";
}

bool status_ok(CampaignStatus s) {
  return s == CampaignStatus::sent || s == CampaignStatus::sending;
}

void add_campaign_routes(http::Router& router, App& app) {
  router.get("/campaigns", [&app](Request& r) { return campaigns_index(app, r); });
  router.get("/campaigns/new", [&app](Request& r) { return new_campaign_form(app, r); });
  // A body may be up to 1 MB of Markdown or HTML, and its text part as much again.
  http::RouteOptions big;
  big.max_body_bytes = 3 * 1024 * 1024;
  router.post(
      "/campaigns/new", [&app](Request& r) { return create_campaign(app, r); }, big);
  router.get("/campaigns/{id}", [&app](Request& r) { return campaign_overview(app, r); });
  router.get("/campaigns/{id}/edit", [&app](Request& r) { return edit_campaign_form(app, r); });
  router.post(
      "/campaigns/{id}/edit", [&app](Request& r) { return update_campaign(app, r); }, big);
  router.get("/campaigns/{id}/preview", [&app](Request& r) { return campaign_preview(app, r); });
  router.get("/campaigns/{id}/delete", [&app](Request& r) { return delete_campaign_form(app, r); });
  router.post("/campaigns/{id}/delete", [&app](Request& r) { return delete_campaign(app, r); });
  router.post("/campaigns/{id}/duplicate",
              [&app](Request& r) { return duplicate_campaign(app, r); });
  router.get("/w/{id}", [&app](Request& r) { return web_version(app, r); });
  router.get("/sample/{which}", [&app](Request& r) { return sample_link(app, r); });
  // A mail client's one-click unsubscribe of a test message lands here too.
  router.post("/sample/{which}", [&app](Request& r) { return sample_link(app, r); });
}

}  // namespace sm::web
