#include "services/maintenance.hpp"

#include "core/log.hpp"
#include "services/event_retention.hpp"
#include "services/inactive_subscribers.hpp"
#include "services/portal.hpp"
#include "services/sessions.hpp"
#include "services/site_verification.hpp"
#include "services/subscriptions.hpp"

namespace sm::services {
namespace {

Result<std::int64_t> run_delete(App& app, std::string_view query,
                                const std::vector<store::Value>& params) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, query, params);
  if (!r.ok()) return r.take_error();
  return r->affected;
}

Result<std::int64_t> expired_sessions(App& app) {
  Millis now = app.now();
  return run_delete(app, "sessions.delete_expired", {now - kSessionIdle, now - kSessionAbsolute});
}

Result<std::int64_t> expired_links(App& app) {
  return run_delete(app, "links.delete_expired", {app.now()});
}

Result<std::int64_t> expired_portal_links(App& app) {
  return run_delete(app, "portal.delete_expired_links", {app.now()});
}

Result<std::int64_t> expired_portal_sessions(App& app) {
  Millis now = app.now();
  return run_delete(app, "portal.delete_expired_sessions",
                    {now - kPortalSessionIdle, now - kPortalSessionAbsolute});
}

Result<std::int64_t> old_audit_events(App& app) {
  return run_delete(app, "audit.delete_older_than", {app.now() - audit_retention(app.config)});
}

std::string months(int n) { return std::to_string(n) + (n == 1 ? " month" : " months"); }

std::string count_of(Millis n, const char* unit) {
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

// "7 days", "12 hours", "30 minutes": the largest unit that divides the period.
std::string duration_words(Millis d) {
  if (d % kDay == 0) return count_of(d / kDay, "day");
  if (d % kHour == 0) return count_of(d / kHour, "hour");
  return count_of(d / kMinute, "minute");
}

}  // namespace

const std::vector<MaintenanceJob>& maintenance_jobs() {
  static const std::vector<MaintenanceJob> jobs = {
      {"expired-sessions", "sign-in sessions idle for 30 minutes or older than 12 hours",
       expired_sessions},
      {"expired-links", "confirmation, reset and invitation links past their expiry or used",
       expired_links},
      {"expired-portal-links", "data access portal links past their hour or used",
       expired_portal_links},
      {"expired-portal-sessions",
       "data access portal sessions idle for 30 minutes or older than 2 hours",
       expired_portal_sessions},
      {"old-audit-events",
       "security audit records older than retention.audit_months (12 months by default)",
       old_audit_events},
      {"pending-subscriptions",
       "subscriptions not confirmed within 7 days, with their sign-up evidence",
       expire_pending_subscriptions},
      {"confirmation-sends", "counts of confirmation emails older than 24 hours",
       forget_old_confirmation_sends},
      {"site-verification",
       "re-checks each account's verification page not checked for a day (it counts the "
       "pages checked)",
       recheck_site_verifications, "checked"},
      {"old-tracking-events",
       "opens and clicks older than 6 months, once rolled up into each campaign's hourly "
       "figures (which stay)",
       delete_old_tracking_events},
      {"inactive-subscribers",
       "subscribers of accounts that chose it, with no open, click or confirmation for the "
       "months the account set (1 to 6), though sent tracked campaigns",
       delete_inactive_subscribers},
  };
  return jobs;
}

Millis audit_retention(const Config& config) {
  return static_cast<Millis>(config.retention_audit_months) * 30 * kDay;
}

std::vector<RetentionPeriod> retention_periods(const Config& config) {
  return {
      {"A subscription you do not confirm, with the evidence of its sign-up",
       duration_words(kPendingLife)},
      {"Records of how many confirmation emails were sent to an address", duration_words(kDay)},
      {"Security records of sign-ins, password resets and use of the data access portal, "
       "with their IP address and browser",
       months(config.retention_audit_months)},
      {"Links for the account's team: password resets, address confirmations and invitations",
       "1 hour, 24 hours and 7 days, or until used"},
      {"Links to the data access portal", duration_words(kPortalLinkLife) + " or until used"},
      {"Data access portal sessions", duration_words(kPortalSessionIdle) + " idle, " +
                                          duration_words(kPortalSessionAbsolute) + " at most"},
      {"Signed-in sessions of the account's team",
       duration_words(kSessionIdle) + " idle, " + duration_words(kSessionAbsolute) + " at most"},
      {"Which campaigns you opened and which of their links you followed, where the sender "
       "turned tracking on (counts without your name stay)",
       months(static_cast<int>(kEventRetention / (30 * kDay)))},
  };
}

std::vector<JobOutcome> run_maintenance(App& app) {
  std::vector<JobOutcome> outcomes;
  for (const auto& job : maintenance_jobs()) {
    auto removed = job.run(app);
    if (removed.ok()) {
      outcomes.push_back({job.name, *removed, job.counts, ""});
      log::info("maintenance job={} {}={}", job.name, job.counts, *removed);
    } else {
      outcomes.push_back({job.name, 0, job.counts, removed.error().message});
      log::error("maintenance job={} failed detail={}", job.name, removed.error().detail);
    }
  }
  return outcomes;
}

}  // namespace sm::services

#include <condition_variable>
#include <mutex>
#include <thread>

namespace sm::services {

struct MaintenanceScheduler::State {
  std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;
};

MaintenanceScheduler::MaintenanceScheduler(App& app, Millis interval)
    : state_(std::make_unique<State>()) {
  State* s = state_.get();
  s->thread = std::thread([&app, interval, s] {
    std::unique_lock lock(s->mu);
    while (!s->stopping) {
      if (s->wake.wait_for(lock, std::chrono::milliseconds(interval),
                           [s] { return s->stopping; })) {
        break;
      }
      lock.unlock();
      run_maintenance(app);
      lock.lock();
    }
  });
}

MaintenanceScheduler::~MaintenanceScheduler() { stop(); }

void MaintenanceScheduler::stop() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
}

}  // namespace sm::services
