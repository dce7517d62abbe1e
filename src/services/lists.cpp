#include "services/lists.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/crypto.hpp"
#include "core/template.hpp"
#include "core/text.hpp"

namespace sm::services {
namespace {

constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxDescriptionBytes = 2000;
constexpr std::size_t kMaxSubjectBytes = 200;
constexpr std::size_t kMaxBodyBytes = 20000;
constexpr std::size_t kPublicIdChars = 12;

constexpr std::array<std::string_view, 9> kMergeTags = {
    "confirm_url",   "list_name",       "list_description", "organisation", "postal_address",
    "contact_email", "privacy_contact", "website",          "privacy_url"};

constexpr std::string_view kDefaultSubject = "Please confirm: {{list_name}} from {{organisation}}";

constexpr std::string_view kDefaultBody =
    R"(Hello,

Someone, probably you, asked to receive "{{list_name}}" from {{organisation}}.
{{list_description}}

To confirm, open this link and press the button on the page it shows:

{{confirm_url}}

If you did not ask for this, simply ignore this email: you will not be subscribed and will
not hear from us again about it.

Who is asking (the controller of your data):
{{organisation}}
{{postal_address}}
{{contact_email}}
{{website}}
Privacy questions: {{privacy_contact}}
Privacy notice: {{privacy_url}}
)";

bool has_control_chars(std::string_view s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) continue;
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

Status check_text(std::string_view field, std::string_view label, std::string_view value,
                  std::size_t max_bytes, bool multiline) {
  if (value.size() > max_bytes) {
    return field_error(std::string(field), std::string(label) + " is too long: at most " +
                                               std::to_string(max_bytes) + " characters.");
  }
  if (has_control_chars(value, multiline)) {
    return field_error(std::string(field),
                       std::string(label) + " cannot contain control characters.");
  }
  return {};
}

// A tag's name without its sigil ({{#x}}, {{/x}}, {{^x}}, {{&x}}, {{{x}}}) and spaces.
std::string_view tag_name(std::string_view inner, bool* is_variable) {
  *is_variable = true;
  if (!inner.empty() && std::string_view("#/^&{>").find(inner.front()) != std::string_view::npos) {
    *is_variable = inner.front() == '&' || inner.front() == '{';
    inner.remove_prefix(1);
  }
  if (!inner.empty() && inner.back() == '}') inner.remove_suffix(1);
  return trim_whitespace(inner);
}

// Checks every tag in `source` is a merge tag we fill in; sets *uses_confirm_url when
// {{confirm_url}} is shown (not merely a section).
Status check_merge_tags(std::string_view field, std::string_view source, bool* uses_confirm_url) {
  std::size_t pos = 0;
  while ((pos = source.find("{{", pos)) != std::string_view::npos) {
    std::size_t end = source.find("}}", pos + 2);
    if (end == std::string_view::npos) {
      return field_error(std::string(field),
                         "A merge tag is opened with {{ but not closed with }}.");
    }
    std::string_view inner = source.substr(pos + 2, end - pos - 2);
    if (end + 2 < source.size() && source[end + 2] == '}' && inner.starts_with("{")) {
      inner = source.substr(pos + 2, end - pos - 1);
      ++end;
    }
    pos = end + 2;
    if (inner.starts_with("!")) continue;  // a comment
    bool is_variable = false;
    std::string_view name = tag_name(inner, &is_variable);
    if (std::find(kMergeTags.begin(), kMergeTags.end(), name) == kMergeTags.end()) {
      return field_error(std::string(field),
                         "The merge tag {{" + std::string(name) +
                             "}} is not one we know. Use one of {{confirm_url}}, {{list_name}}, "
                             "{{list_description}}, {{organisation}}, {{postal_address}}, "
                             "{{contact_email}}, {{privacy_contact}}, {{website}}, "
                             "{{privacy_url}}.");
    }
    if (name == "confirm_url" && is_variable) *uses_confirm_url = true;
  }
  return {};
}

// Renders with sample values so a template the library cannot parse (an unclosed section) is
// refused when saved, not when the first subscriber signs up.
Status check_renders(std::string_view field, std::string_view source) {
  TemplateValue sample;
  for (auto tag : kMergeTags) sample.set(std::string(tag), "x");
  auto out = render_template(source, sample, Escape::none);
  if (!out.ok()) {
    return field_error(std::string(field),
                       "This text has a merge tag section that is not closed, like {{#name}} "
                       "without {{/name}}.");
  }
  return {};
}

ListForm with_defaults(ListForm f) {
  f.name = std::string(trim_whitespace(f.name));
  f.description = std::string(trim_whitespace(f.description));
  f.confirm_subject = std::string(trim_whitespace(f.confirm_subject));
  if (f.confirm_subject.empty()) f.confirm_subject = std::string(kDefaultSubject);
  if (trim_whitespace(f.confirm_body).empty()) f.confirm_body = std::string(kDefaultBody);
  return f;
}

MailingList list_from_row(const store::Row& r) {
  MailingList l;
  l.id = r.integer(0);
  l.account_id = r.integer(1);
  l.public_id = r.text(2);
  l.name = r.text(3);
  l.description = r.text(4);
  l.confirm_subject = r.text(5);
  l.confirm_body = r.text(6);
  l.created_at = r.integer(7);
  return l;
}

Error no_such_list() {
  return make_error(Errc::not_found, "There is no such list in this account. Pick one from Lists.");
}

std::string new_public_id() {
  std::string id = crypto::base32_encode(crypto::random_bytes(8)).substr(0, kPublicIdChars);
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return id;
}

Result<store::Rows> run_one(App& app, std::string_view query, const std::vector<store::Value>& p) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  return store::run_named(**lease, query, p);
}

}  // namespace

std::string_view default_confirm_subject() { return kDefaultSubject; }
std::string_view default_confirm_body() { return kDefaultBody; }

Status validate_list_form(const ListForm& in) {
  ListForm f = with_defaults(in);
  if (f.name.empty()) return field_error("name", "Give the list a name, like \"Monthly news\".");
  SM_TRY(check_text("name", "The name", f.name, kMaxNameBytes, false));
  SM_TRY(check_text("description", "The description", f.description, kMaxDescriptionBytes, true));
  SM_TRY(check_text("confirm_subject", "The subject", f.confirm_subject, kMaxSubjectBytes, false));
  SM_TRY(check_text("confirm_body", "The email text", f.confirm_body, kMaxBodyBytes, true));

  bool subject_link = false;
  bool body_link = false;
  SM_TRY(check_merge_tags("confirm_subject", f.confirm_subject, &subject_link));
  SM_TRY(check_merge_tags("confirm_body", f.confirm_body, &body_link));
  SM_TRY(check_renders("confirm_subject", f.confirm_subject));
  SM_TRY(check_renders("confirm_body", f.confirm_body));
  if (!body_link) {
    return field_error("confirm_body",
                       "The email text must contain {{confirm_url}}: without the link nobody "
                       "can confirm.");
  }
  return {};
}

Result<MailingList> create_list(App& app, std::int64_t account_id, const ListForm& form) {
  SM_TRY(validate_list_form(form));
  ListForm f = with_defaults(form);
  MailingList l{0,
                account_id,
                new_public_id(),
                f.name,
                f.description,
                f.confirm_subject,
                f.confirm_body,
                app.now()};
  auto rows = run_one(app, "lists.insert",
                      {account_id, l.public_id, l.name, l.description, l.confirm_subject,
                       l.confirm_body, l.created_at});
  if (!rows.ok()) return rows.take_error();
  l.id = rows->front().integer(0);
  return l;
}

Status update_list(App& app, std::int64_t account_id, std::int64_t list_id, const ListForm& form) {
  SM_TRY(validate_list_form(form));
  ListForm f = with_defaults(form);
  auto rows =
      run_one(app, "lists.update",
              {account_id, list_id, f.name, f.description, f.confirm_subject, f.confirm_body});
  if (!rows.ok()) return rows.take_error();
  if (rows->affected == 0) return no_such_list();
  return {};
}

Status delete_list(App& app, std::int64_t account_id, std::int64_t list_id) {
  auto rows = run_one(app, "lists.delete", {account_id, list_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->affected == 0) return no_such_list();
  return {};
}

Result<MailingList> find_list(App& app, std::int64_t account_id, std::int64_t list_id) {
  auto rows = run_one(app, "lists.find", {account_id, list_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return no_such_list();
  return list_from_row(rows->front());
}

Result<std::vector<MailingList>> account_lists(App& app, std::int64_t account_id) {
  auto rows = run_one(app, "lists.for_account", {account_id});
  if (!rows.ok()) return rows.take_error();
  std::vector<MailingList> out;
  for (const auto& r : rows->rows) out.push_back(list_from_row(r));
  return out;
}

Result<ListCounts> list_counts(App& app, std::int64_t account_id, std::int64_t list_id) {
  auto rows = run_one(app, "lists.counts", {account_id, list_id});
  if (!rows.ok()) return rows.take_error();
  ListCounts c;
  for (const auto& r : rows->rows) {
    if (r.text(0) == "pending") c.pending = r.integer(1);
    if (r.text(0) == "confirmed") c.confirmed = r.integer(1);
    if (r.text(0) == "unsubscribed") c.unsubscribed = r.integer(1);
  }
  return c;
}

Result<MailingList> find_list_by_public_id(App& app, std::string_view public_id) {
  std::string id(public_id);
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (id.size() != kPublicIdChars) return make_error(Errc::not_found, "There is no such list.");
  auto rows = run_one(app, "lists.find_by_public_id", {id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return make_error(Errc::not_found, "There is no such list.");
  return list_from_row(rows->front());
}

std::string subscribe_url(const App& app, const MailingList& list) {
  return app.config.http_base_url + "/s/" + list.public_id;
}

}  // namespace sm::services
