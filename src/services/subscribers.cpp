// The account holder's view of subscribers: lists of members, one subscriber's whole record,
// deletion, and the maintenance of pending subscriptions.
#include "services/subscriptions.hpp"

namespace sm::services {
namespace {

Error no_such_subscriber() {
  return make_error(Errc::not_found,
                    "There is no such subscriber in this account. Check the number, or look "
                    "the address up on the list's subscriber page.");
}

Result<SubscriptionRecord> record_of(store::Connection& c, const store::Row& r) {
  SubscriptionRecord rec;
  rec.subscription = subscription_from_row(r);
  rec.list_name = r.text(9);
  rec.list_public_id = r.text(10);
  auto events = consent_events(c, rec.subscription.account_id, rec.subscription.id);
  if (!events.ok()) return events.take_error();
  rec.events = std::move(*events);
  auto receipts = subscription_receipts(c, rec.subscription.account_id, rec.subscription.id);
  if (!receipts.ok()) return receipts.take_error();
  rec.receipts = std::move(*receipts);
  return rec;
}

}  // namespace

Result<MemberPage> list_members(App& app, std::int64_t account_id, std::int64_t list_id,
                                std::optional<SubscriptionStatus> status, std::int64_t limit,
                                std::int64_t offset) {
  auto list = find_list(app, account_id, list_id);
  if (!list.ok()) return list.take_error();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  std::string filter = status ? std::string(status_name(*status)) : "";
  auto rows = store::run_named(**lease, "subscriptions.on_list",
                               {account_id, list_id, filter, limit, offset});
  if (!rows.ok()) return rows.take_error();
  auto count =
      store::run_named(**lease, "subscriptions.count_on_list", {account_id, list_id, filter});
  if (!count.ok()) return count.take_error();
  MemberPage page;
  page.total = count->front().integer(0);
  for (const auto& r : rows->rows) {
    ListMember m;
    m.subscriber_id = r.integer(0);
    m.email = r.text(1);
    m.subscription = subscription_from_row(r, 2);
    page.members.push_back(std::move(m));
  }
  return page;
}

Result<SubscriberRecord> find_subscriber(App& app, std::int64_t account_id,
                                         std::int64_t subscriber_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "subscribers.find", {account_id, subscriber_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return no_such_subscriber();
  const auto& r = rows->front();
  SubscriberRecord rec{r.integer(0), r.text(1), r.text(2), r.integer(3), r.integer(4), {}};
  auto subs =
      store::run_named(**lease, "subscriptions.for_subscriber", {account_id, subscriber_id});
  if (!subs.ok()) return subs.take_error();
  for (const auto& row : subs->rows) {
    auto one = record_of(**lease, row);
    if (!one.ok()) return one.take_error();
    rec.subscriptions.push_back(std::move(*one));
  }
  return rec;
}

Result<ConsentReceipt> find_receipt(App& app, std::int64_t account_id, std::int64_t subscriber_id,
                                    std::int64_t receipt_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "consent.receipt_of_subscriber",
                               {account_id, subscriber_id, receipt_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return make_error(Errc::not_found, "There is no such receipt here.");
  const auto& r = rows->front();
  return ConsentReceipt{r.integer(0), r.integer(1), r.text(2), r.text(3), r.integer(4)};
}

Status delete_subscriber(App& app, std::int64_t account_id, std::int64_t subscriber_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "subscribers.delete", {account_id, subscriber_id});
  if (!r.ok()) return r.take_error();
  if (r->affected == 0) return no_such_subscriber();
  return {};
}

Result<std::int64_t> expire_pending_subscriptions(App& app) {
  return app.db->transact<std::int64_t>([&](store::Connection& c) -> Result<std::int64_t> {
    auto rows = store::run_named(c, "subscriptions.expired_pending", {app.now() - kPendingLife});
    if (!rows.ok()) return rows.take_error();
    for (const auto& r : rows->rows) {
      std::int64_t id = r.integer(0), account_id = r.integer(1), subscriber_id = r.integer(2);
      SM_TRY(store::run_named(c, "subscriptions.delete", {account_id, id}));
      // Only subscribers this job emptied go; others without subscriptions (their list was
      // deleted) are the account holder's to keep.
      SM_TRY(store::run_named(c, "subscribers.delete_if_without_subscriptions",
                              {account_id, subscriber_id}));
    }
    return static_cast<std::int64_t>(rows->size());
  });
}

Result<std::int64_t> forget_old_confirmation_sends(App& app) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "consent.delete_old_confirmation_sends", {app.now() - kDay});
  if (!r.ok()) return r.take_error();
  return r->affected;
}

}  // namespace sm::services
