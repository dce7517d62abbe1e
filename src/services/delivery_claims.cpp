#include "services/delivery_claims.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/crypto.hpp"

namespace sm::services {
namespace {

ClaimedDelivery claimed_from_row(const store::Row& r) {
  ClaimedDelivery d;
  Recipient& p = d.recipient;
  p.delivery_id = r.integer(0);
  p.subscriber_id = r.integer(1);
  p.subscription_id = r.integer(2);
  p.email = r.text(3);
  d.attempts = r.integer(4);
  p.fields_json = r.is_null(5) ? "{}" : r.text(5);
  p.list_id = r.integer(6);
  p.token_salt = r.text(7);
  p.consented_at = r.integer(8);
  d.left = r.text(9) != "confirmed";
  return d;
}

Result<std::vector<std::int64_t>> claim_ids(store::Connection& c, std::int64_t account_id,
                                            std::int64_t campaign_id, const std::string& worker,
                                            std::size_t n, Millis now) {
  auto rows =
      store::run_named(c, engine_query(c, "deliveries.claim"),
                       {account_id, campaign_id, worker, now, static_cast<std::int64_t>(n)});
  if (!rows.ok()) return rows.take_error();
  std::vector<std::int64_t> ids;
  ids.reserve(rows->size());
  for (const auto& r : rows->rows) ids.push_back(r.integer(0));
  std::sort(ids.begin(), ids.end());
  return ids;
}

Status run_status(store::Connection& c, std::string_view name,
                  const std::vector<store::Value>& params) {
  auto r = store::run_named(c, name, params);
  if (!r.ok()) return r.take_error();
  return {};
}

Status record_one(store::Connection& c, std::int64_t account_id, const std::string& worker,
                  const DeliveryOutcome& o) {
  switch (o.kind) {
    case OutcomeKind::retry:
      return run_status(c, "deliveries.retry_later",
                        {account_id, o.delivery_id, worker, o.error, o.retry_at});
    case OutcomeKind::failed:
      return run_status(
          c, "deliveries.mark_failed",
          {account_id, o.delivery_id, worker, o.error, std::int64_t{o.attempted ? 1 : 0}});
    case OutcomeKind::removed:
      return run_status(c, "deliveries.remove_claimed", {account_id, o.delivery_id, worker});
    case OutcomeKind::sent:
    case OutcomeKind::release:
      break;  // in bulk, by record_outcomes
  }
  return {};
}

std::vector<std::int64_t> ids_of(const std::vector<DeliveryOutcome>& outcomes, OutcomeKind kind) {
  std::vector<std::int64_t> ids;
  for (const auto& o : outcomes) {
    if (o.kind == kind) ids.push_back(o.delivery_id);
  }
  return ids;
}

}  // namespace

bool SuppressionSet::match(const App& app, const std::string& normalized) const {
  if (empty()) return false;
  return hmacs.count(crypto::hmac_hex(app.keys->hmac_key(), normalized)) > 0 ||
         sha256s.count(crypto::sha256_hex(normalized)) > 0;
}

Result<SuppressionSet> load_suppressions(store::Connection& c, std::int64_t account_id,
                                         Millis since) {
  auto rows = store::run_named(c, "deliveries.suppressed_since", {account_id, since});
  if (!rows.ok()) return rows.take_error();
  SuppressionSet s;
  for (const auto& r : rows->rows) {
    if (!r.is_null(0)) s.hmacs.insert(r.text(0));
    if (!r.is_null(1)) s.sha256s.insert(r.text(1));
  }
  return s;
}

std::string json_id_list(const std::vector<std::int64_t>& ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  out += ']';
  return out;
}

std::string engine_query(const store::Connection& c, std::string_view name) {
  return std::string(name) + (c.engine() == store::Engine::postgresql ? "_postgresql" : "_sqlite");
}

Result<std::vector<ClaimedDelivery>> claim_deliveries(App& app, std::int64_t account_id,
                                                      std::int64_t campaign_id,
                                                      const std::string& worker_id, std::size_t n,
                                                      Millis campaign_started_at) {
  if (n == 0) return std::vector<ClaimedDelivery>{};
  const Millis now = app.now();
  return app.db->transact<std::vector<ClaimedDelivery>>(
      [&](store::Connection& c) -> Result<std::vector<ClaimedDelivery>> {
        auto ids = claim_ids(c, account_id, campaign_id, worker_id, n, now);
        if (!ids.ok()) return ids.take_error();
        std::vector<ClaimedDelivery> out;
        if (ids->empty()) return out;

        auto rows = store::run_named(c, engine_query(c, "deliveries.claimed"),
                                     {account_id, campaign_id, worker_id, json_id_list(*ids)});
        if (!rows.ok()) return rows.take_error();
        auto recent = load_suppressions(c, account_id, campaign_started_at);
        if (!recent.ok()) return recent.take_error();
        out.reserve(rows->size());
        for (const auto& r : rows->rows) {
          ClaimedDelivery d = claimed_from_row(r);
          if (!d.left && recent->match(app, r.text(10))) d.left = true;
          out.push_back(std::move(d));
        }
        return out;
      });
}

DeliveryOutcome outcome_of(std::int64_t delivery_id, std::int64_t attempts, const Status& sent,
                           const RetryPolicy& policy, Millis now) {
  DeliveryOutcome o;
  o.delivery_id = delivery_id;
  if (sent.ok()) return o;

  switch (sent.error().code) {
    case Errc::unauthorized:
      o.kind = OutcomeKind::release;
      return o;
    // internal: our side failed (out of memory, no thread), not the message; worth a retry.
    case Errc::unavailable:
    case Errc::internal: {
      if (attempts + 1 >= policy.max_attempts) {
        o.kind = OutcomeKind::failed;
        o.attempted = true;
        o.error = "The relay kept asking to try again later (" + std::to_string(attempts + 1) +
                  " attempts), so the message was not sent. Last answer: " + sent.error().message;
        return o;
      }
      Millis wait = policy.base;
      for (std::int64_t i = 0; i < attempts && wait < policy.cap; ++i) wait *= 2;
      o.kind = OutcomeKind::retry;
      o.retry_at = now + std::min(wait, policy.cap);
      o.error = sent.error().message;
      return o;
    }
    default:
      o.kind = OutcomeKind::failed;
      o.attempted = true;
      o.error =
          sent.error().message.empty() ? "The relay refused the message." : sent.error().message;
      return o;
  }
}

Status record_outcomes(App& app, std::int64_t account_id, const std::string& worker_id,
                       const std::vector<DeliveryOutcome>& outcomes) {
  if (outcomes.empty()) return {};
  const Millis now = app.now();
  const auto sent = ids_of(outcomes, OutcomeKind::sent);
  const auto released = ids_of(outcomes, OutcomeKind::release);
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    if (!sent.empty()) {
      SM_TRY(run_status(c, engine_query(c, "deliveries.mark_sent"),
                        {account_id, worker_id, json_id_list(sent), now}));
    }
    if (!released.empty()) {
      SM_TRY(run_status(c, engine_query(c, "deliveries.release"),
                        {account_id, worker_id, json_id_list(released)}));
    }
    for (const auto& o : outcomes) SM_TRY(record_one(c, account_id, worker_id, o));
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

}  // namespace sm::services
