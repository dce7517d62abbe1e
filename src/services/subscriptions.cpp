#include "services/subscriptions.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "core/email_address.hpp"
#include "core/log.hpp"
#include "core/template.hpp"
#include "services/suppression.hpp"

namespace sm::services {
namespace {

using nlohmann::json;

Error link_not_valid() {
  return make_error(Errc::not_found,
                    "This link is not valid: it may have been copied incompletely, or the "
                    "subscription it was for no longer exists.");
}

Error confirm_link_not_valid() {
  return make_error(Errc::not_found,
                    "This confirmation link is not valid any more: it was already used, it is "
                    "older than 7 days, or it was copied incompletely. Sign up again on the "
                    "list's page to get a new one.");
}

// Rate-limiter keys are hashes, so the limiter never holds an address or IP in clear.
std::string limiter_key(const App& app, std::string_view kind, std::string_view value) {
  return crypto::hmac_hex(app.keys->hmac_key(),
                          "limit:" + std::string(kind) + ":" + std::string(value));
}

// The declared fields of `values` as a JSON object, each value checked and normalised.
Result<std::string> fields_json(App& app, std::int64_t account_id,
                                const std::map<std::string, std::string>& values,
                                bool refuse_unknown) {
  auto declared = account_fields(app, account_id);
  if (!declared.ok()) return declared.take_error();
  json out = json::object();
  for (const auto& [key, value] : values) {
    const FieldDefinition* field = nullptr;
    for (const auto& f : *declared) {
      if (f.key == key) field = &f;
    }
    if (field == nullptr) {
      if (!refuse_unknown) continue;
      return field_error("fields", "There is no field \"" + key +
                                       "\" in this account; declare it first or leave it out.");
    }
    auto normal = normalize_field_value(*field, value);
    if (!normal.ok()) return normal.take_error();
    if (!normal->empty()) out[key] = *normal;
  }
  return out.dump();
}

Result<std::int64_t> find_or_create_subscriber(App& app, store::Connection& c,
                                               std::int64_t account_id, const EmailAddress& a,
                                               const std::string& fields) {
  auto found = store::run_named(c, "subscribers.find_by_email", {account_id, a.normalized()});
  if (!found.ok()) return found.take_error();
  // A known subscriber's fields are not overwritten by a form anyone can post.
  if (!found->empty()) return found->front().integer(0);
  auto made = store::run_named(c, "subscribers.insert",
                               {account_id, a.display(), a.normalized(), fields, app.now()});
  if (!made.ok()) return made.take_error();
  return made->front().integer(0);
}

struct Existing {
  std::int64_t id = 0;
  std::string status;
};
Result<std::optional<Existing>> existing_subscription(store::Connection& c, std::int64_t account_id,
                                                      std::int64_t list_id,
                                                      std::int64_t subscriber_id) {
  auto rows = store::run_named(c, "subscriptions.find_for_subscriber_on_list",
                               {account_id, list_id, subscriber_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return std::optional<Existing>();
  return std::optional<Existing>(Existing{rows->front().integer(0), rows->front().text(1)});
}

// Makes the subscription pending with a fresh confirmation token; returns its id and token.
struct Pending {
  std::int64_t subscription_id = 0;
  std::string token;
};
Result<Pending> start_pending(App& app, store::Connection& c, std::int64_t account_id,
                              std::int64_t list_id, std::int64_t subscriber_id,
                              const std::optional<Existing>& existing) {
  Pending p{0, crypto::random_token()};
  std::string hash = crypto::sha256_hex(p.token);
  if (existing) {
    auto r = store::run_named(c, "subscriptions.restart_pending",
                              {account_id, existing->id, hash, app.now()});
    if (!r.ok()) return r.take_error();
    p.subscription_id = existing->id;
    return p;
  }
  auto r = store::run_named(c, "subscriptions.insert",
                            {account_id, list_id, subscriber_id, std::string("pending"),
                             crypto::random_token(), hash, app.now(), store::Null{}});
  if (!r.ok()) return r.take_error();
  p.subscription_id = r->front().integer(0);
  return p;
}

Result<bool> over_daily_cap(App& app, store::Connection& c, const std::string& address_hmac) {
  auto rows =
      store::run_named(c, "consent.count_confirmation_sends", {address_hmac, app.now() - kDay});
  if (!rows.ok()) return rows.take_error();
  return rows->front().integer(0) >= kConfirmationsPerDay;
}

TemplateValue merge_tags(const App& app, const MailingList& list, const Account& account,
                         const std::string& confirm_url) {
  const auto& d = account.details;
  TemplateValue t;
  t.set("confirm_url", confirm_url).set("list_name", list.name);
  t.set("list_description", list.description).set("organisation", d.organisation);
  t.set("postal_address", d.postal_address).set("contact_email", d.contact_email);
  t.set("privacy_contact", d.privacy_contact).set("website", d.website);
  t.set("privacy_url", app.config.http_base_url + "/privacy/" + std::to_string(account.id));
  return t;
}

Result<mail::Message> confirmation_message(const App& app, const MailingList& list,
                                           const Account& account, const EmailAddress& to,
                                           const std::string& token) {
  TemplateValue tags =
      merge_tags(app, list, account, app.config.http_base_url + "/confirm/" + token);
  auto subject = render_template(list.confirm_subject, tags, Escape::none);
  auto body = render_template(list.confirm_body, tags, Escape::none);
  if (!subject.ok() || !body.ok()) {
    return make_error(Errc::invalid_input,
                      "The list's confirmation email cannot be rendered; fix its wording on the "
                      "list's page.",
                      "confirmation template error list_id=" + std::to_string(list.id));
  }
  const auto& d = account.details;
  mail::Message m;
  m.to.push_back({to.ascii(), ""});
  m.reply_to.push_back({d.contact_email, d.organisation});
  m.subject = *subject;
  // The controller details travel with every message, whatever the list's own wording says.
  m.text_body = *body + "\n\n-- \nSent on behalf of " + d.organisation + "\n" + d.postal_address +
                "\n" + d.contact_email + "\n" + d.website + "\n";
  m.headers.push_back({"Auto-Submitted", "auto-generated"});
  return m;
}

// Sends the confirmation email, counts it against the address's daily cap and keeps a copy of
// it in the consent record.
Status send_confirmation(App& app, store::Connection& c, const MailingList& list,
                         const Account& account, const EmailAddress& to, const Pending& p,
                         const std::string& address_hmac) {
  auto message = confirmation_message(app, list, account, to, p.token);
  if (!message.ok()) return message.take_error();
  SM_TRY(store::run_named(c, "consent.insert_confirmation_send", {address_hmac, app.now()}));
  auto sent = app.mailer->send_keeping_copy(std::move(*message));
  if (!sent.ok()) {
    log::error("confirmation email failed subscription_id={} detail={}", p.subscription_id,
               sent.error().detail);
    return make_error(Errc::unavailable,
                      "We could not send the confirmation email just now. Please try again in "
                      "a few minutes.",
                      sent.error().detail);
  }
  ConsentEvent e;
  e.kind = ConsentKind::confirmation_email;
  e.occurred_at = app.now();
  e.message = std::move(*sent);
  auto recorded = record_consent_event(c, account.id, p.subscription_id, e);
  if (!recorded.ok()) return recorded.take_error();
  return {};
}

struct FormContext {
  Account account;
  std::string wording;
  std::string fields;
};

Status form_signup_in(App& app, store::Connection& c, const MailingList& list,
                      const FormContext& ctx, const EmailAddress& address,
                      const Evidence& evidence) {
  std::string address_hmac = suppression_hmac(app, address);
  auto subscriber_id = find_or_create_subscriber(app, c, list.account_id, address, ctx.fields);
  if (!subscriber_id.ok()) return subscriber_id.take_error();
  auto existing = existing_subscription(c, list.account_id, list.id, *subscriber_id);
  if (!existing.ok()) return existing.take_error();
  // Already confirmed, or mailed too often today: nothing to do, and the same reply.
  if (*existing && (*existing)->status == "confirmed") return {};
  auto capped = over_daily_cap(app, c, address_hmac);
  if (!capped.ok()) return capped.take_error();
  if (*capped) return {};

  auto version = form_version_for(app, c, list.account_id, list.id, ctx.wording);
  if (!version.ok()) return version.take_error();
  auto pending = start_pending(app, c, list.account_id, list.id, *subscriber_id, *existing);
  if (!pending.ok()) return pending.take_error();
  ConsentEvent e;
  e.kind = ConsentKind::signup;
  e.occurred_at = app.now();
  e.evidence = evidence;
  e.form_version_id = version->id;
  e.form_digest = version->digest;
  auto recorded = record_consent_event(c, list.account_id, pending->subscription_id, e);
  if (!recorded.ok()) return recorded.take_error();
  return send_confirmation(app, c, list, ctx.account, address, *pending, address_hmac);
}

Result<SubscriptionView> view_of(App& app, const Subscription& s) {
  auto list = find_list(app, s.account_id, s.list_id);
  if (!list.ok()) return list.take_error();
  auto account = find_account(app, s.account_id);
  if (!account.ok()) return account.take_error();
  return SubscriptionView{s, std::move(*list), std::move(*account)};
}

Result<Subscription> load_subscription(store::Connection& c, std::int64_t account_id,
                                       std::int64_t id) {
  auto rows = store::run_named(c, "subscriptions.find", {account_id, id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return link_not_valid();
  return subscription_from_row(rows->front());
}

Result<EmailAddress> subscriber_address(store::Connection& c, std::int64_t account_id,
                                        std::int64_t subscriber_id) {
  auto rows = store::run_named(c, "subscribers.find", {account_id, subscriber_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return link_not_valid();
  return parse_email_address(rows->front().text(1));
}

// The facts a receipt states, from the latest event of each kind in the record.
ReceiptFacts receipt_facts(const SubscriptionView& v, const EmailAddress& address,
                           const std::vector<ConsentEvent>& events) {
  ReceiptFacts f;
  f.address_sha256 = crypto::sha256_hex(address.normalized());
  f.account_id = v.subscription.account_id;
  f.list_id = v.list.id;
  f.list_public_id = v.list.public_id;
  f.subscription_id = v.subscription.id;
  f.signed_up_at = v.subscription.created_at;
  f.confirmed_at = v.subscription.confirmed_at.value_or(0);
  std::string signup, confirmation;
  for (const auto& e : events) {
    if (e.kind == ConsentKind::signup) {
      signup = e.digest;
      f.form_digest = e.form_digest;
    }
    if (e.kind == ConsentKind::confirmation) confirmation = e.digest;
    if (e.kind == ConsentKind::confirmation_email) f.message_digest = e.digest;
  }
  f.evidence_digests = {signup, confirmation};
  return f;
}

Result<SubscriptionView> confirm_in(App& app, store::Connection& c, std::string_view token,
                                    const Evidence& evidence) {
  Millis now = app.now();
  auto rows = store::run_named(c, "subscriptions.find_pending_by_token_hash",
                               {crypto::sha256_hex(token), now - kPendingLife});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return confirm_link_not_valid();
  std::int64_t id = rows->front().integer(0), account_id = rows->front().integer(1);
  // The UPDATE checks the status again, so two clicks racing confirm once.
  auto done = store::run_named(c, "subscriptions.confirm", {account_id, id, now});
  if (!done.ok()) return done.take_error();
  if (done->affected != 1) return confirm_link_not_valid();

  ConsentEvent e;
  e.kind = ConsentKind::confirmation;
  e.occurred_at = now;
  e.evidence = evidence;
  if (auto r = record_consent_event(c, account_id, id, e); !r.ok()) return r.take_error();

  auto s = load_subscription(c, account_id, id);
  if (!s.ok()) return s.take_error();
  auto address = subscriber_address(c, account_id, s->subscriber_id);
  if (!address.ok()) return address.take_error();
  SM_TRY(lift_suppression(app, c, account_id, *address));
  auto view = view_of(app, *s);
  if (!view.ok()) return view.take_error();
  auto events = consent_events(c, account_id, id);
  if (!events.ok()) return events.take_error();
  auto receipt = issue_receipt(app, c, receipt_facts(*view, *address, *events));
  if (!receipt.ok()) return receipt.take_error();
  return view;
}

std::string token_mac(const App& app, std::int64_t id, std::string_view salt) {
  std::string mac = crypto::hmac_sha256(
      app.keys->hmac_key(), "unsubscribe:" + std::to_string(id) + ":" + std::string(salt));
  return crypto::base64url_encode(mac.substr(0, 16));
}

// Ends one subscription: status, consent event, suppression. Already left changes nothing.
Status unsubscribe_in(App& app, store::Connection& c, const Subscription& s,
                      const Evidence& evidence) {
  Millis now = app.now();
  auto done = store::run_named(c, "subscriptions.unsubscribe", {s.account_id, s.id, now});
  if (!done.ok()) return done.take_error();
  if (done->affected == 0) return {};
  ConsentEvent e;
  e.kind = ConsentKind::unsubscribe;
  e.occurred_at = now;
  e.evidence = evidence;
  if (auto r = record_consent_event(c, s.account_id, s.id, e); !r.ok()) return r.take_error();
  auto address = subscriber_address(c, s.account_id, s.subscriber_id);
  if (!address.ok()) return address.take_error();
  return suppress(app, c, s.account_id, *address, SuppressionReason::unsubscribed);
}

Result<Subscription> subscription_of_token(App& app, store::Connection& c, std::string_view token) {
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return link_not_valid();
  auto id_text = crypto::base64url_decode(token.substr(0, dot));
  if (!id_text.ok()) return link_not_valid();
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(id_text->data(), id_text->data() + id_text->size(), id);
  if (ec != std::errc() || end != id_text->data() + id_text->size()) return link_not_valid();
  auto rows = store::run_named(c, "subscriptions.find_by_id_for_token", {id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return link_not_valid();
  Subscription s = subscription_from_row(rows->front());
  if (!crypto::constant_time_equal(token_mac(app, s.id, s.token_salt), token.substr(dot + 1))) {
    return link_not_valid();
  }
  return s;
}

Result<std::vector<Subscription>> subscriptions_of(store::Connection& c, std::int64_t account_id,
                                                   std::int64_t subscriber_id) {
  auto rows = store::run_named(c, "subscriptions.for_subscriber", {account_id, subscriber_id});
  if (!rows.ok()) return rows.take_error();
  std::vector<Subscription> out;
  for (const auto& r : rows->rows) out.push_back(subscription_from_row(r));
  return out;
}

Error suppressed_refusal() {
  return make_error(Errc::conflict,
                    "This address unsubscribed from your lists (or bounced or complained), so it "
                    "cannot be added back by you. Only the person can lift that, by subscribing "
                    "again through one of your sign-up forms and confirming.");
}

}  // namespace

Subscription subscription_from_row(const store::Row& r, std::size_t i) {
  Subscription s;
  s.id = r.integer(i);
  s.account_id = r.integer(i + 1);
  s.list_id = r.integer(i + 2);
  s.subscriber_id = r.integer(i + 3);
  s.status = parse_status(r.text(i + 4)).value_or(SubscriptionStatus::pending);
  s.token_salt = r.text(i + 5);
  s.created_at = r.integer(i + 6);
  s.confirmed_at = r.optional_integer(i + 7);
  s.unsubscribed_at = r.optional_integer(i + 8);
  return s;
}

std::string_view status_name(SubscriptionStatus s) {
  switch (s) {
    case SubscriptionStatus::pending:
      return "pending";
    case SubscriptionStatus::confirmed:
      return "confirmed";
    case SubscriptionStatus::unsubscribed:
      return "unsubscribed";
  }
  return "";
}

std::optional<SubscriptionStatus> parse_status(std::string_view name) {
  for (auto s : {SubscriptionStatus::pending, SubscriptionStatus::confirmed,
                 SubscriptionStatus::unsubscribed}) {
    if (status_name(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<Basis> parse_basis(std::string_view name) {
  for (auto b : {Basis::consent, Basis::contract, Basis::legitimate_interest}) {
    if (basis_name(b) == name) return b;
  }
  return std::nullopt;
}

std::string_view basis_name(Basis b) {
  switch (b) {
    case Basis::consent:
      return "consent";
    case Basis::contract:
      return "contract";
    case Basis::legitimate_interest:
      return "legitimate-interest";
  }
  return "";
}

std::string form_wording(const MailingList& list, const Account& account,
                         const std::vector<FieldDefinition>& fields) {
  const auto& d = account.details;
  std::string w = "List: " + list.name + "\n" + "Description: " + list.description + "\n" +
                  "Controller: " + d.organisation + "\n" + "Address: " + d.postal_address + "\n" +
                  "Contact: " + d.contact_email + "\n" + "Website: " + d.website + "\n" +
                  "Privacy contact: " + d.privacy_contact + "\n" + "Field: Email address\n";
  for (const auto& f : fields) w += "Field: " + f.label + "\n";
  w += "Button: " + std::string(kSubscribeButton) + "\n";
  return w;
}

Status subscribe_by_form(App& app, const MailingList& list, const FormSignup& signup,
                         const Evidence& evidence) {
  if (signup.honeypot_filled) return {};
  auto address = parse_email_address(signup.email);
  if (!address.ok()) return address.take_error();
  if (!app.signups_by_ip.allow(limiter_key(app, "ip", evidence.ip_address), app.now())) {
    return make_error(Errc::rate_limited,
                      "There have been too many sign-ups from your network in the last hour. "
                      "Please try again later.");
  }
  // Per address the limit is silent: a refusal would tell whether the address was tried.
  if (!app.signups_by_address.allow(limiter_key(app, "address", address->normalized()),
                                    app.now())) {
    return {};
  }
  auto fields = fields_json(app, list.account_id, signup.fields, false);
  if (!fields.ok()) return fields.take_error();
  auto account = find_account(app, list.account_id);
  if (!account.ok()) return account.take_error();
  auto declared = account_fields(app, list.account_id);
  if (!declared.ok()) return declared.take_error();
  FormContext ctx{*account, form_wording(list, *account, *declared), *fields};
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    SM_TRY(form_signup_in(app, c, list, ctx, *address, evidence));
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

Result<SubscriptionView> check_confirmation(App& app, std::string_view token) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "subscriptions.find_pending_by_token_hash",
                               {crypto::sha256_hex(token), app.now() - kPendingLife});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return confirm_link_not_valid();
  auto s = load_subscription(**lease, rows->front().integer(1), rows->front().integer(0));
  if (!s.ok()) return s.take_error();
  return view_of(app, *s);
}

Result<SubscriptionView> confirm_subscription(App& app, std::string_view token,
                                              const Evidence& evidence) {
  return app.db->transact<SubscriptionView>(
      [&](store::Connection& c) { return confirm_in(app, c, token, evidence); });
}

std::string unsubscribe_token(const App& app, const Subscription& s) {
  return crypto::base64url_encode(std::to_string(s.id)) + "." + token_mac(app, s.id, s.token_salt);
}

std::string unsubscribe_url(const App& app, const Subscription& s) {
  return app.config.http_base_url + "/u/" + unsubscribe_token(app, s);
}

std::string one_click_unsubscribe_url(const App& app, const Subscription& s) {
  return unsubscribe_url(app, s);
}

std::string preferences_url(const App& app, const Subscription& s) {
  return app.config.http_base_url + "/p/" + unsubscribe_token(app, s);
}

Result<SubscriptionView> check_unsubscribe_token(App& app, std::string_view token) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto s = subscription_of_token(app, **lease, token);
  if (!s.ok()) return s.take_error();
  return view_of(app, *s);
}

Result<SubscriptionView> unsubscribe(App& app, std::string_view token, const Evidence& evidence) {
  auto s = app.db->transact<Subscription>([&](store::Connection& c) -> Result<Subscription> {
    auto found = subscription_of_token(app, c, token);
    if (!found.ok()) return found.take_error();
    SM_TRY(unsubscribe_in(app, c, *found, evidence));
    return load_subscription(c, found->account_id, found->id);
  });
  if (!s.ok()) return s.take_error();
  return view_of(app, *s);
}

Result<Preferences> preferences(App& app, std::string_view token) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto s = subscription_of_token(app, **lease, token);
  if (!s.ok()) return s.take_error();
  auto address = subscriber_address(**lease, s->account_id, s->subscriber_id);
  if (!address.ok()) return address.take_error();
  auto mine = subscriptions_of(**lease, s->account_id, s->subscriber_id);
  if (!mine.ok()) return mine.take_error();
  auto account = find_account(app, s->account_id);
  if (!account.ok()) return account.take_error();
  auto lists = account_lists(app, s->account_id);
  if (!lists.ok()) return lists.take_error();
  Preferences p{std::move(*account), address->display(), {}};
  for (auto& l : *lists) {
    ListChoice choice{l, std::nullopt};
    for (const auto& sub : *mine) {
      if (sub.list_id == l.id) choice.subscription = sub;
    }
    p.lists.push_back(std::move(choice));
  }
  return p;
}

Status leave_lists(App& app, std::string_view token, const std::vector<std::int64_t>& list_ids,
                   const Evidence& evidence) {
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto s = subscription_of_token(app, c, token);
    if (!s.ok()) return s.take_error();
    auto mine = subscriptions_of(c, s->account_id, s->subscriber_id);
    if (!mine.ok()) return mine.take_error();
    for (const auto& sub : *mine) {
      bool chosen = std::find(list_ids.begin(), list_ids.end(), sub.list_id) != list_ids.end();
      if (chosen) SM_TRY(unsubscribe_in(app, c, sub, evidence));
    }
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

namespace {

Status check_statement(const NewSubscriber& p) {
  if (!p.confirmed) return {};
  if (p.source.empty()) {
    return field_error("source",
                       "Say where this person gave consent (for example \"paper form at the "
                       "2026 open day\"); it is kept on their consent record.");
  }
  if (!parse_basis(p.basis)) {
    return field_error("basis",
                       "Choose the lawful basis: consent, contract or "
                       "legitimate-interest.");
  }
  return {};
}

Result<std::optional<AddedSubscriber>> add_in(App& app, store::Connection& c,
                                              const MailingList& list, const Account& account,
                                              const EmailAddress& address,
                                              const std::string& fields, const NewSubscriber& p,
                                              const Evidence& who) {
  auto suppressed = check_suppressed(app, c, list.account_id, address);
  if (!suppressed.ok()) return suppressed.take_error();
  // Nothing else is written, but the counted attempt must be committed.
  if (*suppressed) return std::optional<AddedSubscriber>();
  auto subscriber_id = find_or_create_subscriber(app, c, list.account_id, address, fields);
  if (!subscriber_id.ok()) return subscriber_id.take_error();
  auto existing = existing_subscription(c, list.account_id, list.id, *subscriber_id);
  if (!existing.ok()) return existing.take_error();
  if (*existing && (*existing)->status == "confirmed") {
    return make_error(Errc::conflict,
                      "This address is already a confirmed subscriber of "
                      "this list; there is nothing to add.");
  }
  AddedSubscriber added{*subscriber_id, 0, SubscriptionStatus::pending};
  ConsentEvent e;
  e.occurred_at = app.now();
  e.evidence = who;
  if (p.confirmed) {
    if (*existing) {
      added.subscription_id = (*existing)->id;
      SM_TRY(store::run_named(c, "subscriptions.mark_confirmed_directly",
                              {list.account_id, added.subscription_id, app.now()}));
    } else {
      auto r = store::run_named(c, "subscriptions.insert",
                                {list.account_id, list.id, *subscriber_id, std::string("confirmed"),
                                 crypto::random_token(), store::Null{}, app.now(), app.now()});
      if (!r.ok()) return r.take_error();
      added.subscription_id = r->front().integer(0);
    }
    added.status = SubscriptionStatus::confirmed;
    e.kind = ConsentKind::import;
    e.source = p.source;
    e.basis = p.basis;
    SM_TRY(record_consent_event(c, list.account_id, added.subscription_id, e));
    return std::optional<AddedSubscriber>(added);
  }

  std::string address_hmac = suppression_hmac(app, address);
  auto capped = over_daily_cap(app, c, address_hmac);
  if (!capped.ok()) return capped.take_error();
  if (*capped) {
    return make_error(Errc::rate_limited,
                      "This address has already been sent 3 confirmation emails in the last 24 "
                      "hours. Try again tomorrow.");
  }
  auto pending = start_pending(app, c, list.account_id, list.id, *subscriber_id, *existing);
  if (!pending.ok()) return pending.take_error();
  added.subscription_id = pending->subscription_id;
  e.kind = ConsentKind::signup;
  e.source = p.source.empty() ? "Added by the account holder; confirmation requested" : p.source;
  SM_TRY(record_consent_event(c, list.account_id, added.subscription_id, e));
  SM_TRY(send_confirmation(app, c, list, account, address, *pending, address_hmac));
  return std::optional<AddedSubscriber>(added);
}

}  // namespace

Result<AddedSubscriber> add_subscriber(App& app, std::int64_t account_id, std::int64_t list_id,
                                       const NewSubscriber& person, const Evidence& who) {
  SM_TRY(check_statement(person));
  auto address = parse_email_address(person.email);
  if (!address.ok()) return address.take_error();
  auto list = find_list(app, account_id, list_id);
  if (!list.ok()) return list.take_error();
  auto account = find_account(app, account_id);
  if (!account.ok()) return account.take_error();
  auto fields = fields_json(app, account_id, person.fields, true);
  if (!fields.ok()) return fields.take_error();
  auto added = app.db->transact<std::optional<AddedSubscriber>>([&](store::Connection& c) {
    return add_in(app, c, *list, *account, *address, *fields, person, who);
  });
  if (!added.ok()) return added.take_error();
  if (!*added) return suppressed_refusal();
  return **added;
}

}  // namespace sm::services
