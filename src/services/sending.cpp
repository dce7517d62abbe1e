#include "services/sending.hpp"

#include "core/email_address.hpp"
#include "core/log.hpp"
#include "services/campaign_message.hpp"
#include "services/delivery_claims.hpp"

namespace sm::services {
namespace {

struct SendingState {
  std::string status;
};

Error no_such_campaign() {
  return make_error(Errc::not_found,
                    "There is no such campaign in this account. Pick one from Campaigns.");
}

Error refused(std::string message) { return make_error(Errc::invalid_input, std::move(message)); }

Result<SendingState> read_state(store::Connection& c, std::int64_t account_id,
                                std::int64_t campaign_id) {
  auto rows = store::run_named(c, "sending.state", {account_id, campaign_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return no_such_campaign();
  return SendingState{rows->front().text(0)};
}

Result<SendingState> read_state(App& app, std::int64_t account_id, std::int64_t campaign_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  return read_state(**lease, account_id, campaign_id);
}

// What start_campaign checks before anything changes: the state, the lists, and that the
// campaign compiles (a verified domain, known merge tags, controller details).
Status check_startable(App& app, std::int64_t account_id, std::int64_t campaign_id) {
  {
    auto lease = app.db->acquire();
    if (!lease.ok()) return lease.take_error();
    auto state = read_state(**lease, account_id, campaign_id);
    if (!state.ok()) return state.take_error();
    if (state->status != "draft" && state->status != "scheduled") {
      return refused("This campaign is " + state->status +
                     ", not a draft, so it cannot be sent again. Duplicate it to send it anew.");
    }
    auto lists = store::run_named(**lease, "sending.list_count", {account_id, campaign_id});
    if (!lists.ok()) return lists.take_error();
    if (lists->front().integer(0) == 0) {
      return refused("Choose at least one list to send the campaign to.");
    }
  }
  auto compiled = compile_campaign(app, account_id, campaign_id);
  if (!compiled.ok()) return compiled.take_error();
  return {};
}

// Takes suppressed addresses out of a campaign's fresh snapshot; returns how many.
Result<std::int64_t> remove_suppressed(App& app, store::Connection& c, std::int64_t account_id,
                                       std::int64_t campaign_id) {
  auto suppressed = load_suppressions(c, account_id, 0);
  if (!suppressed.ok()) return suppressed.take_error();
  if (suppressed->empty()) return std::int64_t{0};
  auto rows = store::run_named(c, "deliveries.snapshot_addresses", {account_id, campaign_id});
  if (!rows.ok()) return rows.take_error();
  std::int64_t removed = 0;
  for (const auto& r : rows->rows) {
    if (!suppressed->match(app, r.text(1))) continue;
    auto gone = store::run_named(c, "deliveries.remove_queued", {account_id, r.integer(0)});
    if (!gone.ok()) return gone.take_error();
    removed += gone->affected;
  }
  return removed;
}

// The recipient snapshot, inside the transaction that set the campaign sending. No
// recipient is an error, so that the transaction rolls back and the campaign stays as it was.
Result<std::int64_t> snapshot(App& app, store::Connection& c, std::int64_t account_id,
                              std::int64_t campaign_id) {
  auto queued = store::run_named(c, "deliveries.snapshot", {account_id, campaign_id});
  if (!queued.ok()) return queued.take_error();
  auto removed = remove_suppressed(app, c, account_id, campaign_id);
  if (!removed.ok()) return removed.take_error();
  const std::int64_t count = queued->affected - *removed;
  if (count <= 0) {
    return refused(
        "The campaign's lists have no confirmed subscriber who may receive it (unsubscribed "
        "and suppressed addresses are left out), so there is no one to send it to.");
  }
  return count;
}

// Runs `begin` (a status change returning the campaign's id when it applied) and the
// snapshot in one transaction. 0 when the status change did not apply.
Result<std::int64_t> begin_with_snapshot(App& app, std::int64_t account_id,
                                         std::int64_t campaign_id, std::string_view begin) {
  const Millis now = app.now();
  return app.db->transact<std::int64_t>([&](store::Connection& c) -> Result<std::int64_t> {
    auto began = store::run_named(c, begin, {account_id, campaign_id, now});
    if (!began.ok()) return began.take_error();
    if (began->empty()) return std::int64_t{0};
    return snapshot(app, c, account_id, campaign_id);
  });
}

Status change_state(App& app, std::string_view query, const std::vector<store::Value>& params) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, query, params);
  if (!r.ok()) return r.take_error();
  if (r->affected == 0) {
    return make_error(Errc::conflict,
                      "The campaign changed while you were looking at it; reload the page.");
  }
  return {};
}

void add_count(SendingProgress& p, const std::string& status, std::int64_t n) {
  p.total += n;
  if (status == "queued") p.queued = n;
  if (status == "sending") p.sending = n;
  if (status == "sent") p.sent = n;
  if (status == "failed") p.failed = n;
  if (status == "bounced") p.bounced = n;
  if (status == "unknown") p.unknown = n;
}

Result<std::vector<EmailAddress>> test_addresses(const std::vector<std::string>& addresses) {
  if (addresses.empty()) {
    return field_error("emails", "Give at least one address to send the test to.");
  }
  if (addresses.size() > kMaxTestAddresses) {
    return field_error("emails", "A test goes to at most " + std::to_string(kMaxTestAddresses) +
                                     " addresses at once.");
  }
  std::vector<EmailAddress> out;
  for (const auto& a : addresses) {
    auto parsed = parse_email_address(a);
    if (!parsed.ok()) {
      return field_error(
          "emails", "One of the test addresses is not an email address: " + parsed.error().message);
    }
    out.push_back(std::move(*parsed));
  }
  return out;
}

}  // namespace

Status start_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id,
                      std::optional<Millis> at) {
  SM_TRY(check_startable(app, account_id, campaign_id));
  if (at) {
    if (*at < app.now()) {
      return field_error("at", "The time to send is in the past; choose a time from now on.");
    }
    SM_TRY(change_state(app, "sending.schedule", {account_id, campaign_id, *at}));
    log::info("campaign scheduled account={} campaign={}", account_id, campaign_id);
    return {};
  }

  auto queued = begin_with_snapshot(app, account_id, campaign_id, "sending.begin_now");
  if (!queued.ok()) return queued.take_error();
  if (*queued == 0) return refused("This campaign has already been started.");
  log::info("campaign sending account={} campaign={} deliveries={}", account_id, campaign_id,
            *queued);
  return {};
}

Result<std::int64_t> start_scheduled_campaign(App& app, std::int64_t account_id,
                                              std::int64_t campaign_id) {
  auto checked = check_startable(app, account_id, campaign_id);
  Result<std::int64_t> queued =
      checked.ok() ? begin_with_snapshot(app, account_id, campaign_id, "sending.begin_scheduled")
                   : Result<std::int64_t>(checked.take_error());
  if (queued.ok()) {
    if (*queued > 0) {
      log::info("scheduled campaign sending account={} campaign={} deliveries={}", account_id,
                campaign_id, *queued);
    }
    return queued;
  }
  if (queued.error().code != Errc::invalid_input) return queued.take_error();

  // It can no longer be sent as it is: the account holder has to fix it and send again.
  const std::string note = "Sending did not start at the scheduled time: " + queued.error().message;
  SM_TRY(change_state(app, "sending.back_to_draft", {account_id, campaign_id, note}));
  log::warn("scheduled campaign could not start account={} campaign={}", account_id, campaign_id);
  return std::int64_t{0};
}

Status pause_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id) {
  auto state = read_state(app, account_id, campaign_id);
  if (!state.ok()) return state.take_error();
  if (state->status != "sending") {
    return refused("Only a campaign that is sending can be paused; this one is " + state->status +
                   ".");
  }
  SM_TRY(change_state(app, "sending.pause", {account_id, campaign_id, std::string()}));
  log::info("campaign paused account={} campaign={}", account_id, campaign_id);
  return {};
}

Status pause_campaign_for(App& app, std::int64_t account_id, std::int64_t campaign_id,
                          const std::string& reason) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "sending.pause", {account_id, campaign_id, reason});
  if (!r.ok()) return r.take_error();
  log::warn("campaign paused by the service account={} campaign={}", account_id, campaign_id);
  return {};
}

Status resume_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id) {
  auto state = read_state(app, account_id, campaign_id);
  if (!state.ok()) return state.take_error();
  if (state->status != "paused") {
    return refused("Only a paused campaign can be resumed; this one is " + state->status + ".");
  }
  SM_TRY(change_state(app, "sending.resume", {account_id, campaign_id}));
  log::info("campaign resumed account={} campaign={}", account_id, campaign_id);
  return {};
}

Status cancel_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id) {
  auto state = read_state(app, account_id, campaign_id);
  if (!state.ok()) return state.take_error();
  if (state->status == "draft") {
    return refused("A draft has not been sent, so there is nothing to cancel; delete it instead.");
  }
  if (state->status == "sent" || state->status == "cancelled") {
    return refused("This campaign is " + state->status + " already; there is nothing to cancel.");
  }
  SM_TRY(change_state(app, "sending.cancel", {account_id, campaign_id, app.now()}));
  log::info("campaign cancelled account={} campaign={}", account_id, campaign_id);
  return {};
}

Result<std::int64_t> requeue_unknown(App& app, std::int64_t account_id, std::int64_t campaign_id) {
  auto state = read_state(app, account_id, campaign_id);
  if (!state.ok()) return state.take_error();
  if (state->status == "cancelled") {
    return refused("This campaign was cancelled, so nothing more of it is sent.");
  }
  // The deliveries first, then the campaign: a worker finishing the campaign meanwhile then
  // either sees them queued or is reopened by the second statement.
  auto requeued = app.db->transact<std::int64_t>([&](store::Connection& c) -> Result<std::int64_t> {
    auto r = store::run_named(c, "deliveries.requeue_unknown", {account_id, campaign_id});
    if (!r.ok()) return r.take_error();
    if (r->affected > 0) {
      auto reopened = store::run_named(c, "sending.reopen", {account_id, campaign_id});
      if (!reopened.ok()) return reopened.take_error();
    }
    return r->affected;
  });
  if (!requeued.ok()) return requeued.take_error();
  log::info("unknown deliveries queued again account={} campaign={} count={}", account_id,
            campaign_id, *requeued);
  return requeued;
}

Result<bool> finish_campaign_if_done(App& app, std::int64_t account_id, std::int64_t campaign_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "sending.finish", {account_id, campaign_id, app.now()});
  if (!r.ok()) return r.take_error();
  if (r->affected > 0) log::info("campaign sent account={} campaign={}", account_id, campaign_id);
  return r->affected > 0;
}

Result<SendingProgress> campaign_progress(App& app, std::int64_t account_id,
                                          std::int64_t campaign_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto state = store::run_named(**lease, "sending.state", {account_id, campaign_id});
  if (!state.ok()) return state.take_error();
  if (state->empty()) return no_such_campaign();

  SendingProgress p;
  p.note = state->front().text(5);
  auto rows = store::run_named(**lease, "deliveries.states", {account_id, campaign_id});
  if (!rows.ok()) return rows.take_error();
  for (const auto& r : rows->rows) add_count(p, r.text(0), r.integer(1));
  auto recent = store::run_named(**lease, "deliveries.sent_since",
                                 {account_id, campaign_id, app.now() - kMinute});
  if (!recent.ok()) return recent.take_error();
  p.sent_last_minute = recent->front().integer(0);
  return p;
}

Status send_test(App& app, std::int64_t account_id, std::int64_t campaign_id,
                 const std::vector<std::string>& addresses) {
  auto to = test_addresses(addresses);
  if (!to.ok()) return to.take_error();
  auto compiled = compile_campaign(app, account_id, campaign_id);
  if (!compiled.ok()) return compiled.take_error();

  for (const auto& address : *to) {
    Recipient r;
    r.email = address.ascii();
    auto rendered = render_delivery(app, *compiled, r);
    if (!rendered.ok()) return rendered.take_error();
    mail::Envelope envelope{rendered->envelope_from, {rendered->recipient}};
    auto sent = app.mailer->transport().send(envelope, rendered->mime);
    if (!sent.ok()) {
      log::warn("campaign test send failed account={} campaign={} detail={}", account_id,
                campaign_id, sent.error().detail);
      return sent.take_error();
    }
  }
  log::info("campaign test sent account={} campaign={} count={}", account_id, campaign_id,
            to->size());
  return {};
}

}  // namespace sm::services
