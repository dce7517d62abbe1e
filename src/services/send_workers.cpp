#include "services/send_workers.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/text.hpp"

namespace sm::services {

const char* const kUnknownDeliverySentence =
    "The worker sending this message stopped before the relay answered, so it may or may not "
    "have been delivered. It is not sent again unless you ask.";

namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return std::string(trim_whitespace(line));
}

struct ProcStat {
  char state = '?';
  std::int64_t started = 0;
};

// /proc/<pid>/stat: "pid (comm) state ... starttime ...". The command name may hold spaces
// and parentheses, so the fields are counted from the last ')'; starttime is field 22: after
// the state (field 3) come 18 others, then it.
std::optional<ProcStat> read_proc_stat(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  ProcStat stat;
  std::string field;
  fields >> stat.state;
  for (int i = 0; i < 18 && fields >> field; ++i) {
  }
  if (!(fields >> stat.started)) return std::nullopt;
  return stat;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

Result<std::int64_t> mark_unknown(store::Connection& c, const std::string& worker_id) {
  auto marked = store::run_named(c, "send_workers.mark_in_flight_unknown",
                                 {worker_id, std::string(kUnknownDeliverySentence)});
  if (!marked.ok()) return marked.take_error();
  return static_cast<std::int64_t>(marked->size());
}

// Removes one dead worker and marks its deliveries in flight, in one transaction, so a crash
// in between leaves neither a registration without a worker nor a claim without one.
Result<std::int64_t> bury(App& app, const RegisteredWorker& w, Liveness how, Millis cutoff) {
  return app.db->transact<std::int64_t>([&](store::Connection& c) -> Result<std::int64_t> {
    if (how == Liveness::silent) {
      // Only if it is still silent: a heartbeat since we looked means it is alive after all.
      auto removed = store::run_named(c, "send_workers.remove_if_silent", {w.id, cutoff});
      if (!removed.ok()) return removed.take_error();
      if (removed->empty()) return std::int64_t{-1};
    } else {
      auto removed = store::run_named(c, "send_workers.remove", {w.id});
      if (!removed.ok()) return removed.take_error();
    }
    return mark_unknown(c, w.id);
  });
}

RegisteredWorker worker_from_row(const store::Row& r) {
  RegisteredWorker w;
  w.id = r.text(0);
  w.process = {r.text(1), r.text(2), r.integer(3), r.integer(4)};
  w.heartbeat_at = r.integer(5);
  return w;
}

}  // namespace

WorkerProcess this_process() {
  WorkerProcess p;
  p.host = host_name();
  p.boot_id = read_first_line("/proc/sys/kernel/random/boot_id");
  p.pid = static_cast<std::int64_t>(::getpid());
  auto stat = read_proc_stat(p.pid);
  p.pid_started = stat ? stat->started : 0;
  return p;
}

bool process_running(const WorkerProcess& p) {
  auto stat = read_proc_stat(p.pid);
  if (!stat) return false;
  // 'Z': killed but not yet reaped by its parent; 'X': dying.
  if (stat->state == 'Z' || stat->state == 'X') return false;
  return stat->started == p.pid_started;
}

Liveness judge_worker(const RegisteredWorker& worker, const WorkerProcess& self, Millis now,
                      Millis timeout, const std::function<bool(const WorkerProcess&)>& running) {
  const WorkerProcess& p = worker.process;
  // On this host the process itself answers, which is sooner and surer than a heartbeat: a
  // worker that is running but slow to write is still sending.
  if (p.host == self.host && !self.host.empty()) {
    if (p.boot_id != self.boot_id || !running(p)) return Liveness::gone;
    return Liveness::alive;
  }
  if (worker.heartbeat_at < now - timeout) return Liveness::silent;
  return Liveness::alive;
}

std::string new_worker_id() { return crypto::hex_encode(crypto::random_bytes(12)); }

Status register_worker(App& app, const std::string& id, const WorkerProcess& p) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "send_workers.register",
                            {id, p.host, p.boot_id, p.pid, p.pid_started, app.now()});
  if (!r.ok()) return r.take_error();
  return {};
}

Status send_heartbeat(App& app, const std::string& id, const WorkerProcess& process) {
  {
    auto lease = app.db->acquire();
    if (!lease.ok()) return lease.take_error();
    auto r = store::run_named(**lease, "send_workers.heartbeat", {id, app.now()});
    if (!r.ok()) return r.take_error();
    if (r->affected > 0) return {};
  }
  log::warn("send worker registration was removed (judged dead); registering again worker={}", id);
  return register_worker(app, id, process);
}

Status deregister_worker(App& app, const std::string& id) {
  auto left = app.db->transact<std::int64_t>([&](store::Connection& c) -> Result<std::int64_t> {
    auto marked = mark_unknown(c, id);
    if (!marked.ok()) return marked.take_error();
    auto removed = store::run_named(c, "send_workers.remove", {id});
    if (!removed.ok()) return removed.take_error();
    return *marked;
  });
  if (!left.ok()) return left.take_error();
  if (*left > 0) log::warn("send worker stopped with deliveries in flight unknown={}", *left);
  return {};
}

Result<ReapReport> reap_dead_workers(App& app, const std::string& self_id,
                                     const WorkerProcess& self, Millis timeout) {
  std::vector<RegisteredWorker> workers;
  {
    auto lease = app.db->acquire();
    if (!lease.ok()) return lease.take_error();
    auto rows = store::run_named(**lease, "send_workers.all");
    if (!rows.ok()) return rows.take_error();
    for (const auto& r : rows->rows) workers.push_back(worker_from_row(r));
  }

  ReapReport report;
  const Millis now = app.now();
  for (const auto& w : workers) {
    if (w.id == self_id) continue;
    Liveness how = judge_worker(w, self, now, timeout);
    if (how == Liveness::alive) continue;
    auto marked = bury(app, w, how, now - timeout);
    if (!marked.ok()) return marked.take_error();
    if (*marked < 0) continue;
    ++report.workers;
    report.deliveries += *marked;
    log::warn("send worker dead worker={} reason={} deliveries_unknown={}", w.id,
              how == Liveness::gone ? "process-gone" : "no-heartbeat", *marked);
  }

  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto any = store::run_named(**lease, "deliveries.any_orphan_in_flight");
  if (!any.ok()) return any.take_error();
  if (any->empty()) return report;
  auto orphans = store::run_named(**lease, "deliveries.orphan_in_flight",
                                  {std::string(kUnknownDeliverySentence)});
  if (!orphans.ok()) return orphans.take_error();
  if (!orphans->empty()) {
    report.deliveries += static_cast<std::int64_t>(orphans->size());
    log::warn("deliveries in flight without a worker marked unknown count={}", orphans->size());
  }
  return report;
}

Result<std::int64_t> live_worker_count(App& app, Millis timeout) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "send_workers.alive_count", {app.now() - timeout});
  if (!rows.ok()) return rows.take_error();
  return std::max<std::int64_t>(1, rows->front().integer(0));
}

}  // namespace sm::services
