// What the portal shows: for each account holding the address, its controller details, the
// subscriber's fields, subscriptions with their consent records and receipts, the campaigns
// sent, and the suppression. Everything here reads one account at a time, with the account id
// that portal_holders (portal.cpp) found.
#include <nlohmann/json.hpp>

#include "services/portal.hpp"
#include "services/suppression.hpp"

namespace sm::services {
namespace {

using nlohmann::json;

Error not_held() {
  return make_error(Errc::not_found,
                    "That account holds nothing about your address (any more). Reload the page "
                    "to see what is held now.");
}

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Declared fields first, in the account's order, then values kept under fields it removed.
std::vector<PortalField> fields_of(const std::string& fields_json,
                                   const std::vector<FieldDefinition>& definitions) {
  json held = json::parse(fields_json, nullptr, false);
  if (!held.is_object()) held = json::object();
  std::vector<PortalField> out;
  for (const auto& d : definitions) {
    auto it = held.find(d.key);
    out.push_back({d.key, it == held.end() ? "" : value_text(*it), d});
    if (it != held.end()) held.erase(it);
  }
  for (const auto& [key, value] : held.items()) out.push_back({key, value_text(value), {}});
  return out;
}

Result<std::vector<PortalDelivery>> deliveries_of(store::Connection& c, std::int64_t account_id,
                                                  std::int64_t subscriber_id,
                                                  std::vector<std::int64_t>* subscription_ids) {
  auto rows = store::run_named(c, "portal.deliveries_of", {account_id, subscriber_id});
  if (!rows.ok()) return rows.take_error();
  std::vector<PortalDelivery> out;
  for (const auto& r : rows->rows) {
    out.push_back(
        {r.integer(0), r.integer(6), r.text(4), r.text(5), r.text(2), r.optional_integer(3)});
    subscription_ids->push_back(r.integer(1));
  }
  return out;
}

Result<std::vector<PortalSubscription>> subscriptions_of(store::Connection& c,
                                                         std::int64_t account_id,
                                                         std::int64_t subscriber_id) {
  auto rows = store::run_named(c, "subscriptions.for_subscriber", {account_id, subscriber_id});
  if (!rows.ok()) return rows.take_error();
  std::vector<PortalSubscription> out;
  for (const auto& r : rows->rows) {
    PortalSubscription s;
    s.record.subscription = subscription_from_row(r);
    s.record.list_name = r.text(9);
    s.record.list_public_id = r.text(10);
    auto events = consent_events(c, account_id, s.record.subscription.id);
    if (!events.ok()) return events.take_error();
    s.record.events = std::move(*events);
    auto receipts = subscription_receipts(c, account_id, s.record.subscription.id);
    if (!receipts.ok()) return receipts.take_error();
    s.record.receipts = std::move(*receipts);
    out.push_back(std::move(s));
  }

  // The campaigns sent, each under the subscription whose list it went to.
  std::vector<std::int64_t> under;
  auto deliveries = deliveries_of(c, account_id, subscriber_id, &under);
  if (!deliveries.ok()) return deliveries.take_error();
  for (std::size_t i = 0; i < deliveries->size(); ++i) {
    for (auto& s : out) {
      if (s.record.subscription.id == under[i]) s.deliveries.push_back((*deliveries)[i]);
    }
  }
  return out;
}

// The subscription a campaign (or a delivery) was sent under; null when none is (any more).
PortalSubscription* sent_under(std::vector<PortalSubscription>& subs, std::int64_t campaign_id,
                               std::int64_t delivery_id) {
  for (auto& s : subs) {
    for (const auto& d : s.deliveries) {
      if (d.campaign_id == campaign_id || d.id == delivery_id) return &s;
    }
  }
  return nullptr;
}

// Named activity (services/subscriber_activity: the last six months) and bounces, each with
// the subscription its delivery went out under.
Status add_activity(App& app, std::int64_t account_id, std::int64_t subscriber_id,
                    std::vector<PortalSubscription>& subs) {
  auto activity = subscriber_activity(app, account_id, subscriber_id);
  if (!activity.ok()) return activity.take_error();
  for (auto& item : *activity) {
    if (auto* s = sent_under(subs, item.campaign_id, 0)) s->activity.push_back(std::move(item));
  }
  auto bounces = subscriber_bounces(app, account_id, subscriber_id);
  if (!bounces.ok()) return bounces.take_error();
  for (auto& b : bounces->events) {
    if (auto* s = sent_under(subs, 0, b.delivery_id)) s->bounces.push_back(std::move(b));
  }
  return {};
}

Result<std::optional<PortalSuppression>> suppression_at(App& app, store::Connection& c,
                                                        std::int64_t account_id,
                                                        const EmailAddress& address) {
  auto rows =
      store::run_named(c, "portal.suppression_of",
                       {account_id, suppression_hmac(app, address), suppression_sha256(address)});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return std::optional<PortalSuppression>();
  return std::optional<PortalSuppression>(
      PortalSuppression{rows->front().text(0), rows->front().integer(1)});
}

Status add_subscriber_data(App& app, store::Connection& c, std::int64_t subscriber_id,
                           PortalHolding& h) {
  std::int64_t account_id = h.account.id;
  auto rows = store::run_named(c, "subscribers.find", {account_id, subscriber_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return {};  // erased since the look-up
  const auto& r = rows->front();
  h.subscriber_id = subscriber_id;
  h.email_as_held = r.text(1);
  h.subscriber_since = r.integer(3);
  h.updated_at = r.integer(4);
  auto definitions = account_fields(app, account_id);
  if (!definitions.ok()) return definitions.take_error();
  h.fields = fields_of(r.text(2), *definitions);
  auto subs = subscriptions_of(c, account_id, subscriber_id);
  if (!subs.ok()) return subs.take_error();
  SM_TRY(add_activity(app, account_id, subscriber_id, *subs));
  h.subscriptions = std::move(*subs);
  return {};
}

}  // namespace

Result<PortalHolding> holding_of(App& app, store::Connection& c, const PortalHolder& holder,
                                 const EmailAddress& address) {
  auto account = find_account(app, holder.account_id);
  if (!account.ok()) return account.take_error();
  PortalHolding h;
  h.account = std::move(*account);
  auto suppression = suppression_at(app, c, h.account.id, address);
  if (!suppression.ok()) return suppression.take_error();
  h.suppression = std::move(*suppression);
  if (holder.subscriber_id != 0) SM_TRY(add_subscriber_data(app, c, holder.subscriber_id, h));
  return h;
}

Result<PortalView> collect_portal_view(App& app, const PortalSession& s) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto holders = portal_holders(app, **lease, s.address);
  if (!holders.ok()) return holders.take_error();
  PortalView view{s.address.normalized(), {}};
  for (const auto& holder : *holders) {
    auto h = holding_of(app, **lease, holder, s.address);
    if (!h.ok()) return h.take_error();
    view.holdings.push_back(std::move(*h));
  }
  return view;
}

Result<PortalView> portal_view(App& app, const PortalSession& s, const Requester& who) {
  auto view = collect_portal_view(app, s);
  if (view.ok()) audit_portal(app, "portal_viewed", who);
  return view;
}

Result<PortalHolding> subscriber_holding(App& app, std::int64_t account_id,
                                         std::int64_t subscriber_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "subscribers.find", {account_id, subscriber_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) {
    return make_error(Errc::not_found, "There is no such subscriber in this account.");
  }
  auto address = parse_email_address(rows->front().text(1));
  if (!address.ok()) return address.take_error();
  return holding_of(app, **lease, {account_id, subscriber_id}, *address);
}

Result<ConsentReceipt> portal_receipt(App& app, const PortalSession& s, std::int64_t account_id,
                                      std::int64_t receipt_id, const Requester& who) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto holders = portal_holders(app, **lease, s.address);
  if (!holders.ok()) return holders.take_error();
  for (const auto& holder : *holders) {
    if (holder.account_id != account_id || holder.subscriber_id == 0) continue;
    auto rows = store::run_named(**lease, "consent.receipt_of_subscriber",
                                 {account_id, holder.subscriber_id, receipt_id});
    if (!rows.ok()) return rows.take_error();
    if (rows->empty()) break;
    audit_portal(app, "portal_receipt_downloaded", who);
    const auto& r = rows->front();
    return ConsentReceipt{r.integer(0), r.integer(1), r.text(2), r.text(3), r.integer(4)};
  }
  return not_held();
}

}  // namespace sm::services
