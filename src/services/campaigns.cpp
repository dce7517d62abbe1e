#include "services/campaigns.hpp"

#include <algorithm>
#include <array>

#include "core/crypto.hpp"
#include "core/email_address.hpp"
#include "core/text.hpp"
#include "services/html_merge.hpp"
#include "services/lists.hpp"
#include "services/sending_domains.hpp"

namespace sm::services {
namespace {

constexpr std::size_t kPublicIdChars = 16;

constexpr std::array<std::string_view, 6> kStatusNames = {"draft",  "scheduled", "sending",
                                                          "paused", "sent",      "cancelled"};

Error no_such_campaign() {
  return make_error(Errc::not_found,
                    "There is no such campaign in this account. Pick one from Campaigns.");
}

Error fixed_campaign(const Campaign& c) {
  return make_error(Errc::conflict,
                    "This campaign is " + std::string(campaign_status_name(c.status)) +
                        " and can no longer be changed: some people may already have it. "
                        "Duplicate it to make a new draft from it.");
}

bool has_control(std::string_view s, bool multiline) {
  return std::any_of(s.begin(), s.end(), [&](char ch) {
    auto c = static_cast<unsigned char>(ch);
    if (multiline && (c == '\n' || c == '\r' || c == '\t')) return false;
    return c < 0x20 || c == 0x7f;
  });
}

// One line of text: a header value or what becomes one. A CR or LF would let the value start
// a header of its own, so it is refused here, where the person can fix it.
Status check_line(const char* field, std::string_view label, std::string_view value,
                  std::size_t max_bytes) {
  if (value.find_first_of("\r\n") != std::string_view::npos) {
    return field_error(field,
                       std::string(label) + " cannot contain line breaks; write it on one line.");
  }
  if (has_control(value, false)) {
    return field_error(field, std::string(label) + " cannot contain control characters.");
  }
  if (value.size() > max_bytes) {
    return field_error(field, std::string(label) + " is too long: at most " +
                                  std::to_string(max_bytes) + " characters.");
  }
  return {};
}

Status with_field(Status s, const char* field) {
  if (s.ok()) return s;
  Error e = s.take_error();
  e.field = field;
  return e;
}

bool plain_ascii_address(std::string_view a) {
  return std::all_of(a.begin(), a.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '"' && c != '\\';
  });
}

Result<EmailAddress> address(const char* field, std::string_view label, std::string_view typed) {
  auto a = parse_email_address(typed);
  if (!a.ok()) return field_error(field, label.empty() ? a.error().message : std::string(label));
  if (!plain_ascii_address(a->ascii())) {
    return field_error(field,
                       "Use a plain address such as news@example.org: quoted or special forms "
                       "are not supported here.");
  }
  return a;
}

// The id of the verified sending domain `from` is at.
Result<std::int64_t> sending_domain_of(App& app, std::int64_t account_id,
                                       const EmailAddress& from) {
  auto domains = account_sending_domains(app, account_id);
  if (!domains.ok()) return domains.take_error();
  for (const auto& d : *domains) {
    if (d.domain != from.domain()) continue;
    if (!d.verified()) {
      return field_error("from_email",
                         d.domain +
                             " is not verified yet. Publish its DNS records and press Check "
                             "now under Domains; then campaigns can be sent from it.");
    }
    return d.id;
  }
  return field_error("from_email", from.domain() +
                                       " is not one of this account's sending domains. Add it "
                                       "under Domains and publish its records, or use an address "
                                       "at a verified domain.");
}

Status check_lists(App& app, std::int64_t account_id, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return {};
  auto lists = account_lists(app, account_id);
  if (!lists.ok()) return lists.take_error();
  for (std::int64_t id : ids) {
    bool mine =
        std::any_of(lists->begin(), lists->end(), [&](const MailingList& l) { return l.id == id; });
    if (!mine) {
      return field_error("list_ids",
                         "List " + std::to_string(id) +
                             " is not a list of this account; choose among the lists under "
                             "Lists.");
    }
  }
  return {};
}

// What checking a form finds out besides its problems.
struct Checked {
  std::int64_t sending_domain_id = 0;
  std::string from_email;  // as sent: the local part and the domain's A-labels
  std::string reply_to;
  std::string text;  // the plain-text part to store
  std::vector<std::string> removed;
};

Status check_header_fields(const CampaignForm& f) {
  if (trim_whitespace(f.name).empty()) {
    return field_error("name", "Give the campaign a name; only your team sees it.");
  }
  SM_TRY(check_line("name", "The name", f.name, kMaxCampaignNameBytes));
  if (trim_whitespace(f.subject).empty()) {
    return field_error("subject", "Write a subject line: it is what people see first.");
  }
  SM_TRY(check_line("subject", "The subject", f.subject, kMaxSubjectBytes));
  SM_TRY(check_line("preheader", "The preheader", f.preheader, kMaxPreheaderBytes));
  SM_TRY(check_line("from_name", "The sender name", f.from_name, kMaxFromNameBytes));
  SM_TRY(check_line("from_email", "The From address", f.from_email, kMaxEmailAddressOctets));
  SM_TRY(check_line("reply_to", "The reply-to address", f.reply_to, kMaxEmailAddressOctets));
  if (f.rate_per_minute < 0 || f.rate_per_minute > kMaxRatePerMinute) {
    return field_error("rate_per_minute",
                       "Type a whole number of messages per minute from 0 (as fast as the relay "
                       "allows) to 1000000.");
  }
  return {};
}

Status check_addresses(App& app, std::int64_t account_id, const CampaignForm& f, Checked& out) {
  if (trim_whitespace(f.from_email).empty()) {
    return field_error("from_email",
                       "Type the address the campaign comes from, at one of your verified "
                       "sending domains (see Domains).");
  }
  auto from = address("from_email", "", f.from_email);
  if (!from.ok()) return from.take_error();
  auto domain = sending_domain_of(app, account_id, *from);
  if (!domain.ok()) return domain.take_error();
  out.sending_domain_id = *domain;
  // The domain as the sending domain has it (lower case, A-labels), the local part as typed.
  const std::string& typed = from->ascii();
  out.from_email = typed.substr(0, typed.rfind('@') + 1) + from->domain();
  if (!trim_whitespace(f.reply_to).empty()) {
    auto reply = address("reply_to", "", f.reply_to);
    if (!reply.ok()) return reply.take_error();
    out.reply_to = reply->ascii();
  }
  return {};
}

// True when `text` has the tag {{web_version_url}} (or a section on it).
bool uses_web_version_url(std::string_view text) {
  constexpr std::string_view kName = "web_version_url";
  for (std::size_t at = text.find(kName); at != std::string_view::npos;
       at = text.find(kName, at + 1)) {
    std::size_t i = at;
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '#' || text[i - 1] == '^')) --i;
    if (i >= 2 && text.substr(i - 2, 2) == "{{") return true;
  }
  return false;
}

Status check_web_version_link(const CampaignForm& f) {
  if (f.web_version) return {};
  for (const auto& [text, field] :
       {std::pair{&f.preheader, "preheader"}, {&f.body, "body"}, {&f.text, "text"}}) {
    if (field == std::string_view("text") && !f.text_edited) continue;
    if (uses_web_version_url(*text)) {
      return field_error(field,
                         "{{web_version_url}} links to the web version, which is off for this "
                         "campaign: turn on \"Publish a web version\" or remove the tag.");
    }
  }
  return {};
}

Status check_content(App& app, std::int64_t account_id, const CampaignForm& f, Checked& out) {
  auto fields = account_fields(app, account_id);
  if (!fields.ok()) return fields.take_error();
  SM_TRY(with_field(check_campaign_tags(f.subject, *fields), "subject"));
  SM_TRY(with_field(check_campaign_tags(f.preheader, *fields), "preheader"));
  SM_TRY(with_field(check_campaign_tags(f.body, *fields), "body"));
  SM_TRY(check_web_version_link(f));
  auto body = prepare_body(f.body_format, f.body);
  if (!body.ok()) return body.take_error();
  auto merge = prepare_merge_html(body->html);
  if (!merge.ok()) return merge.take_error();
  out.removed = std::move(body->removed);
  if (!f.text_edited) {
    out.text = std::move(body->text);
    return {};
  }
  if (trim_whitespace(f.text).empty()) {
    return field_error("text",
                       "Write the plain-text part, or let it be made from the body (untick "
                       "\"Write the plain text myself\").");
  }
  if (f.text.size() > kMaxBodyBytes) {
    return field_error("text", "The plain-text part is larger than 1 MB; shorten it.");
  }
  if (has_control(f.text, true)) {
    return field_error("text", "The plain-text part cannot contain control characters.");
  }
  SM_TRY(with_field(check_campaign_tags(f.text, *fields), "text"));
  out.text = f.text;
  return {};
}

Result<Checked> check_form(App& app, std::int64_t account_id, const CampaignForm& f) {
  Checked out;
  SM_TRY(check_header_fields(f));
  SM_TRY(check_addresses(app, account_id, f, out));
  SM_TRY(check_lists(app, account_id, f.list_ids));
  SM_TRY(check_content(app, account_id, f, out));
  return out;
}

std::string new_public_id() {
  std::string id = crypto::base32_encode(crypto::random_bytes(10)).substr(0, kPublicIdChars);
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return id;
}

Campaign campaign_from_row(const store::Row& r) {
  Campaign c;
  c.id = r.integer(0);
  c.account_id = r.integer(1);
  c.public_id = r.text(2);
  c.name = r.text(3);
  c.subject = r.text(4);
  c.preheader = r.text(5);
  c.from_name = r.text(6);
  c.from_email = r.text(7);
  c.reply_to = r.text(8);
  c.sending_domain_id = r.optional_integer(9);
  c.body_format = parse_body_format(r.text(10)).value_or(BodyFormat::markdown);
  c.body = r.text(11);
  c.text = r.text(12);
  c.text_edited = r.integer(13) != 0;
  c.web_version = r.integer(14) != 0;
  c.rate_per_minute = r.integer(15);
  c.status = parse_campaign_status(r.text(16)).value_or(CampaignStatus::draft);
  c.scheduled_at = r.optional_integer(17);
  c.started_at = r.optional_integer(18);
  c.finished_at = r.optional_integer(19);
  c.created_at = r.integer(20);
  c.updated_at = r.integer(21);
  return c;
}

Status load_lists(store::Connection& conn, Campaign& c) {
  auto rows = store::run_named(conn, "campaigns.lists", {c.account_id, c.id});
  if (!rows.ok()) return rows.take_error();
  c.lists.clear();
  for (const auto& r : rows->rows) c.lists.push_back({r.integer(0), r.text(1), r.text(2)});
  return {};
}

Status store_lists(store::Connection& conn, std::int64_t account_id, std::int64_t campaign_id,
                   std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto cleared = store::run_named(conn, "campaigns.clear_lists", {account_id, campaign_id});
  if (!cleared.ok()) return cleared.take_error();
  for (std::int64_t id : ids) {
    auto added = store::run_named(conn, "campaigns.add_list", {account_id, campaign_id, id});
    if (!added.ok()) return added.take_error();
  }
  return {};
}

Result<Campaign> load(store::Connection& conn, std::int64_t account_id, std::int64_t id) {
  auto rows = store::run_named(conn, "campaigns.find", {account_id, id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return no_such_campaign();
  Campaign c = campaign_from_row(rows->front());
  SM_TRY(load_lists(conn, c));
  return c;
}

// The parameters $3..$16 of campaigns.insert and campaigns.update after the two ids.
std::vector<store::Value> content_values(const CampaignForm& f, const Checked& k, Millis now) {
  return {std::string(trim_whitespace(f.name)),
          std::string(trim_whitespace(f.subject)),
          std::string(trim_whitespace(f.preheader)),
          std::string(trim_whitespace(f.from_name)),
          k.from_email,
          k.reply_to,
          k.sending_domain_id,
          std::string(body_format_name(f.body_format)),
          f.body,
          k.text,
          std::int64_t{f.text_edited ? 1 : 0},
          std::int64_t{f.web_version ? 1 : 0},
          f.rate_per_minute,
          now};
}

}  // namespace

std::string_view campaign_status_name(CampaignStatus s) {
  return kStatusNames[static_cast<std::size_t>(s)];
}

std::optional<CampaignStatus> parse_campaign_status(std::string_view name) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<CampaignStatus>(i);
  }
  return std::nullopt;
}

std::string_view body_format_name(BodyFormat f) {
  return f == BodyFormat::html ? "html" : "markdown";
}

std::optional<BodyFormat> parse_body_format(std::string_view name) {
  if (name == "markdown") return BodyFormat::markdown;
  if (name == "html") return BodyFormat::html;
  return std::nullopt;
}

bool Campaign::editable() const {
  return status == CampaignStatus::draft || status == CampaignStatus::scheduled;
}

bool Campaign::deletable() const { return status == CampaignStatus::draft; }

CampaignForm Campaign::form() const {
  CampaignForm f;
  f.name = name;
  f.subject = subject;
  f.preheader = preheader;
  f.from_name = from_name;
  f.from_email = from_email;
  f.reply_to = reply_to;
  f.body_format = body_format;
  f.body = body;
  f.text = text;
  f.text_edited = text_edited;
  f.web_version = web_version;
  f.rate_per_minute = rate_per_minute;
  for (const auto& l : lists) f.list_ids.push_back(l.id);
  return f;
}

Result<std::int64_t> validate_campaign(App& app, std::int64_t account_id,
                                       const CampaignForm& form) {
  auto checked = check_form(app, account_id, form);
  if (!checked.ok()) return checked.take_error();
  return checked->sending_domain_id;
}

Result<SavedCampaign> create_campaign(App& app, std::int64_t account_id, const CampaignForm& form) {
  auto checked = check_form(app, account_id, form);
  if (!checked.ok()) return checked.take_error();
  auto made = app.db->transact<Campaign>([&](store::Connection& conn) -> Result<Campaign> {
    std::vector<store::Value> params = {account_id, new_public_id()};
    for (auto& v : content_values(form, *checked, app.now())) params.push_back(std::move(v));
    auto rows = store::run_named(conn, "campaigns.insert", params);
    if (!rows.ok()) return rows.take_error();
    const std::int64_t id = rows->front().integer(0);
    SM_TRY(store_lists(conn, account_id, id, form.list_ids));
    return load(conn, account_id, id);
  });
  if (!made.ok()) return made.take_error();
  return SavedCampaign{std::move(*made), std::move(checked->removed)};
}

Result<SavedCampaign> update_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id,
                                      const CampaignForm& form) {
  auto current = find_campaign(app, account_id, campaign_id);
  if (!current.ok()) return current.take_error();
  if (!current->editable()) return fixed_campaign(*current);
  auto checked = check_form(app, account_id, form);
  if (!checked.ok()) return checked.take_error();
  auto saved = app.db->transact<Campaign>([&](store::Connection& conn) -> Result<Campaign> {
    std::vector<store::Value> params = {account_id, campaign_id};
    for (auto& v : content_values(form, *checked, app.now())) params.push_back(std::move(v));
    auto rows = store::run_named(conn, "campaigns.update", params);
    if (!rows.ok()) return rows.take_error();
    // Sending may have started between the look-up and this statement.
    if (rows->affected == 0) {
      auto now = load(conn, account_id, campaign_id);
      if (!now.ok()) return now.take_error();
      return fixed_campaign(*now);
    }
    SM_TRY(store_lists(conn, account_id, campaign_id, form.list_ids));
    return load(conn, account_id, campaign_id);
  });
  if (!saved.ok()) return saved.take_error();
  return SavedCampaign{std::move(*saved), std::move(checked->removed)};
}

Result<SavedCampaign> duplicate_campaign(App& app, std::int64_t account_id,
                                         std::int64_t campaign_id) {
  auto original = find_campaign(app, account_id, campaign_id);
  if (!original.ok()) return original.take_error();
  CampaignForm f = original->form();
  f.name = "Copy of " + original->name;
  if (f.name.size() > kMaxCampaignNameBytes) f.name = original->name;
  return create_campaign(app, account_id, f);
}

Result<Campaign> find_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  return load(**lease, account_id, campaign_id);
}

Result<std::vector<Campaign>> account_campaigns(App& app, std::int64_t account_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "campaigns.for_account", {account_id});
  if (!rows.ok()) return rows.take_error();
  std::vector<Campaign> out;
  for (const auto& r : rows->rows) {
    Campaign c = campaign_from_row(r);
    SM_TRY(load_lists(**lease, c));
    out.push_back(std::move(c));
  }
  return out;
}

Status delete_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id) {
  auto current = find_campaign(app, account_id, campaign_id);
  if (!current.ok()) return current.take_error();
  if (!current->deletable()) {
    return make_error(Errc::conflict, "Only a draft can be deleted; this campaign is " +
                                          std::string(campaign_status_name(current->status)) +
                                          " and keeps its record of who it went to.");
  }
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "campaigns.delete_draft", {account_id, campaign_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->affected == 0) {
    return make_error(Errc::conflict, "The campaign started sending before it could be deleted.");
  }
  return {};
}

Result<Campaign> find_web_version(App& app, std::string_view public_id) {
  if (public_id.size() != kPublicIdChars) return no_such_campaign();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "campaigns.find_web_version", {std::string(public_id)});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return no_such_campaign();
  Campaign c = campaign_from_row(rows->front());
  SM_TRY(load_lists(**lease, c));
  return c;
}

std::string web_version_url(const App& app, const Campaign& c) {
  return app.config.http_base_url + "/w/" + c.public_id;
}

}  // namespace sm::services
