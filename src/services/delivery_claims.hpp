// A worker's claims on a campaign's deliveries and what it records of each.
//
// claim_deliveries() marks up to n due, queued deliveries 'sending' under the worker's id in
// one statement: on PostgreSQL `FOR UPDATE SKIP LOCKED`, so workers on several machines claim
// side by side and never the same row; on SQLite inside a write transaction, which is the
// one writer. It returns them with what rendering needs, and says which recipients left after
// the snapshot (unsubscribed, or suppressed since the campaign started): those are not sent.
//
// record_outcomes() stores what became of a batch in one transaction. Every change is made
// only while the delivery is still 'sending' under the same worker, so a worker that was
// judged dead (its deliveries now 'unknown') cannot turn them back into anything else.
//
// Thread-safe: state lives in the database.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "services/app.hpp"
#include "services/campaign_message.hpp"

namespace sm::services {

struct ClaimedDelivery {
  Recipient recipient;
  std::int64_t attempts = 0;  // 4xx answers so far
  bool left = false;          // unsubscribed or suppressed since the snapshot: do not send
};

// Claims up to `n` of the campaign's queued deliveries that are due at app.now(), for
// `worker_id` (which must be registered: services/send_workers.hpp), oldest first.
Result<std::vector<ClaimedDelivery>> claim_deliveries(App& app, std::int64_t account_id,
                                                      std::int64_t campaign_id,
                                                      const std::string& worker_id, std::size_t n,
                                                      Millis campaign_started_at);

enum class OutcomeKind {
  sent,     // the relay accepted it
  retry,    // 4xx: queued again for later
  failed,   // 5xx, retries exhausted, or it could not be rendered
  release,  // not handed over (the campaign paused): queued again as it was
  removed,  // the recipient left before it was sent
};

struct DeliveryOutcome {
  std::int64_t delivery_id = 0;
  OutcomeKind kind = OutcomeKind::sent;
  std::string error;       // retry and failed: the sentence kept as last_error
  Millis retry_at = 0;     // retry: not before
  bool attempted = false;  // failed: it reached the relay, so it counts as an attempt
};

struct RetryPolicy {
  int max_attempts = 5;   // answers of 4xx before the delivery fails
  Millis base = kMinute;  // the first wait; each further one doubles
  Millis cap = kHour;     // no wait is longer
};

// What the transport's answer means for a delivery that had `attempts` 4xx answers before:
// ok → sent; unavailable → retry after base * 2^attempts (at most cap), or failed once
// max_attempts answers were 4xx; anything else (invalid_input: 5xx) → failed. unauthorized
// is the caller's to handle (the campaign pauses) and maps to release here.
DeliveryOutcome outcome_of(std::int64_t delivery_id, std::int64_t attempts, const Status& sent,
                           const RetryPolicy& policy, Millis now);

// Stores the outcomes of one batch of `worker_id`; sent ones get sent_at = app.now().
Status record_outcomes(App& app, std::int64_t account_id, const std::string& worker_id,
                       const std::vector<DeliveryOutcome>& outcomes);

// An account's suppressions made at or after some time, in the two forms an address
// matches (services/suppression.hpp): the snapshot takes out every suppressed address, and a
// claim those suppressed since the campaign started.
struct SuppressionSet {
  std::unordered_set<std::string> hmacs;
  std::unordered_set<std::string> sha256s;

  bool empty() const { return hmacs.empty() && sha256s.empty(); }
  // `normalized`: EmailAddress::normalized() of the address, as subscribers.email_normalized.
  bool match(const App& app, const std::string& normalized) const;
};
Result<SuppressionSet> load_suppressions(store::Connection& c, std::int64_t account_id,
                                         Millis since);

// "[1,2,3]": how a list of ids is passed to the batch queries.
std::string json_id_list(const std::vector<std::int64_t>& ids);

// The named query `name` in the form for the connection's engine: "<name>_sqlite" or
// "<name>_postgresql".
std::string engine_query(const store::Connection& c, std::string_view name);

}  // namespace sm::services
