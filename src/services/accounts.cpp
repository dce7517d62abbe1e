#include "services/accounts.hpp"

#include "core/email_address.hpp"
#include "core/text.hpp"
#include "services/audit.hpp"
#include "services/notification.hpp"
#include "services/one_time_link.hpp"
#include "services/password.hpp"

namespace sm::services {
namespace {

constexpr Millis kVerifyLinkLife = kDay;
constexpr std::size_t kMaxFieldBytes = 500;
constexpr std::size_t kMaxAddressBytes = 2000;

bool has_control_chars(std::string_view s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (c == '\n' && allow_newlines) continue;
    if (c == '\r' && allow_newlines) continue;
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

Status check_text(std::string_view field, std::string_view value, bool required,
                  std::string_view label, bool multiline = false) {
  if (required && value.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return field_error(std::string(field), std::string(label) + " is required.");
  }
  if (value.size() > (multiline ? kMaxAddressBytes : kMaxFieldBytes)) {
    return field_error(std::string(field), std::string(label) + " is too long.");
  }
  if (has_control_chars(value, multiline)) {
    return field_error(std::string(field),
                       std::string(label) + " cannot contain control characters.");
  }
  return {};
}

Status check_website(std::string_view url) {
  if (url.empty()) return {};
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    return field_error("website",
                       "The website must be a full address starting with https:// or http://.");
  }
  if (url.find_first_of(" \t\r\n<>\"") != std::string_view::npos || url.size() > 500) {
    return field_error("website", "The website address contains characters a URL cannot have.");
  }
  return {};
}

ControllerDetails trimmed(ControllerDetails d) {
  for (auto* s : {&d.organisation, &d.contact_name, &d.postal_address, &d.contact_email, &d.website,
                  &d.privacy_contact}) {
    *s = std::string(trim_whitespace(*s));
  }
  return d;
}

Account account_from_row(const store::Row& r) {
  Account a;
  a.id = r.integer(0);
  a.details = {r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)};
  a.email_verified_at = r.optional_integer(7);
  a.created_at = r.integer(8);
  return a;
}

std::vector<store::Value> details_params(const ControllerDetails& d) {
  return {d.organisation,  d.contact_name, d.postal_address,
          d.contact_email, d.website,      d.privacy_contact};
}

Error email_taken() {
  return field_error("email",
                     "That email address already signs in to an account. Sign in instead, or "
                     "use the password reset if you forgot the password.");
}

// Inserts the account and its owner user in one transaction.
Result<CreatedAccount> insert_account(store::Connection& c, const ControllerDetails& d,
                                      const EmailAddress& email, const std::string& pw_hash,
                                      bool verified, Millis now) {
  store::Value verified_at = verified ? store::Value(now) : store::Value(store::Null{});
  auto params = details_params(d);
  params.push_back(verified_at);
  params.push_back(now);
  auto acc = store::run_named(c, "accounts.insert", params);
  if (!acc.ok()) return acc.take_error();
  std::int64_t account_id = acc->front().integer(0);

  store::Value hash = pw_hash.empty() ? store::Value(store::Null{}) : store::Value(pw_hash);
  auto user = store::run_named(c, "users.insert",
                               {account_id, email.display(), email.normalized(), d.contact_name,
                                std::string("owner"), hash, verified_at, now});
  if (!user.ok()) {
    if (user.error().constraint == Constraint::unique) return email_taken();
    return user.take_error();
  }
  return CreatedAccount{account_id, user->front().integer(0)};
}

}  // namespace

bool Account::details_complete() const {
  return !details.organisation.empty() && !details.postal_address.empty() &&
         !details.contact_email.empty() && !details.privacy_contact.empty();
}

Status validate_details(const ControllerDetails& d, bool require_privacy_contact) {
  SM_TRY(check_text("organisation", d.organisation, true, "The organisation name"));
  SM_TRY(check_text("contact_name", d.contact_name, true, "Your name"));
  SM_TRY(check_text("address", d.postal_address, true, "The postal address", true));
  if (auto e = parse_email_address(d.contact_email); !e.ok()) {
    Error err = e.take_error();
    err.field = "email";
    return err;
  }
  SM_TRY(check_website(d.website));
  SM_TRY(check_text("privacy_contact", d.privacy_contact, require_privacy_contact,
                    "The privacy contact"));
  return {};
}

Result<CreatedAccount> sign_up(App& app, const SignupForm& form, const Requester& who) {
  if (!app.config.accounts_open_signup) {
    return make_error(Errc::forbidden,
                      "Sign-up is closed on this installation. Ask its operator for an account.");
  }
  ControllerDetails d = trimmed(form.details);
  SM_TRY(validate_details(d, false));
  auto email = parse_email_address(d.contact_email);
  SM_TRY(check_password_policy(form.password, {d.organisation, d.contact_name, d.contact_email}));
  auto hash = hash_password(form.password);
  if (!hash.ok()) return hash.take_error();
  d.contact_email = email->display();
  if (d.privacy_contact.empty()) d.privacy_contact = d.contact_email;

  std::string token;
  auto created =
      app.db->transact<CreatedAccount>([&](store::Connection& c) -> Result<CreatedAccount> {
        auto ids = insert_account(c, d, *email, *hash, false, app.now());
        if (!ids.ok()) return ids;
        auto t = create_link(app, c, LinkPurpose::verify_email, ids->user_id, kVerifyLinkLife);
        if (!t.ok()) return t.take_error();
        token = *t;
        audit(app, c, ids->account_id, ids->user_id, "account_created", who);
        return ids;
      });
  if (!created.ok()) return created;

  TemplateValue data;
  data.set("contact_name", d.contact_name).set("organisation", d.organisation);
  data.set("verify_url", app.config.http_base_url + "/verify-email/" + token);
  SM_TRY(send_service_email(app, "verify_email", email->ascii(), data));
  return created;
}

Result<OperatorCreated> create_account_as_operator(App& app, const ControllerDetails& in,
                                                   const std::string& password) {
  ControllerDetails d = trimmed(in);
  if (d.contact_name.empty()) d.contact_name = d.organisation;
  if (d.postal_address.empty()) d.postal_address = "";
  SM_TRY(check_text("organisation", d.organisation, true, "--org"));
  auto email = parse_email_address(d.contact_email);
  if (!email.ok()) return email.take_error();
  SM_TRY(check_website(d.website));
  d.contact_email = email->display();
  if (d.privacy_contact.empty()) d.privacy_contact = d.contact_email;

  std::string hash;
  if (!password.empty()) {
    SM_TRY(check_password_policy(password, {d.organisation, d.contact_email}));
    auto h = hash_password(password);
    if (!h.ok()) return h.take_error();
    hash = *h;
  }

  OperatorCreated out;
  std::string token;
  auto created =
      app.db->transact<CreatedAccount>([&](store::Connection& c) -> Result<CreatedAccount> {
        auto ids = insert_account(c, d, *email, hash, true, app.now());
        if (!ids.ok() || !hash.empty()) return ids;
        auto t = create_link(app, c, LinkPurpose::reset_password, ids->user_id, kDay);
        if (!t.ok()) return t.take_error();
        token = *t;
        return ids;
      });
  if (!created.ok()) return created.take_error();
  out.ids = *created;
  if (!token.empty()) out.set_password_url = app.config.http_base_url + "/reset/" + token;
  return out;
}

Status check_email_verification(App& app, std::string_view token) {
  auto user = peek_link(app, LinkPurpose::verify_email, token);
  if (!user.ok()) return user.take_error();
  return {};
}

Status verify_email(App& app, std::string_view token, const Requester& who) {
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto user_id = consume_link(app, c, LinkPurpose::verify_email, token);
    if (!user_id.ok()) return user_id.take_error();
    auto r = store::run_named(c, "users.mark_verified", {*user_id, app.now()});
    if (!r.ok()) return r.take_error();
    if (r->empty()) return make_error(Errc::not_found, "This sign-in no longer exists.");
    std::int64_t account_id = r->front().integer(0);
    auto a = store::run_named(c, "accounts.mark_verified", {account_id, app.now()});
    if (!a.ok()) return a.take_error();
    audit(app, c, account_id, *user_id, "email_verified", who);
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

Result<Account> find_account(App& app, std::int64_t account_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "accounts.find", {account_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return make_error(Errc::not_found, "There is no such account.");
  return account_from_row(rows->front());
}

Status update_details(App& app, std::int64_t account_id, const ControllerDetails& in) {
  ControllerDetails d = trimmed(in);
  SM_TRY(validate_details(d, true));
  d.contact_email = parse_email_address(d.contact_email)->display();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto params = details_params(d);
  params.insert(params.begin(), account_id);
  auto r = store::run_named(**lease, "accounts.update_details", params);
  if (!r.ok()) return r.take_error();
  return {};
}

}  // namespace sm::services
