#include "services/consent_record.hpp"

#include "core/crypto.hpp"

namespace sm::services {
namespace {

std::optional<ConsentKind> parse_kind(std::string_view name) {
  for (auto k : {ConsentKind::signup, ConsentKind::confirmation, ConsentKind::confirmation_email,
                 ConsentKind::import, ConsentKind::unsubscribe}) {
    if (consent_kind_name(k) == name) return k;
  }
  return std::nullopt;
}

store::Value optional_id(const std::optional<std::int64_t>& id) {
  if (id) return *id;
  return store::Null{};
}

ConsentEvent event_from_row(const store::Row& r) {
  ConsentEvent e;
  e.id = r.integer(0);
  e.kind = parse_kind(r.text(1)).value_or(ConsentKind::signup);
  e.occurred_at = r.integer(2);
  e.evidence = {r.text(3), r.text(4), r.text(5), r.text(6)};
  e.form_version_id = r.optional_integer(7);
  e.import_id = r.optional_integer(8);
  e.source = r.text(9);
  e.basis = r.text(10);
  e.message = r.text(11);
  e.digest = r.text(12);
  e.form_digest = r.text(13);
  e.form_wording = r.text(14);
  return e;
}

}  // namespace

std::string_view consent_kind_name(ConsentKind k) {
  switch (k) {
    case ConsentKind::signup:
      return "signup";
    case ConsentKind::confirmation:
      return "confirmation";
    case ConsentKind::confirmation_email:
      return "confirmation_email";
    case ConsentKind::import:
      return "import";
    case ConsentKind::unsubscribe:
      return "unsubscribe";
  }
  return "";
}

std::string event_digest(const ConsentEvent& e, std::string_view form_digest) {
  if (e.kind == ConsentKind::confirmation_email) return crypto::sha256_hex(e.message);
  // Fields joined by newlines, each with newlines escaped, so no two different events can
  // produce the same text.
  std::string text;
  auto add = [&text](std::string_view v) {
    for (char ch : v) {
      if (ch == '\\' || ch == '\n') text += '\\';
      text += ch == '\n' ? 'n' : ch;
    }
    text += '\n';
  };
  add(consent_kind_name(e.kind));
  add(std::to_string(e.occurred_at));
  add(e.evidence.ip_address);
  add(e.evidence.user_agent);
  add(e.evidence.referrer);
  add(e.evidence.form_url);
  add(form_digest);
  add(e.source);
  add(e.basis);
  return crypto::sha256_hex(text);
}

Result<std::int64_t> record_consent_event(store::Connection& c, std::int64_t account_id,
                                          std::int64_t subscription_id, ConsentEvent& e) {
  e.digest = event_digest(e, e.form_digest);
  auto rows =
      store::run_named(c, "consent.insert_event",
                       {account_id, subscription_id, std::string(consent_kind_name(e.kind)),
                        e.occurred_at, e.evidence.ip_address, e.evidence.user_agent,
                        e.evidence.referrer, e.evidence.form_url, optional_id(e.form_version_id),
                        optional_id(e.import_id), e.source, e.basis, e.message, e.digest});
  if (!rows.ok()) return rows.take_error();
  e.id = rows->front().integer(0);
  return e.id;
}

Result<FormVersion> form_version_for(App& app, store::Connection& c, std::int64_t account_id,
                                     std::int64_t list_id, const std::string& wording) {
  std::string digest = crypto::sha256_hex(wording);
  auto found = store::run_named(c, "consent.find_form_version", {account_id, list_id, digest});
  if (!found.ok()) return found.take_error();
  if (!found->empty()) return FormVersion{found->front().integer(0), digest};
  auto made = store::run_named(c, "consent.insert_form_version",
                               {account_id, list_id, digest, wording, app.now()});
  if (!made.ok()) return made.take_error();
  return FormVersion{made->front().integer(0), digest};
}

Result<std::vector<ConsentEvent>> consent_events(store::Connection& c, std::int64_t account_id,
                                                 std::int64_t subscription_id) {
  auto rows = store::run_named(c, "consent.events", {account_id, subscription_id});
  if (!rows.ok()) return rows.take_error();
  std::vector<ConsentEvent> events;
  for (const auto& r : rows->rows) events.push_back(event_from_row(r));
  return events;
}

}  // namespace sm::services
