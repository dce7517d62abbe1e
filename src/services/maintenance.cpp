#include "services/maintenance.hpp"

#include "core/log.hpp"
#include "services/sessions.hpp"
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

Result<std::int64_t> old_audit_events(App& app) {
  return run_delete(app, "audit.delete_older_than", {app.now() - kAuditRetention});
}

}  // namespace

const std::vector<MaintenanceJob>& maintenance_jobs() {
  static const std::vector<MaintenanceJob> jobs = {
      {"expired-sessions", "sign-in sessions idle for 30 minutes or older than 12 hours",
       expired_sessions},
      {"expired-links", "confirmation, reset and invitation links past their expiry or used",
       expired_links},
      {"old-audit-events", "security audit records older than 12 months", old_audit_events},
      {"pending-subscriptions",
       "subscriptions not confirmed within 7 days, with their sign-up evidence",
       expire_pending_subscriptions},
      {"confirmation-sends", "counts of confirmation emails older than 24 hours",
       forget_old_confirmation_sends},
  };
  return jobs;
}

std::vector<JobOutcome> run_maintenance(App& app) {
  std::vector<JobOutcome> outcomes;
  for (const auto& job : maintenance_jobs()) {
    auto removed = job.run(app);
    if (removed.ok()) {
      outcomes.push_back({job.name, *removed, ""});
      log::info("maintenance job={} removed={}", job.name, *removed);
    } else {
      outcomes.push_back({job.name, 0, removed.error().message});
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
