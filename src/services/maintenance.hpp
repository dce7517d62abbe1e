// Maintenance jobs: retention rules that delete what has outlived its purpose. `serve` runs
// due jobs on a schedule; `smartmessages maintain` runs them all once and prints what each
// removed. Every job reads the time from the App's clock, so tests move the clock.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "services/app.hpp"

namespace sm::services {

struct MaintenanceJob {
  std::string name;         // "expired-sessions"
  std::string description;  // what it removes, for `maintain --help` and the docs
  std::function<Result<std::int64_t>(App&)> run;  // returns how many rows it removed
  std::string counts = "removed";  // what the number counts ("checked" for re-checks)
};

// Every registered job, in the order they run.
const std::vector<MaintenanceJob>& maintenance_jobs();

struct JobOutcome {
  std::string name;
  std::int64_t removed = 0;  // or checked: see MaintenanceJob::counts
  std::string counts = "removed";
  std::string error;  // empty on success; a sentence for the operator
};

// Runs every job once; a failing job does not stop the others.
std::vector<JobOutcome> run_maintenance(App& app);

// Security audit records are kept `retention.audit_months` months (12 by default), a month
// counted as 30 days.
Millis audit_retention(const Config& config);

// One rule of how long something is kept, in words, for the privacy notice: every period
// that a maintenance job enforces, from the same constants and settings the jobs use.
struct RetentionPeriod {
  std::string what;    // "Security records of sign-ins, password resets and portal use"
  std::string period;  // "12 months"
};
std::vector<RetentionPeriod> retention_periods(const Config& config);

}  // namespace sm::services

namespace sm::services {

// Runs every job each `interval` on a thread of its own, until stopped. The first run is
// one interval after start, so a restart loop cannot hammer the database.
class MaintenanceScheduler {
 public:
  MaintenanceScheduler(App& app, Millis interval);
  ~MaintenanceScheduler();  // stops and joins
  MaintenanceScheduler(const MaintenanceScheduler&) = delete;
  MaintenanceScheduler& operator=(const MaintenanceScheduler&) = delete;

  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sm::services
