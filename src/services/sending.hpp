// Sending a campaign: the recipient snapshot, the campaign's state, and its progress.
//
// start_campaign() with no time snapshots the recipients into deliveries (confirmed
// subscriptions of the campaign's lists, minus suppressions, each subscriber once) and sets
// the campaign 'sending'; with a time it sets 'scheduled', and a worker snapshots when the
// time comes. Workers (services/send_worker.hpp) then claim and send the deliveries.
// pause, resume and cancel take effect at the next batch a worker claims. Cancelling leaves
// what was sent as sent; deliveries still queued stay queued and are never sent.
//
// Thread-safe: the state lives in the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "services/app.hpp"

namespace sm::services {

struct SendingProgress {
  std::int64_t total = 0;
  std::int64_t queued = 0;
  std::int64_t sending = 0;
  std::int64_t sent = 0;
  std::int64_t failed = 0;
  std::int64_t bounced = 0;
  std::int64_t unknown = 0;
  std::int64_t sent_last_minute = 0;  // the current rate, per minute
  // Set when the service, not the account holder, paused the campaign (the relay refused
  // our credentials) or sent a scheduled one back to draft (it could not start): why.
  std::string note;
};

// Errc::invalid_input (with the reason: not a draft, cannot compile, no lists, no confirmed
// recipient, a time in the past) or not_found. A scheduled campaign may be started again: now,
// or at another time. Its recipients are counted when its time comes, not when scheduled.
Status start_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id,
                      std::optional<Millis> at = std::nullopt);
Status pause_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id);
Status resume_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id);
Status cancel_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id);

// Puts the campaign's 'unknown' deliveries back in the queue: the account holder asked.
Result<std::int64_t> requeue_unknown(App& app, std::int64_t account_id, std::int64_t campaign_id);

Result<SendingProgress> campaign_progress(App& app, std::int64_t account_id,
                                          std::int64_t campaign_id);

// Sends the campaign as it stands now to at most kMaxTestAddresses addresses, marked
// "[Test]" in the subject, with sample links; no delivery is recorded.
constexpr std::size_t kMaxTestAddresses = 5;
Status send_test(App& app, std::int64_t account_id, std::int64_t campaign_id,
                 const std::vector<std::string>& addresses);

// For the sending workers (services/send_worker.hpp).

// Starts a scheduled campaign whose time has come: the snapshot, then 'sending'. Returns the
// recipients queued, or 0 when another worker started it first. A campaign that cannot be
// sent any more (see start_campaign) goes back to draft, with the reason as its note.
Result<std::int64_t> start_scheduled_campaign(App& app, std::int64_t account_id,
                                              std::int64_t campaign_id);

// Marks a sending campaign 'sent' when nothing of it is queued or in flight; true if it was.
Result<bool> finish_campaign_if_done(App& app, std::int64_t account_id, std::int64_t campaign_id);

// Pauses a sending campaign on the service's behalf, keeping `reason` as its note.
Status pause_campaign_for(App& app, std::int64_t account_id, std::int64_t campaign_id,
                          const std::string& reason);

}  // namespace sm::services
