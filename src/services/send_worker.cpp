#include "services/send_worker.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "core/log.hpp"
#include "services/campaign_message.hpp"
#include "services/send_pace.hpp"
#include "services/send_workers.hpp"
#include "services/sending.hpp"

namespace sm::services {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr const char* kRelayRefusedUs =
    "Sending was paused because the mail relay refused the service's user name or password. "
    "Ask the operator to correct mail.smtp_url, then resume the campaign.";

struct SendingCampaign {
  std::int64_t account_id = 0;
  std::int64_t id = 0;
  std::int64_t rate_per_minute = 0;
  Millis started_at = 0;
};

Result<std::vector<SendingCampaign>> sending_campaigns(App& app) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "sending.sending");
  if (!rows.ok()) return rows.take_error();
  std::vector<SendingCampaign> out;
  for (const auto& r : rows->rows) {
    out.push_back({r.integer(0), r.integer(1), r.integer(2), r.integer(3)});
  }
  return out;
}

Result<std::vector<std::pair<std::int64_t, std::int64_t>>> due_campaigns(App& app) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "sending.due", {app.now()});
  if (!rows.ok()) return rows.take_error();
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (const auto& r : rows->rows) out.emplace_back(r.integer(0), r.integer(1));
  return out;
}

// A batch ready for the relay: what was rendered, and the outcome of what was not.
struct Prepared {
  std::vector<std::size_t> index;  // into the claimed batch, per rendered message
  std::vector<RenderedDelivery> rendered;
  std::vector<mail::Envelope> envelopes;
  std::vector<DeliveryOutcome> outcomes;  // removed and unrenderable ones
};

// Rendering and signing twice is the CPU work of sending: the batch is rendered on one thread
// per core (render_delivery() is thread-safe), at least 16 deliveries to a thread. Each
// result is in its delivery's place; those who left stay empty.
std::vector<std::optional<Result<RenderedDelivery>>> render_batch(
    App& app, const CompiledCampaign& compiled, const std::vector<ClaimedDelivery>& batch) {
  std::vector<std::optional<Result<RenderedDelivery>>> out(batch.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < batch.size(); i = next++) {
      if (!batch[i].left) out[i].emplace(render_delivery(app, compiled, batch[i].recipient));
    }
  };
  const std::size_t cores = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  const std::size_t threads = std::min(cores, (batch.size() + 15) / 16);
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (auto& h : helpers) h.join();
  return out;
}

Prepared prepare(App& app, const CompiledCampaign& compiled,
                 const std::vector<ClaimedDelivery>& batch) {
  Prepared p;
  p.rendered.reserve(batch.size());
  auto results = render_batch(app, compiled, batch);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const ClaimedDelivery& d = batch[i];
    if (d.left) {
      p.outcomes.push_back({d.recipient.delivery_id, OutcomeKind::removed, {}, 0, false});
      continue;
    }
    auto& r = *results[i];
    if (!r.ok()) {
      if (log::allow("send-render-failed", 10)) {
        log::warn("delivery could not be rendered campaign={} delivery={} detail={}",
                  compiled.campaign_id, d.recipient.delivery_id, r.error().detail);
      }
      p.outcomes.push_back(
          {d.recipient.delivery_id, OutcomeKind::failed, r.error().message, 0, false});
      continue;
    }
    p.index.push_back(i);
    p.rendered.push_back(std::move(*r));
  }
  // Envelopes only once every message is in place: Outgoing points into these vectors.
  p.envelopes.reserve(p.rendered.size());
  for (const auto& r : p.rendered) p.envelopes.push_back({r.envelope_from, {r.recipient}});
  return p;
}

}  // namespace

SendWorkerSettings SendWorkerSettings::from(const Config& config) {
  SendWorkerSettings s;
  s.batch_size = static_cast<std::size_t>(config.sending_batch_size);
  s.retry.max_attempts = config.sending_max_attempts;
  s.retry.base = config.sending_retry_base_seconds * kSecond;
  s.worker_timeout = config.sending_worker_timeout_seconds * kSecond;
  // A dozen heartbeats fit in the timeout, so one slow write does not make a worker dead.
  s.heartbeat_every = std::chrono::milliseconds(s.worker_timeout / 12);
  return s;
}

struct SendWorker::State {
  App& app;
  const SendWorkerSettings settings;
  const std::string id = new_worker_id();
  const WorkerProcess process = this_process();

  std::mutex mu;
  std::condition_variable wake;
  std::atomic<bool> stopping{false};
  bool opened = false;  // guarded by mu
  std::thread heartbeat;
  std::thread runner;

  // Owned by the thread running rounds.
  std::map<std::int64_t, CompiledCampaign> compiled;
  std::map<std::int64_t, SendPace> paces;
  Millis relay_hold_until = 0;  // app clock, like the retry waits it stands for

  State(App& a, SendWorkerSettings s) : app(a), settings(s) {}

  // Waits up to `d`, or less when stop() is called.
  void pause_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    wake.wait_for(lock, d, [this] { return stopping.load(); });
  }

  void beat() {
    while (!stopping) {
      pause_for(settings.heartbeat_every);
      if (stopping) break;
      auto s = send_heartbeat(app, id, process);
      if (!s.ok() && log::allow("send-heartbeat-failed", 6)) {
        log::warn("send worker heartbeat failed worker={} detail={}", id, s.error().detail);
      }
    }
  }

  Result<const CompiledCampaign*> compiled_for(const SendingCampaign& c) {
    auto it = compiled.find(c.id);
    if (it != compiled.end()) return &it->second;
    auto made = compile_campaign(app, c.account_id, c.id);
    if (!made.ok()) return made.take_error();
    return &compiled.emplace(c.id, std::move(*made)).first->second;
  }

  SendPace& pace_for(const SendingCampaign& c, std::int64_t live_workers) {
    const double per_worker = static_cast<double>(c.rate_per_minute) /
                              static_cast<double>(std::max<std::int64_t>(live_workers, 1));
    auto it = paces.find(c.id);
    if (it == paces.end() || it->second.per_minute() != per_worker) {
      SendPace fresh(per_worker, pace_burst(per_worker, settings.batch_size), SteadyClock::now());
      it = paces.insert_or_assign(c.id, fresh).first;
    }
    return it->second;
  }

  // Drops what is kept for campaigns that are no longer sending.
  void forget_others(const std::vector<SendingCampaign>& campaigns) {
    auto sending = [&](std::int64_t id) {
      return std::any_of(campaigns.begin(), campaigns.end(),
                         [&](const SendingCampaign& c) { return c.id == id; });
    };
    std::erase_if(compiled, [&](const auto& kv) { return !sending(kv.first); });
    std::erase_if(paces, [&](const auto& kv) { return !sending(kv.first); });
  }

  Status start_due(RoundReport& report) {
    auto due = due_campaigns(app);
    if (!due.ok()) return due.take_error();
    for (const auto& [account_id, campaign_id] : *due) {
      if (stopping) break;
      auto queued = start_scheduled_campaign(app, account_id, campaign_id);
      if (queued.ok() && *queued > 0) ++report.started;
      if (!queued.ok() && log::allow("send-start-failed", 6)) {
        log::warn("scheduled campaign not started; will try again campaign={} detail={}",
                  campaign_id, queued.error().detail);
      }
    }
    return {};
  }

  std::vector<DeliveryOutcome> send(const CompiledCampaign& compiled_campaign,
                                    const std::vector<ClaimedDelivery>& batch, bool& unauthorized) {
    Prepared p = prepare(app, compiled_campaign, batch);
    std::vector<mail::Outgoing> outgoing;
    outgoing.reserve(p.rendered.size());
    for (std::size_t i = 0; i < p.rendered.size(); ++i) {
      outgoing.push_back({&p.envelopes[i], p.rendered[i].mime});
    }
    std::vector<Status> answers;
    if (!outgoing.empty()) answers = app.mailer->transport().send_batch(outgoing);

    const Millis now = app.now();
    for (std::size_t i = 0; i < p.index.size(); ++i) {
      const ClaimedDelivery& d = batch[p.index[i]];
      const Status& answer =
          i < answers.size() ? answers[i] : Status(make_error(Errc::internal, "No answer."));
      if (!answer.ok() && answer.error().code == Errc::unauthorized) unauthorized = true;
      p.outcomes.push_back(
          outcome_of(d.recipient.delivery_id, d.attempts, answer, settings.retry, now));
    }
    return std::move(p.outcomes);
  }

  void count(const std::vector<DeliveryOutcome>& outcomes, RoundReport& report) {
    for (const auto& o : outcomes) {
      switch (o.kind) {
        case OutcomeKind::sent:
          ++report.sent;
          break;
        case OutcomeKind::retry:
          ++report.retried;
          break;
        case OutcomeKind::failed:
          ++report.failed;
          break;
        case OutcomeKind::removed:
          ++report.removed;
          break;
        case OutcomeKind::release:
          break;
      }
    }
  }

  // The relay deferred everything it was given: it is more likely the relay than these
  // recipients, so the worker holds back for one retry wait instead of using up the
  // attempts of every queued delivery.
  void hold_relay_if_deferring(const std::vector<DeliveryOutcome>& outcomes) {
    const bool any_sent = std::any_of(outcomes.begin(), outcomes.end(),
                                      [](const auto& o) { return o.kind == OutcomeKind::sent; });
    const bool any_retry = std::any_of(outcomes.begin(), outcomes.end(),
                                       [](const auto& o) { return o.kind == OutcomeKind::retry; });
    if (any_retry && !any_sent) {
      relay_hold_until = app.now() + settings.retry.base;
    }
  }

  // One batch of one campaign.
  Status send_batch_of(const SendingCampaign& c, std::int64_t live_workers, RoundReport& report) {
    auto compiled_campaign = compiled_for(c);
    if (!compiled_campaign.ok()) {
      const Errc code = compiled_campaign.error().code;
      if (code != Errc::invalid_input && code != Errc::not_found) {
        return compiled_campaign.take_error();  // the database, say: next round
      }
      // Something it needs went away while it was sending (the domain lost its
      // verification, say): the account holder has to fix it and resume.
      return pause_campaign_for(app, c.account_id, c.id,
                                "Sending was paused: " + compiled_campaign.error().message);
    }

    SendPace& pace = pace_for(c, live_workers);
    const std::size_t allowed = pace.take(settings.batch_size, SteadyClock::now());
    if (allowed == 0) {
      auto wait = pace.wait_for_one(SteadyClock::now());
      if (report.wait.count() == 0 || wait < report.wait) report.wait = wait;
      return {};
    }
    auto batch = claim_deliveries(app, c.account_id, c.id, id, allowed, c.started_at);
    if (!batch.ok()) {
      pace.give_back(allowed);
      return batch.take_error();
    }
    pace.give_back(allowed - batch->size());
    if (batch->empty()) {
      auto done = finish_campaign_if_done(app, c.account_id, c.id);
      if (!done.ok()) return done.take_error();
      if (*done) ++report.finished;
      return {};
    }

    report.claimed += static_cast<std::int64_t>(batch->size());
    bool unauthorized = false;
    auto outcomes = send(**compiled_campaign, *batch, unauthorized);
    count(outcomes, report);
    hold_relay_if_deferring(outcomes);
    // When the results cannot be stored, the batch stays in flight under this worker and
    // becomes unknown when it deregisters: it was handed to the relay, so never again.
    SM_TRY(record_outcomes(app, c.account_id, id, outcomes));
    if (unauthorized) SM_TRY(pause_campaign_for(app, c.account_id, c.id, kRelayRefusedUs));
    log::debug("send batch campaign={} claimed={} worker={}", c.id, batch->size(), id);
    return {};
  }

  Result<RoundReport> round() {
    RoundReport report;
    auto reaped = reap_dead_workers(app, id, process, settings.worker_timeout);
    if (!reaped.ok()) return reaped.take_error();
    report.unknown = reaped->deliveries;
    SM_TRY(start_due(report));

    auto campaigns = sending_campaigns(app);
    if (!campaigns.ok()) return campaigns.take_error();
    forget_others(*campaigns);
    report.campaigns = static_cast<std::int64_t>(campaigns->size());
    if (campaigns->empty()) return report;
    if (app.now() < relay_hold_until) {
      report.wait = std::chrono::milliseconds(relay_hold_until - app.now());
      return report;
    }
    auto live = live_worker_count(app, settings.worker_timeout);
    if (!live.ok()) return live.take_error();
    // One campaign's trouble (its batch could not be stored, say) does not hold up the
    // others; it is tried again next round.
    for (const auto& c : *campaigns) {
      if (stopping) break;
      auto sent = send_batch_of(c, *live, report);
      if (!sent.ok() && log::allow("send-batch-failed", 6)) {
        log::warn("send batch failed; will try again campaign={} worker={} detail={}", c.id, id,
                  sent.error().detail);
      }
    }
    return report;
  }
};

SendWorker::SendWorker(App& app, SendWorkerSettings settings)
    : state_(std::make_unique<State>(app, settings)) {}

SendWorker::~SendWorker() {
  stop();
  bool opened = false;
  {
    std::lock_guard lock(state_->mu);
    opened = state_->opened;
    state_->opened = false;
  }
  if (state_->heartbeat.joinable()) state_->heartbeat.join();
  if (opened) {
    auto s = deregister_worker(state_->app, state_->id);
    if (!s.ok()) log::warn("send worker could not deregister detail={}", s.error().detail);
  }
}

const std::string& SendWorker::id() const { return state_->id; }

Status SendWorker::open() {
  std::lock_guard lock(state_->mu);
  if (state_->opened) return {};
  SM_TRY(register_worker(state_->app, state_->id, state_->process));
  state_->opened = true;
  state_->heartbeat = std::thread([s = state_.get()] { s->beat(); });
  log::info("send worker started worker={} pid={}", state_->id, state_->process.pid);
  return {};
}

Result<RoundReport> SendWorker::run_round() { return state_->round(); }

Status SendWorker::run(bool until_idle) {
  State& s = *state_;
  while (!s.stopping) {
    auto opened = open();
    if (opened.ok()) break;
    log::warn("send worker cannot register; retrying detail={}", opened.error().detail);
    s.pause_for(s.settings.idle_wait);
  }

  while (!s.stopping) {
    auto report = s.round();
    if (!report.ok()) {
      if (log::allow("send-round-failed", 6)) {
        log::warn("send round failed worker={} detail={}", s.id, report.error().detail);
      }
      s.pause_for(s.settings.idle_wait);
      continue;
    }
    if (until_idle && report->campaigns == 0 && report->started == 0) break;
    if (report->claimed > 0) continue;
    auto wait = report->wait.count() > 0 ? std::min(report->wait, s.settings.idle_wait)
                                         : s.settings.idle_wait;
    s.pause_for(wait);
  }
  return {};
}

void SendWorker::start() {
  if (state_->runner.joinable()) return;
  state_->runner = std::thread([this] {
    auto s = run(false);
    if (!s.ok()) log::error("send worker ended detail={}", s.error().detail);
  });
}

void SendWorker::stop() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
    state_->wake.notify_all();
  }
  if (state_->runner.joinable() && state_->runner.get_id() != std::this_thread::get_id()) {
    state_->runner.join();
  }
}

}  // namespace sm::services
