// What a person can do in the portal: amend field values, unsubscribe, erase. Each action
// finds the holding accounts again (the session holds no account ids, so a stale page cannot
// act on an account that no longer holds the address) and then works account by account.
#include <nlohmann/json.hpp>

#include "services/portal.hpp"
#include "services/subscriber_erasure.hpp"
#include "services/suppression.hpp"

namespace sm::services {
namespace {

using nlohmann::json;

Error not_held() {
  return make_error(Errc::not_found,
                    "That account holds nothing about your address (any more). Reload the page "
                    "to see what is held now.");
}

Evidence portal_evidence(const App& app, const Requester& who) {
  return {who.ip_address, who.user_agent, "", app.config.http_base_url + "/portal"};
}

// The holders in scope: one account (not_found when it does not hold the address), or all.
Result<std::vector<PortalHolder>> holders_in_scope(App& app, store::Connection& c,
                                                   const EmailAddress& address,
                                                   std::optional<std::int64_t> account_id) {
  auto holders = portal_holders(app, c, address);
  if (!holders.ok()) return holders.take_error();
  if (!account_id) return holders;
  for (const auto& h : *holders) {
    if (h.account_id == *account_id) return std::vector<PortalHolder>{h};
  }
  return not_held();
}

// The new fields JSON: the held object with each declared field set (or, empty, removed).
Result<std::string> amended_fields(const std::string& held_json,
                                   const std::vector<FieldDefinition>& definitions,
                                   const std::map<std::string, std::string>& values) {
  json held = json::parse(held_json, nullptr, false);
  if (!held.is_object()) held = json::object();
  for (const auto& [key, value] : values) {
    const FieldDefinition* field = nullptr;
    for (const auto& d : definitions) {
      if (d.key == key) field = &d;
    }
    if (field == nullptr) {
      return field_error(key, "This account has no field \"" + key +
                                  "\" any more; reload the page to see its fields.");
    }
    auto normal = normalize_field_value(*field, value);
    if (!normal.ok()) return normal.take_error();
    if (normal->empty()) {
      held.erase(key);
    } else {
      held[key] = *normal;
    }
  }
  return held.dump();
}

// Ends one subscription: status, consent event, suppression. Already left changes nothing.
Status unsubscribe_one(App& app, store::Connection& c, const Subscription& s,
                       const EmailAddress& address, const Evidence& evidence) {
  Millis now = app.now();
  auto done = store::run_named(c, "subscriptions.unsubscribe", {s.account_id, s.id, now});
  if (!done.ok()) return done.take_error();
  if (done->affected == 0) return {};
  ConsentEvent e;
  e.kind = ConsentKind::unsubscribe;
  e.occurred_at = now;
  e.evidence = evidence;
  SM_TRY(record_consent_event(c, s.account_id, s.id, e));
  return suppress(app, c, s.account_id, address, SuppressionReason::unsubscribed);
}

Status unsubscribe_at(App& app, store::Connection& c, const PortalHolder& holder,
                      const EmailAddress& address, std::optional<std::int64_t> subscription_id,
                      const Evidence& evidence) {
  if (holder.subscriber_id == 0) return {};  // only a suppression is held: nothing to leave
  auto rows = store::run_named(c, "subscriptions.for_subscriber",
                               {holder.account_id, holder.subscriber_id});
  if (!rows.ok()) return rows.take_error();
  bool found = false;
  for (const auto& r : rows->rows) {
    Subscription s = subscription_from_row(r);
    if (subscription_id && s.id != *subscription_id) continue;
    found = true;
    SM_TRY(unsubscribe_one(app, c, s, address, evidence));
  }
  if (subscription_id && !found) return not_held();
  // Leaving a whole account suppresses the address there even when no list is left to leave.
  if (!subscription_id) {
    SM_TRY(suppress(app, c, holder.account_id, address, SuppressionReason::unsubscribed));
  }
  return {};
}

}  // namespace

Status portal_amend_fields(App& app, const PortalSession& s, std::int64_t account_id,
                           const std::map<std::string, std::string>& values, const Requester& who) {
  auto definitions = account_fields(app, account_id);
  if (!definitions.ok()) return definitions.take_error();
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto holders = holders_in_scope(app, c, s.address, account_id);
    if (!holders.ok()) return holders.take_error();
    const PortalHolder& h = holders->front();
    if (h.subscriber_id == 0) return not_held();
    auto rows = store::run_named(c, "subscribers.find", {account_id, h.subscriber_id});
    if (!rows.ok()) return rows.take_error();
    if (rows->empty()) return not_held();
    auto fields = amended_fields(rows->front().text(2), *definitions, values);
    if (!fields.ok()) return fields.take_error();
    SM_TRY(store::run_named(c, "portal.update_fields",
                            {account_id, h.subscriber_id, *fields, app.now()}));
    return true;
  });
  if (!done.ok()) return done.take_error();
  audit_portal(app, "portal_fields_amended", who);
  return {};
}

Status portal_unsubscribe(App& app, const PortalSession& s, const PortalUnsubscribe& what,
                          const Requester& who) {
  Evidence evidence = portal_evidence(app, who);
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto holders = holders_in_scope(app, c, s.address, what.account_id);
    if (!holders.ok()) return holders.take_error();
    for (const auto& h : *holders) {
      SM_TRY(unsubscribe_at(app, c, h, s.address, what.subscription_id, evidence));
    }
    return true;
  });
  if (!done.ok()) return done.take_error();
  audit_portal(app, "portal_unsubscribed", who);
  return {};
}

Result<std::int64_t> portal_erase(App& app, const PortalSession& s,
                                  std::optional<std::int64_t> account_id, const Requester& who) {
  auto erased = app.db->transact<std::int64_t>([&](store::Connection& c) -> Result<std::int64_t> {
    auto holders = holders_in_scope(app, c, s.address, account_id);
    if (!holders.ok()) return holders.take_error();
    std::int64_t n = 0;
    for (const auto& h : *holders) {
      if (h.subscriber_id == 0) continue;  // only the suppression is left there already
      SM_TRY(erase_subscriber(app, c, h.account_id, h.subscriber_id, ErasureVia::portal));
      ++n;
    }
    return n;
  });
  if (!erased.ok()) return erased.take_error();
  audit_portal(app, "portal_erased", who);
  return erased;
}

}  // namespace sm::services
