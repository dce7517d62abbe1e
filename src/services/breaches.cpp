#include "services/breaches.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/text.hpp"
#include "services/accounts.hpp"
#include "services/notification.hpp"

namespace sm::services {
namespace {

constexpr std::size_t kMaxSummaryBytes = 10000;
// A found-at time a little ahead of this machine's clock is the operator's clock, not a typo.
constexpr Millis kClockSlack = 5 * kMinute;

Status validate(App& app, const BreachReport& r) {
  if (trim_whitespace(r.summary).empty()) {
    return field_error("summary",
                       "Say what happened in --summary: what was exposed, how and "
                       "to whom, as far as it is known.");
  }
  if (r.summary.size() > kMaxSummaryBytes || r.data_affected.size() > kMaxSummaryBytes) {
    return field_error("summary",
                       "The summary and the data description may each be at most "
                       "10000 bytes; keep the full report elsewhere and refer to it.");
  }
  if (r.found_at && *r.found_at > app.now() + kClockSlack) {
    return field_error("found_at",
                       "The time the breach was found is in the future; give the "
                       "time it was found, in UTC.");
  }
  if (r.all_accounts == !r.accounts.empty()) {
    return field_error("accounts",
                       "Name the affected accounts with --account ID (repeat it "
                       "for each), or give --all; not both.");
  }
  return {};
}

Result<std::int64_t> insert(App& app, store::Connection& c, const BreachReport& r) {
  auto id = store::run_named(c, "breaches.insert",
                             {r.summary, r.data_affected, r.found_at.value_or(app.now()), app.now(),
                              std::int64_t{r.all_accounts ? 1 : 0}});
  if (!id.ok()) return id.take_error();
  const std::int64_t breach_id = id->front().integer(0);

  if (r.all_accounts) {
    auto added = store::run_named(c, "breaches.add_all_accounts", {breach_id});
    if (!added.ok()) return added.take_error();
    if (added->affected == 0) {
      return field_error("accounts",
                         "This installation has no accounts yet, so --all names "
                         "none.");
    }
    return breach_id;
  }
  for (std::int64_t account : r.accounts) {
    auto added = store::run_named(c, "breaches.add_account", {breach_id, account});
    if (!added.ok()) return added.take_error();
    if (added->affected == 0) {
      return field_error("accounts", "There is no account " + std::to_string(account) +
                                         "; check the id (nothing was recorded).");
    }
  }
  return breach_id;
}

Breach breach_from_row(const store::Row& row) {
  Breach b;
  b.id = row.integer(0);
  b.summary = row.text(1);
  b.data_affected = row.text(2);
  b.found_at = row.integer(3);
  b.recorded_at = row.integer(4);
  b.all_accounts = row.integer(5) != 0;
  return b;
}

Status load_accounts(store::Connection& c, Breach& b) {
  auto rows = store::run_named(c, "breaches.accounts", {b.id});
  if (!rows.ok()) return rows.take_error();
  for (const auto& row : rows->rows) {
    b.accounts.push_back(BreachAccount{row.integer(0), row.text(1), row.optional_integer(2),
                                       row.text(3), row.text(4)});
  }
  return {};
}

TemplateValue notice_data(const Breach& b, const BreachAccount& a) {
  TemplateValue d;
  d.set("breach_id", TemplateValue::number(b.id));
  d.set("organisation", a.organisation);
  d.set("summary", b.summary);
  d.set("data_affected", b.data_affected);
  d.set("found_at", format_utc(b.found_at));
  d.set("recorded_at", format_utc(b.recorded_at));
  return d;
}

// Sends one account its notice; the address it went to, or the reason it could not.
Result<std::string> send_notice(App& app, const Breach& b, const BreachAccount& a) {
  auto account = find_account(app, a.account_id);
  if (!account.ok()) {
    return make_error(Errc::not_found,
                      "The account no longer exists; contact its former "
                      "holder another way.");
  }
  const std::string& to = account->details.contact_email;
  SM_TRY(send_service_email(app, "breach_notice", to, notice_data(b, a)));
  return to;
}

Status run(App& app, std::string_view query, const std::vector<store::Value>& params) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, query, params);
  if (!r.ok()) return r.take_error();
  return {};
}

}  // namespace

std::size_t Breach::notified_count() const {
  std::size_t n = 0;
  for (const auto& a : accounts) n += a.notified_at ? 1 : 0;
  return n;
}

Result<std::int64_t> record_breach(App& app, const BreachReport& report) {
  SM_TRY(validate(app, report));
  BreachReport r = report;  // an account named twice is affected once
  std::sort(r.accounts.begin(), r.accounts.end());
  r.accounts.erase(std::unique(r.accounts.begin(), r.accounts.end()), r.accounts.end());
  auto id = app.db->transact<std::int64_t>([&](store::Connection& c) { return insert(app, c, r); });
  if (id.ok()) log::info("breach recorded id={}", *id);
  return id;
}

Result<Breach> find_breach(App& app, std::int64_t breach_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "breaches.find", {breach_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) {
    return make_error(Errc::not_found, "There is no breach " + std::to_string(breach_id) +
                                           " in the register; `breach list` shows the ids.");
  }
  Breach b = breach_from_row(rows->front());
  SM_TRY(load_accounts(**lease, b));
  return b;
}

Result<std::vector<Breach>> list_breaches(App& app) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "breaches.list");
  if (!rows.ok()) return rows.take_error();
  std::vector<Breach> out;
  for (const auto& row : rows->rows) {
    out.push_back(breach_from_row(row));
    SM_TRY(load_accounts(**lease, out.back()));
  }
  return out;
}

Result<NotifyOutcome> notify_breach(App& app, std::int64_t breach_id) {
  auto breach = find_breach(app, breach_id);
  if (!breach.ok()) return breach.take_error();
  NotifyOutcome outcome;
  for (const auto& a : breach->accounts) {
    if (a.notified_at) {
      ++outcome.already;
      continue;
    }
    auto sent = send_notice(app, *breach, a);
    if (sent.ok()) {
      SM_TRY(run(app, "breaches.mark_notified", {breach_id, a.account_id, app.now(), *sent}));
      ++outcome.sent;
    } else {
      SM_TRY(run(app, "breaches.mark_failed", {breach_id, a.account_id, sent.error().message}));
      log::warn("breach notice failed breach={} account={} detail={}", breach_id, a.account_id,
                sent.error().detail);
      ++outcome.failed;
    }
  }
  return outcome;
}

}  // namespace sm::services
