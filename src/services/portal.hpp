// The subscriber data access portal (DESIGN.md flow 5): anyone who controls an address can see
// what every account on this installation holds about it, amend field values, unsubscribe
// from anything, export it all (CSV and JSON) and have it erased, account by account or
// everywhere at once.
//
// Getting in: request_portal_link() answers the same whether or not the address is held, and
// does the same work either way (a link row is written for both); only a held address is
// emailed, off the request path (services/portal_mail.hpp). The emailed link is single-use and
// valid for an hour; opening it starts a portal session of 30 minutes idle, carried by a
// first-party cookie whose token is stored hashed. Every portal action is written to the
// security audit table (account-less rows: time, IP address, user agent and what was done);
// no address ever reaches a log.
//
// The cross-account look-up by address is in portal.cpp and nowhere else; everything after
// it reads and writes account by account, with the account id of the holding found.
//
// Thread-safe: functions keep no state; the App's members are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/email_address.hpp"
#include "services/accounts.hpp"
#include "services/app.hpp"
#include "services/bounces.hpp"
#include "services/consent_record.hpp"
#include "services/subscriber_activity.hpp"
#include "services/subscriber_fields.hpp"
#include "services/subscriptions.hpp"

namespace sm::services {

constexpr Millis kPortalLinkLife = kHour;
constexpr Millis kPortalSessionIdle = 30 * kMinute;
constexpr Millis kPortalSessionAbsolute = 2 * kHour;

// ---- Getting in ---------------------------------------------------------------------------

// Checks the address (a field error when it is not one), then, unless this IP address or this
// address asked too often, writes a link and emails it when any account holds the address.
// Succeeds the same way for held, unknown and throttled addresses; rate_limited only when the
// IP address sent too many requests (which says nothing about the address).
Status request_portal_link(App& app, std::string_view email, const Requester& who);

// The GET of a link: valid or not, without using it (so that mail scanners fetching the link
// do not use it up; the page's button does).
Status check_portal_link(App& app, std::string_view token);

// The POST: uses the link up and starts a portal session; returns the session's token for the
// cookie. not_found for a link that is unknown, used or expired.
Result<std::string> open_portal_link(App& app, std::string_view token, const Requester& who);

struct PortalSession {
  std::int64_t id = 0;
  std::string token_hash;  // for the CSRF token; never the token itself
  EmailAddress address;    // PERSONAL DATA: shown to the session's holder only
};

// The live session of a cookie token, refreshed; unauthorized when the token is unknown, idle
// for more than 30 minutes or older than 2 hours.
Result<PortalSession> find_portal_session(App& app, std::string_view token);
Status end_portal_session(App& app, std::string_view token, const Requester& who);

std::string portal_csrf_token(const App& app, const PortalSession& s);
bool portal_csrf_ok(const App& app, const PortalSession& s, std::string_view presented);

// ---- What is held -------------------------------------------------------------------------

// A campaign sent to the subscriber.
struct PortalDelivery {
  std::int64_t id = 0;
  std::int64_t campaign_id = 0;
  std::string campaign_name;
  std::string subject;
  std::string status;
  std::optional<Millis> sent_at;
};

// Named activity is kept with the subscription whose list the campaign went to.
struct PortalSubscription {
  SubscriptionRecord record;  // list, status, consent record, receipts
  std::vector<PortalDelivery> deliveries;
  std::vector<ActivityItem> activity;  // opens, clicks, unsubscribes of the last six months
  std::vector<BounceEvent> bounces;    // bounces and complaints
};

// A field value held, with the definition it was stored under (none when the account has since
// removed the field: the value is still shown and exported, as held).
struct PortalField {
  std::string key;
  std::string value;
  std::optional<FieldDefinition> definition;
};

struct PortalSuppression {
  std::string reason;
  Millis since = 0;
};

// Everything one account holds about the address.
struct PortalHolding {
  Account account;  // the controller details
  std::optional<std::int64_t> subscriber_id;
  std::string email_as_held;
  Millis subscriber_since = 0;
  Millis updated_at = 0;
  std::vector<PortalField> fields;  // declared fields first (empty when not held), then others
  std::vector<PortalSubscription> subscriptions;
  std::optional<PortalSuppression> suppression;
};

struct PortalView {
  std::string address;  // normalised, as the session proved it
  std::vector<PortalHolding> holdings;
};

// What every account holds about the session's address.
Result<PortalView> portal_view(App& app, const PortalSession& s, const Requester& who);

// One subscriber of one account, as the portal would show it: for the account holder's own
// export (a request received directly). not_found when the account has no such subscriber.
Result<PortalHolding> subscriber_holding(App& app, std::int64_t account_id,
                                         std::int64_t subscriber_id);

// A receipt file of the session's address at one account; not_found otherwise.
Result<ConsentReceipt> portal_receipt(App& app, const PortalSession& s, std::int64_t account_id,
                                      std::int64_t receipt_id, const Requester& who);

// ---- What the person can do ---------------------------------------------------------------

// New values of the declared fields (key → value; empty removes the value) at one account,
// each checked and normalised by that account's definition. A refusal is a field error.
Status portal_amend_fields(App& app, const PortalSession& s, std::int64_t account_id,
                           const std::map<std::string, std::string>& values, const Requester& who);

// Unsubscribes at once, with a consent event and a suppression: from one subscription of one
// account, from every list of one account, or (no account) from everything.
struct PortalUnsubscribe {
  std::optional<std::int64_t> account_id;       // none: every account
  std::optional<std::int64_t> subscription_id;  // with an account: only this one
};
Status portal_unsubscribe(App& app, const PortalSession& s, const PortalUnsubscribe& what,
                          const Requester& who);

// Erases what one account (or, with none, every account) holds: the subscriber, field values,
// subscriptions, consent records, receipts and deliveries. A suppression (a keyed hash) stays
// so that an old upload cannot bring the address back. Returns how many accounts erased.
Result<std::int64_t> portal_erase(App& app, const PortalSession& s,
                                  std::optional<std::int64_t> account_id, const Requester& who);

// ---- Exports (portal_export.cpp) ------------------------------------------------------------

// CSV (RFC 4180, formula-safe cells): a header, then one row per subscription with the account
// in its first columns; an account holding no subscription gets one row with the list empty.
void write_portal_csv(const PortalView& view, const App& app, std::ostream& out);
// JSON with everything the page shows, consent receipts included.
nlohmann::json portal_json(const PortalView& view, const App& app);
nlohmann::json holding_json(const PortalHolding& h, const App& app);

// The exports with their audit row.
Status export_portal_csv(App& app, const PortalSession& s, std::ostream& out, const Requester& who);
Result<std::string> export_portal_json(App& app, const PortalSession& s, const Requester& who);

// ---- For the implementation files ---------------------------------------------------------

// portal_view without its audit row, for the exports (which write their own).
Result<PortalView> collect_portal_view(App& app, const PortalSession& s);

// The audit row of a portal action: no account, no user, no address.
void audit_portal(App& app, std::string_view kind, const Requester& who);

// The accounts holding an address, with the subscriber id (0 when only a suppression is held).
struct PortalHolder {
  std::int64_t account_id = 0;
  std::int64_t subscriber_id = 0;
};
Result<std::vector<PortalHolder>> portal_holders(App& app, store::Connection& c,
                                                 const EmailAddress& address);

// One account's holding of an address (nullopt subscriber when only a suppression is held).
Result<PortalHolding> holding_of(App& app, store::Connection& c, const PortalHolder& holder,
                                 const EmailAddress& address);

}  // namespace sm::services
