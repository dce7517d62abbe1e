// Subscriptions: a subscriber on a list, pending → confirmed → unsubscribed. Double opt-in
// through public forms (with the sign-up half of the consent record and the confirmation
// email), confirmation with a signed consent receipt, unsubscribing by a signed non-expiring
// token (page, RFC 8058 one-click, preferences), and the account holder's own additions.
//
// Every public entry point answers the same way whether or not the address was known, so a
// form cannot be used to learn who is subscribed.
//
// Thread-safe: functions keep no state of their own; the App's members are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/accounts.hpp"
#include "services/app.hpp"
#include "services/consent_receipt.hpp"
#include "services/consent_record.hpp"
#include "services/lists.hpp"
#include "services/subscriber_fields.hpp"

namespace sm::services {

// A pending subscription not confirmed within this long is deleted with its evidence.
constexpr Millis kPendingLife = 7 * kDay;
// At most this many confirmation emails go to one address per day, across all accounts.
constexpr int kConfirmationsPerDay = 3;

enum class SubscriptionStatus { pending, confirmed, unsubscribed };
std::string_view status_name(SubscriptionStatus s);
std::optional<SubscriptionStatus> parse_status(std::string_view name);

struct Subscription {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::int64_t list_id = 0;
  std::int64_t subscriber_id = 0;
  SubscriptionStatus status = SubscriptionStatus::pending;
  std::string token_salt;
  Millis created_at = 0;
  std::optional<Millis> confirmed_at;
  std::optional<Millis> unsubscribed_at;
};

// The wording a list's hosted form shows (controller, list name and description, field labels,
// button), as one text: its digest goes into the consent record.
std::string form_wording(const MailingList& list, const Account& account,
                         const std::vector<FieldDefinition>& fields);
constexpr std::string_view kSubscribeButton = "Subscribe";

// A sign-up through a public form. fields: declared field key → value as typed.
struct FormSignup {
  std::string email;
  std::map<std::string, std::string> fields;
  bool honeypot_filled = false;
};

// Validates the address and fields (field errors for the form), then records a pending
// subscription with its sign-up evidence and sends the confirmation email. Succeeds without
// doing anything for a filled honeypot, an address already confirmed, or an address over its
// daily confirmation limit. rate_limited when the IP sent too many sign-ups.
Status subscribe_by_form(App& app, const MailingList& list, const FormSignup& signup,
                         const Evidence& evidence);

// What the confirmation and unsubscribe pages show.
struct SubscriptionView {
  Subscription subscription;
  MailingList list;
  Account account;
};

// The GET of a confirmation link: what it would confirm, changing nothing.
Result<SubscriptionView> check_confirmation(App& app, std::string_view token);
// The POST: confirms, records the evidence, lifts a suppression, issues a receipt.
Result<SubscriptionView> confirm_subscription(App& app, std::string_view token,
                                              const Evidence& evidence);

// Signed, non-expiring token of one subscription, for /u/{token} and /p/{token}.
std::string unsubscribe_token(const App& app, const Subscription& s);
std::string unsubscribe_url(const App& app, const Subscription& s);
// The RFC 8058 List-Unsubscribe URL (POST List-Unsubscribe=One-Click answers 200).
std::string one_click_unsubscribe_url(const App& app, const Subscription& s);
std::string preferences_url(const App& app, const Subscription& s);

// The subscription a token stands for; not_found when the token is not valid.
Result<SubscriptionView> check_unsubscribe_token(App& app, std::string_view token);
// Unsubscribes at once: status, consent event, suppression. Already left is fine.
Result<SubscriptionView> unsubscribe(App& app, std::string_view token, const Evidence& evidence);

// The preferences page: every list of the token's account with this subscriber's status.
struct ListChoice {
  MailingList list;
  std::optional<Subscription> subscription;
};
struct Preferences {
  Account account;
  std::string email;  // shown to the token's holder only
  std::vector<ListChoice> lists;
};
Result<Preferences> preferences(App& app, std::string_view token);
// Leaves the given lists (ids of the token's account); others stay as they are.
Status leave_lists(App& app, std::string_view token, const std::vector<std::int64_t>& list_ids,
                   const Evidence& evidence);

// An account holder adds someone (web page or API). With confirmed = false the person gets a
// confirmation email; with confirmed = true the source and basis are required and recorded.
// A suppressed address is refused (conflict): only its owner can lift that, through a form.
enum class Basis { consent, contract, legitimate_interest };
std::optional<Basis> parse_basis(std::string_view name);
std::string_view basis_name(Basis b);

struct NewSubscriber {
  std::string email;
  std::map<std::string, std::string> fields;
  bool confirmed = false;
  std::string source;
  std::string basis;
};
struct AddedSubscriber {
  std::int64_t subscriber_id = 0;
  std::int64_t subscription_id = 0;
  SubscriptionStatus status = SubscriptionStatus::pending;
};
Result<AddedSubscriber> add_subscriber(App& app, std::int64_t account_id, std::int64_t list_id,
                                       const NewSubscriber& person, const Evidence& who);

// Subscribers of a list, for the account pages and the API.
struct ListMember {
  std::int64_t subscriber_id = 0;
  std::string email;
  Subscription subscription;
};
struct MemberPage {
  std::vector<ListMember> members;
  std::int64_t total = 0;  // with the status filter
};
Result<MemberPage> list_members(App& app, std::int64_t account_id, std::int64_t list_id,
                                std::optional<SubscriptionStatus> status, std::int64_t limit,
                                std::int64_t offset);

// One subscriber with every subscription, its consent record and receipts.
struct SubscriptionRecord {
  Subscription subscription;
  std::string list_name;
  std::string list_public_id;
  std::vector<ConsentEvent> events;
  std::vector<ConsentReceipt> receipts;
};
struct SubscriberRecord {
  std::int64_t id = 0;
  std::string email;
  std::string fields_json;  // JSON object of field key → value
  Millis created_at = 0;
  Millis updated_at = 0;
  std::vector<SubscriptionRecord> subscriptions;
};
Result<SubscriberRecord> find_subscriber(App& app, std::int64_t account_id,
                                         std::int64_t subscriber_id);
Result<ConsentReceipt> find_receipt(App& app, std::int64_t account_id, std::int64_t subscriber_id,
                                    std::int64_t receipt_id);
// Deletes the subscriber with its subscriptions and consent records; suppressions stay.
Status delete_subscriber(App& app, std::int64_t account_id, std::int64_t subscriber_id);

// Maintenance: deletes pending subscriptions older than kPendingLife with their evidence, and
// subscribers that are left with no subscription. Returns subscriptions removed.
Result<std::int64_t> expire_pending_subscriptions(App& app);
// Maintenance: forgets confirmation sends older than a day.
Result<std::int64_t> forget_old_confirmation_sends(App& app);

// For the implementation files: a subscription from the columns id, account_id, list_id,
// subscriber_id, status, token_salt, created_at, confirmed_at, unsubscribed_at at `first`.
Subscription subscription_from_row(const store::Row& r, std::size_t first = 0);

}  // namespace sm::services
