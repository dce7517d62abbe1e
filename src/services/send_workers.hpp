// The sending workers alive now, and what happens to the deliveries of one that died.
//
// Every worker (a `smartmessages worker` process, or the sending thread of `serve`) registers
// in send_workers under a random id, which is what it writes into deliveries.claimed_by, and
// refreshes its heartbeat every few seconds. Any worker, on every round, judges the others:
//
//   - a worker on the same host (same host name) is dead at once when the machine has been
//     restarted since it registered (another boot id) or no process runs with its pid and
//     that pid's start time (so a reused pid does not pass for it), and alive otherwise;
//   - a worker on another host is dead when its heartbeat is older than
//     sending.worker_timeout_seconds.
//
// A dead worker's registration is removed and the deliveries it held in flight become
// 'unknown': it may have handed them to the relay before it died, so they are not sent again
// unless the account holder asks (services/sending.hpp requeue_unknown). A worker stopping
// cleanly finishes its batch first, so it leaves nothing in flight.
//
// Thread-safe: state lives in the database; the functions may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "services/app.hpp"

namespace sm::services {

// Which operating-system process a worker is, as far as another worker can check.
struct WorkerProcess {
  std::string host;     // the host name
  std::string boot_id;  // changes when the machine restarts
  std::int64_t pid = 0;
  std::int64_t pid_started = 0;  // the process's start time, in clock ticks since boot
};

// The process calling it.
WorkerProcess this_process();

// True when `p`, a process of this host and boot, is still running (a zombie is not).
bool process_running(const WorkerProcess& p);

struct RegisteredWorker {
  std::string id;
  WorkerProcess process;
  Millis heartbeat_at = 0;
};

enum class Liveness { alive, gone, silent };

// How `worker` looks from `self` at `now`: on the same host gone (process not running or
// machine restarted) or alive; on another host silent (no heartbeat for `timeout`) or alive.
// `running` is process_running, passed in so the rule can be tested without processes.
Liveness judge_worker(const RegisteredWorker& worker, const WorkerProcess& self, Millis now,
                      Millis timeout,
                      const std::function<bool(const WorkerProcess&)>& running = process_running);

// A new random worker id (hex, 24 characters).
std::string new_worker_id();

Status register_worker(App& app, const std::string& id, const WorkerProcess& process);

// Refreshes the heartbeat; registers again when the registration was removed (the worker
// was judged dead while stalled; what it held in flight is already unknown).
Status send_heartbeat(App& app, const std::string& id, const WorkerProcess& process);

// A worker stopping: whatever it still holds in flight (a batch whose results could not be
// stored) becomes unknown, and the registration goes.
Status deregister_worker(App& app, const std::string& id);

struct ReapReport {
  std::int64_t workers = 0;     // dead workers removed
  std::int64_t deliveries = 0;  // deliveries in flight that became unknown
};

// Removes every worker but `self_id` that is dead as seen from `self`, marks what each held
// in flight unknown, and marks unknown any delivery in flight whose worker is not registered.
Result<ReapReport> reap_dead_workers(App& app, const std::string& self_id,
                                     const WorkerProcess& self, Millis timeout);

// Workers with a heartbeat within `timeout`, at least 1: a campaign's rate is shared by them.
Result<std::int64_t> live_worker_count(App& app, Millis timeout);

// The sentence an unknown delivery keeps as its last_error.
extern const char* const kUnknownDeliverySentence;

}  // namespace sm::services
