#include "services/campaign_message.hpp"

#include <array>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <tuple>

#include "core/assets.hpp"
#include "core/crypto.hpp"
#include "core/email_address.hpp"
#include "core/html_escape.hpp"
#include "core/log.hpp"
#include "core/template.hpp"
#include "core/text.hpp"
#include "mail/dkim.hpp"
#include "mail/html_to_text.hpp"
#include "mail/mime.hpp"
#include "mail/mime_encoding.hpp"
#include "services/accounts.hpp"
#include "services/campaign_content.hpp"
#include "services/campaigns.hpp"
#include "services/html_merge.hpp"
#include "services/lists.hpp"
#include "services/sending_domains.hpp"
#include "services/subscriber_fields.hpp"
#include "services/subscriptions.hpp"
#include "services/tracking.hpp"

namespace sm::services {

// Everything about a campaign that is the same for every recipient, worked out once.
struct CompiledCampaignData {
  Campaign campaign;
  Account account;
  std::vector<FieldDefinition> fields;
  std::map<std::int64_t, CampaignList> lists;
  std::string list_names;  // "News, Offers": the web version names every list

  mail::Mailbox from;
  std::vector<mail::Mailbox> reply_to;
  std::vector<mail::DkimKey> keys;  // empty when compiled for display only
  std::string message_id_domain;
  std::string feedback_id;

  ParsedTemplate subject;
  ParsedTemplate preheader;
  ParsedTemplate body;  // sanitised, with URL markers (services/html_merge.hpp)
  ParsedTemplate text;
  ParsedTemplate footer_html;
  ParsedTemplate footer_text;
  ParsedTemplate web_footer_html;

  TemplateValue constants;    // controller details, fixed links, footer styles
  CampaignTracking tracking;  // sending only: click placeholders and the open pixel
  std::vector<std::string> removed;
};

namespace {

using nlohmann::json;

constexpr std::string_view kMacPurposeVerp = "verp/";
constexpr std::string_view kMacPurposeUnsubscribe = "unsubscribe-mailbox/";
constexpr std::size_t kMacHexDigits = 16;

// Inline and !important: an author's <style> can restyle anything else in the message, and
// the footer is what the account holder may not take out.
constexpr std::string_view kFooterBoxStyle =
    "display:block !important;visibility:visible !important;opacity:1 !important;"
    "margin:32px 0 0 0 !important;padding:16px 0 0 0 !important;"
    "border-top:1px solid #cccccc !important;background:#ffffff !important;"
    "height:auto !important;max-height:none !important;overflow:visible !important;"
    "position:static !important;transform:none !important;clip-path:none !important";
constexpr std::string_view kFooterTextStyle =
    "display:block !important;visibility:visible !important;opacity:1 !important;"
    "margin:0 0 8px 0 !important;font-family:Arial,Helvetica,sans-serif !important;"
    "font-size:13px !important;line-height:1.5 !important;color:#444444 !important;"
    "text-align:left !important;text-indent:0 !important";
constexpr std::string_view kFooterLinkStyle =
    "color:#1a56db !important;text-decoration:underline !important;font-size:13px !important;"
    "display:inline !important;visibility:visible !important";

// Hidden from the reader, shown by mail clients as the line after the subject.
constexpr std::string_view kPreheaderStyle =
    "display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;"
    "overflow:hidden;mso-hide:all";

Error not_ready(std::string message) { return make_error(Errc::invalid_input, std::move(message)); }

// A value merged into the message: control characters become spaces, so no value can break
// a header line or forge the URL markers of the HTML template.
std::string plain(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

std::string one_line(std::string_view text) { return std::string(trim_whitespace(plain(text))); }

// "3 December 2026", in UTC.
std::string consent_date(Millis when) {
  static constexpr std::array<const char*, 12> kMonths = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  const auto t = static_cast<std::time_t>(when / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return std::to_string(tm.tm_mday) + " " + kMonths[static_cast<std::size_t>(tm.tm_mon)] + " " +
         std::to_string(tm.tm_year + 1900);
}

std::string short_mac(const App& app, std::string_view purpose, std::int64_t id) {
  return crypto::hmac_hex(app.keys->hmac_key(), std::string(purpose) + std::to_string(id))
      .substr(0, kMacHexDigits);
}

// "<prefix>-<id>-<MAC>@<domain>"
std::string tagged_mailbox(const App& app, char prefix, std::string_view purpose, std::int64_t id) {
  return std::string(1, prefix) + "-" + std::to_string(id) + "-" + short_mac(app, purpose, id) +
         "@" + app.config.bounce_domain_or_default();
}

std::optional<std::int64_t> parse_tagged_mailbox(const App& app, std::string_view address,
                                                 char prefix, std::string_view purpose) {
  address = trim_whitespace(address);
  if (address.starts_with('<') && address.ends_with('>')) {
    address = address.substr(1, address.size() - 2);
  }
  std::string local(address.substr(0, address.find('@')));
  for (char& c : local) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (local.size() < 3 || local[0] != prefix || local[1] != '-') return std::nullopt;
  const std::size_t dash = local.find('-', 2);
  if (dash == std::string::npos) return std::nullopt;
  auto id = parse_id(std::string_view(local).substr(2, dash - 2));
  if (!id) return std::nullopt;
  const std::string mac = local.substr(dash + 1);
  if (!crypto::constant_time_equal(mac, short_mac(app, purpose, *id))) return std::nullopt;
  return id;
}

Result<ParsedTemplate> parse_part(std::string_view source, Escape escape, const char* field) {
  auto t = ParsedTemplate::parse(source, escape);
  if (t.ok()) return t;
  Error e = t.take_error();
  e.field = field;
  e.message = "The merge tags are not well formed: " + e.detail + ".";
  return e;
}

Result<ParsedTemplate> parse_footer(std::string_view asset_path, bool html) {
  auto source = assets::find(asset_path);
  if (!source) {
    return make_error(Errc::internal, "A message template is missing.",
                      "no embedded template " + std::string(asset_path));
  }
  std::string text(*source);
  if (html) {
    auto marked = prepare_merge_html(text);
    if (!marked.ok()) return make_error(Errc::internal, "A message template is broken.");
    text = std::move(*marked);
  }
  return ParsedTemplate::parse(text, html ? Escape::html : Escape::none);
}

Status check_tags(const CompiledCampaignData& d) {
  const Campaign& c = d.campaign;
  for (const auto& [text, field] : {std::pair{&c.subject, "subject"},
                                    {&c.preheader, "preheader"},
                                    {&c.body, "body"},
                                    {&c.text, "text"}}) {
    auto ok = check_campaign_tags(*text, d.fields);
    if (!ok.ok()) {
      Error e = ok.take_error();
      e.field = field;
      return e;
    }
  }
  return {};
}

// With `sending`, the body goes through tracking first (services/tracking.hpp): tracked
// links become placeholders that each delivery fills with its own click URLs.
Status parse_templates(App& app, CompiledCampaignData& d, bool sending) {
  const Campaign& c = d.campaign;
  auto body = prepare_body(c.body_format, c.body);
  if (!body.ok()) return body.take_error();
  d.removed = std::move(body->removed);
  // The text part is stored as generated when it was saved; generate it again so that a
  // change in the generator reaches campaigns saved before it.
  std::string text = c.text_edited ? c.text : body->text;
  std::string html = std::move(body->html);
  if (sending) {
    auto tracking = prepare_campaign_tracking(app, c.account_id, c.id, html);
    if (!tracking.ok()) return tracking.take_error();
    d.tracking = std::move(*tracking);
    html = d.tracking.html;
    if (d.tracking.clicks && !c.text_edited) text = mail::html_to_text(html);
  }
  auto marked = prepare_merge_html(html);
  if (!marked.ok()) return marked.take_error();

  struct Part {
    ParsedTemplate* into;
    std::string source;
    Escape escape;
    const char* field;
  };
  // The preheader is text put into HTML: escaping it as a whole leaves its tags intact.
  for (Part p :
       {Part{&d.subject, c.subject, Escape::none, "subject"},
        Part{&d.preheader, html_escape(c.preheader), Escape::html, "preheader"},
        Part{&d.body, *marked, Escape::html, "body"}, Part{&d.text, text, Escape::none, "text"}}) {
    auto t = parse_part(p.source, p.escape, p.field);
    if (!t.ok()) return t.take_error();
    *p.into = std::move(*t);
  }
  for (auto [into, path, html] :
       {std::tuple{&d.footer_html, "templates/emails/campaign_footer_html.mustache", true},
        {&d.footer_text, "templates/emails/campaign_footer_text.mustache", false},
        {&d.web_footer_html, "templates/emails/web_version_footer_html.mustache", true}}) {
    auto t = parse_footer(path, html);
    if (!t.ok()) return t.take_error();
    *into = std::move(*t);
  }
  return {};
}

void set_constants(App& app, CompiledCampaignData& d) {
  const ControllerDetails& c = d.account.details;
  TemplateValue& v = d.constants;
  v.set("organisation", plain(c.organisation));
  v.set("postal_address", plain(c.postal_address));
  v.set("contact_email", plain(c.contact_email));
  v.set("privacy_contact", plain(c.privacy_contact));
  // An empty value is false, so {{#website}} leaves out what would be an empty link.
  if (trim_whitespace(c.website).empty()) {
    v.set("website", false);
  } else {
    v.set("website", plain(trim_whitespace(c.website)));
  }
  v.set("portal_url", app.config.http_base_url + "/portal");
  v.set("verify_url", app.config.http_base_url + "/verify/" + std::to_string(d.account.id));
  v.set("footer_box_style", std::string(kFooterBoxStyle));
  v.set("footer_text_style", std::string(kFooterTextStyle));
  v.set("footer_link_style", std::string(kFooterLinkStyle));
}

Result<std::shared_ptr<CompiledCampaignData>> load(App& app, std::int64_t account_id,
                                                   std::int64_t campaign_id, bool sending) {
  auto d = std::make_shared<CompiledCampaignData>();
  auto campaign = find_campaign(app, account_id, campaign_id);
  if (!campaign.ok()) return campaign.take_error();
  d->campaign = std::move(*campaign);
  auto account = find_account(app, account_id);
  if (!account.ok()) return account.take_error();
  d->account = std::move(*account);
  auto fields = account_fields(app, account_id);
  if (!fields.ok()) return fields.take_error();
  d->fields = std::move(*fields);
  for (const auto& l : d->campaign.lists) {
    d->lists[l.id] = l;
    d->list_names += (d->list_names.empty() ? "" : ", ") + l.name;
  }
  SM_TRY(check_tags(*d));
  SM_TRY(parse_templates(app, *d, sending));
  set_constants(app, *d);
  d->feedback_id =
      std::to_string(d->campaign.id) + ":" + std::to_string(account_id) + ":campaign:smartmessages";
  return d;
}

// What only sending needs: a subject and a body, the controller details every message shows,
// and a From address at a domain that is verified and whose keys open.
Status make_sendable(App& app, CompiledCampaignData& d) {
  const Campaign& c = d.campaign;
  if (!d.account.details_complete()) {
    return not_ready(
        "Complete the controller details (organisation, postal address, contact email and "
        "privacy contact) first: every message shows them.");
  }
  if (trim_whitespace(c.subject).empty()) return not_ready("The campaign has no subject yet.");
  if (trim_whitespace(c.body).empty()) return not_ready("The campaign has no body yet.");
  if (!c.sending_domain_id) {
    return not_ready(
        "The From address is not at a sending domain of this account; choose one "
        "under Domains and save the campaign again.");
  }
  auto domain = find_sending_domain(app, c.account_id, *c.sending_domain_id);
  if (!domain.ok()) return not_ready("The sending domain of the From address was deleted.");
  auto from = parse_email_address(c.from_email);
  if (!domain->verified() || !from.ok() || from->domain() != domain->domain) {
    return not_ready(domain->domain +
                     " is not verified any more. Check its DNS records under Domains, then "
                     "send again.");
  }
  auto keys = domain_signing_keys(app, c.account_id, domain->id);
  if (!keys.ok()) return keys.take_error();
  d.keys = {keys->ed25519, keys->rsa};
  d.message_id_domain = domain->domain;
  d.from = {from->ascii(), c.from_name};
  if (!c.reply_to.empty()) d.reply_to = {{c.reply_to, ""}};
  return {};
}

// The subscriber's fields as the templates see them: {{subscriber.<key>}}. An empty value
// and a yes/no field that is "false" are false, so sections on them behave as people expect.
TemplateValue subscriber_values(const std::vector<FieldDefinition>& fields,
                                std::string_view fields_json) {
  json stored = json::parse(fields_json, nullptr, false);
  TemplateValue out = TemplateValue::Object{};
  for (const auto& f : fields) {
    std::string value;
    if (stored.is_object()) {
      auto it = stored.find(f.key);
      if (it != stored.end() && it->is_string()) value = plain(it->get<std::string>());
      if (it != stored.end() && it->is_number()) value = it->dump();
    }
    const bool no = value.empty() || (f.type == FieldType::boolean && value == "false");
    out.set(f.key, no ? TemplateValue(false) : TemplateValue(value));
  }
  return out;
}

TemplateValue sample_subscriber(const std::vector<FieldDefinition>& fields) {
  TemplateValue out = TemplateValue::Object{};
  for (const auto& f : fields) {
    out.set(f.key, f.type == FieldType::boolean ? TemplateValue("true")
                                                : TemplateValue("[" + plain(f.label) + "]"));
  }
  return out;
}

void set_sample_links(const App& app, TemplateValue& data) {
  const std::string base = app.config.http_base_url + "/sample/";
  data.set("unsubscribe_url", base + "unsubscribe");
  data.set("preferences_url", base + "preferences");
  data.set("web_version_url", base + "web-version");
}

struct Parts {
  std::string subject;
  std::string html;
  std::string text;
  int neutralised = 0;
};

std::string html_document(std::string_view subject, std::string_view preheader,
                          std::string_view content) {
  std::string out;
  out.reserve(content.size() + preheader.size() + 512);
  out += "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  out += html_escape(subject);
  out += "</title>\n</head>\n<body>\n";
  if (!trim_whitespace(preheader).empty()) {
    out += "<div style=\"" + std::string(kPreheaderStyle) + "\">";
    out += preheader;
    out += "</div>\n";
  }
  out += content;
  out += "\n</body>\n</html>\n";
  return out;
}

Result<Parts> render_parts(const CompiledCampaignData& d, const TemplateValue& data,
                           const ParsedTemplate& footer, bool with_text) {
  Parts p;
  p.subject = one_line(d.subject.render(data));
  auto merged = finish_merged_html(d.body.render(data) + "\n" + footer.render(data));
  if (!merged.ok()) return merged.take_error();
  p.neutralised = merged->neutralised;
  p.html = html_document(p.subject, d.preheader.render(data), merged->html);
  if (with_text) p.text = d.text.render(data) + d.footer_text.render(data);
  return p;
}

// The list, token salt and date of consent of the recipient's subscription.
Status fill_subscription(App& app, const CompiledCampaignData& d, Recipient& r) {
  if (r.list_id != 0 || r.subscription_id == 0) return {};
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows =
      store::run_named(**lease, "subscriptions.find", {d.campaign.account_id, r.subscription_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) {
    return make_error(Errc::not_found, "The subscription of this delivery no longer exists.");
  }
  Subscription s = subscription_from_row(rows->front());
  r.list_id = s.list_id;
  r.token_salt = s.token_salt;
  r.consented_at = s.confirmed_at.value_or(s.created_at);
  return {};
}

std::string list_name(App& app, const CompiledCampaignData& d, std::int64_t list_id) {
  auto it = d.lists.find(list_id);
  if (it != d.lists.end()) return it->second.name;
  auto l = find_list(app, d.campaign.account_id, list_id);
  return l.ok() ? l->name : d.list_names;
}

// "News" <abcdefghijkl.bounces.example.org>: RFC 2919, the list's public id under our bounce
// domain. The name is left out when it is not plain ASCII, since the header is written as
// unstructured text and an encoded-word there would be encoded a second time.
std::string list_id_header(App& app, const CompiledCampaignData& d, std::int64_t list_id,
                           const std::string& name) {
  auto it = d.lists.find(list_id);
  std::string id = it != d.lists.end() ? it->second.public_id : "list-" + std::to_string(list_id);
  std::string value = "<" + id + "." + app.config.bounce_domain_or_default() + ">";
  if (!name.empty() && mail::is_printable_ascii(name) && name.find("=?") == std::string::npos) {
    value = mail::encode_display_name(name) + " " + value;
  }
  return value;
}

std::string message_id(const App& app, const CompiledCampaignData& d, std::int64_t delivery_id) {
  if (delivery_id == 0) {
    return "<test." + crypto::hex_encode(crypto::random_bytes(12)) + "@" + d.message_id_domain +
           ">";
  }
  return "<" + std::to_string(delivery_id) + "." + std::to_string(d.campaign.id) + "." +
         short_mac(app, "message-id/", delivery_id) + "@" + d.message_id_domain + ">";
}

// The per-recipient merge data of a delivery or a test send.
Result<TemplateValue> delivery_data(App& app, const CompiledCampaignData& d, Recipient& r,
                                    std::string& list_label) {
  TemplateValue data = d.constants;
  data.set("email", plain(r.email));
  if (r.delivery_id == 0) {
    data.set("subscriber", sample_subscriber(d.fields));
    list_label = d.list_names.empty() ? "your list" : d.list_names;
    data.set("list_name", plain(list_label));
    data.set("consent_date", consent_date(app.now()));
    set_sample_links(app, data);
    return data;
  }
  SM_TRY(fill_subscription(app, d, r));
  Subscription s;
  s.id = r.subscription_id;
  s.account_id = d.campaign.account_id;
  s.list_id = r.list_id;
  s.token_salt = r.token_salt;
  list_label = list_name(app, d, r.list_id);
  data.set("subscriber", subscriber_values(d.fields, r.fields_json));
  data.set("list_name", plain(list_label));
  data.set("consent_date", consent_date(r.consented_at));
  data.set("unsubscribe_url", unsubscribe_url(app, s));
  data.set("preferences_url", preferences_url(app, s));
  data.set("web_version_url", web_version_url(app, d.campaign));
  return data;
}

std::vector<std::pair<std::string, std::string>> list_headers(App& app,
                                                              const CompiledCampaignData& d,
                                                              const Recipient& r,
                                                              const std::string& list_label) {
  std::string one_click = app.config.http_base_url + "/sample/unsubscribe";
  if (r.delivery_id != 0) {
    Subscription s;
    s.id = r.subscription_id;
    s.token_salt = r.token_salt;
    one_click = one_click_unsubscribe_url(app, s);
  }
  const std::string mailbox = unsubscribe_mailbox(app, r.delivery_id == 0 ? 0 : r.subscription_id);
  return {{"List-Unsubscribe", "<" + one_click + ">, <mailto:" + mailbox + "?subject=unsubscribe>"},
          {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
          {"List-Id", list_id_header(app, d, r.list_id, list_label)},
          {"Feedback-ID", d.feedback_id}};
}

}  // namespace

Result<CompiledCampaign> compile_campaign(App& app, std::int64_t account_id,
                                          std::int64_t campaign_id) {
  auto d = load(app, account_id, campaign_id, true);
  if (!d.ok()) return d.take_error();
  SM_TRY(make_sendable(app, **d));
  return CompiledCampaign{account_id, campaign_id, std::move(*d)};
}

Status check_campaign_sendable(App& app, std::int64_t account_id, std::int64_t campaign_id) {
  auto d = load(app, account_id, campaign_id, false);
  if (!d.ok()) return d.take_error();
  return make_sendable(app, **d);
}

Result<RenderedDelivery> render_delivery(App& app, const CompiledCampaign& campaign,
                                         const Recipient& recipient) {
  const CompiledCampaignData& d = *campaign.data;
  if (d.keys.empty()) {
    return make_error(Errc::internal, "The campaign was not compiled for sending.");
  }
  auto to = parse_email_address(recipient.email);
  if (!to.ok()) {
    return make_error(Errc::invalid_input, "The recipient's address is not valid.",
                      "delivery " + std::to_string(recipient.delivery_id) + ": bad address");
  }
  Recipient r = recipient;
  std::string list_label;
  auto data = delivery_data(app, d, r, list_label);
  if (!data.ok()) return data.take_error();
  auto parts = render_parts(d, *data, d.footer_html, true);
  if (!parts.ok()) return parts.take_error();
  if (parts->neutralised > 0 && log::allow("campaign-unsafe-link", 10)) {
    log::warn("campaign unsafe merged URL neutralised campaign={} delivery={} count={}",
              d.campaign.id, r.delivery_id, parts->neutralised);
  }

  mail::Message m;
  m.from = d.from;
  m.to = {{to->ascii(), ""}};
  m.reply_to = d.reply_to;
  m.subject = r.delivery_id == 0 ? "[Test] " + parts->subject : parts->subject;
  m.text_body = tracked_text_for_delivery(app, d.tracking, parts->text, r.delivery_id);
  m.html_body = tracked_html_for_delivery(app, d.tracking, parts->html, r.delivery_id);
  m.message_id = message_id(app, d, r.delivery_id);
  m.headers = list_headers(app, d, r, list_label);

  const Millis now = app.now();
  auto mime = mail::render(m, now);
  if (!mime.ok()) return mime.take_error();
  auto signatures = mail::dkim_sign(std::span<const mail::DkimKey>(d.keys), *mime, now);
  if (!signatures.ok()) return signatures.take_error();
  RenderedDelivery out;
  out.envelope_from = tagged_mailbox(app, 'b', kMacPurposeVerp, r.delivery_id);
  out.recipient = to->ascii();
  out.mime = std::move(*signatures) + *mime;
  out.message_id = m.message_id;
  return out;
}

std::optional<std::int64_t> delivery_from_verp(const App& app, std::string_view address) {
  return parse_tagged_mailbox(app, address, 'b', kMacPurposeVerp);
}

std::string unsubscribe_mailbox(const App& app, std::int64_t subscription_id) {
  return tagged_mailbox(app, 'u', kMacPurposeUnsubscribe, subscription_id);
}

std::optional<std::int64_t> subscription_from_unsubscribe_mailbox(const App& app,
                                                                  std::string_view address) {
  return parse_tagged_mailbox(app, address, 'u', kMacPurposeUnsubscribe);
}

Result<CompiledCampaign> compile_for_display(App& app, std::int64_t account_id,
                                             std::int64_t campaign_id) {
  auto d = load(app, account_id, campaign_id, false);
  if (!d.ok()) return d.take_error();
  return CompiledCampaign{account_id, campaign_id, std::move(*d)};
}

Result<DisplayedMessage> render_display(App& app, const CompiledCampaign& campaign, Display how) {
  const CompiledCampaignData& d = *campaign.data;
  TemplateValue data = d.constants;
  data.set("list_name", plain(d.list_names));
  const bool preview = how == Display::preview;
  if (preview) {
    data.set("email", "jane.doe@example.org");
    data.set("subscriber", sample_subscriber(d.fields));
    data.set("consent_date", consent_date(app.now()));
    set_sample_links(app, data);
  } else {
    // Nothing about any one person: no address, no field values, no token.
    const std::string portal = app.config.http_base_url + "/portal";
    data.set("email", "");
    data.set("subscriber", subscriber_values(d.fields, "{}"));
    data.set("unsubscribe_url", portal);
    data.set("preferences_url", portal);
    data.set("web_version_url", web_version_url(app, d.campaign));
  }
  auto parts = render_parts(d, data, preview ? d.footer_html : d.web_footer_html, preview);
  if (!parts.ok()) return parts.take_error();
  return DisplayedMessage{std::move(parts->subject), std::move(parts->html), std::move(parts->text),
                          d.removed};
}

}  // namespace sm::services
