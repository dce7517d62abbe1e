// `smartmessages worker`: the sending engine without the web service, for machines that only
// send. It runs until SIGTERM or SIGINT, finishing the batch in flight, or with --until-idle
// until no campaign is sending.
#include <signal.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "core/log.hpp"
#include "services/send_worker.hpp"

namespace sm::cli {
namespace {

struct WorkerOptions {
  bool until_idle = false;
};

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// Waits for SIGTERM or SIGINT on a thread of its own and asks the worker to stop; ends by
// itself once `done` is set. The signals are blocked in every thread (the mask is set before
// any thread starts), so only this wait receives them.
class SignalWatcher {
 public:
  explicit SignalWatcher(services::SendWorker& worker)
      : thread_([this, &worker] { watch(worker); }) {}
  ~SignalWatcher() {
    done_ = true;
    thread_.join();
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  void watch(services::SendWorker& worker) {
    const sigset_t set = stop_signals();
    const timespec tick{0, 100'000'000};
    while (!done_) {
      const int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig == SIGTERM || sig == SIGINT) {
        log::info("send worker stopping signal={}", sig);
        std::cerr << "Stopping after the batch in flight...\n";
        worker.stop();
        return;
      }
    }
  }

  std::atomic<bool> done_{false};
  std::thread thread_;
};

int run_worker(const BootOptions& boot_options, const WorkerOptions& options) {
  // Before boot: the database pool and the transport may start threads of their own.
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto booted = boot(boot_options);
  if (!booted.ok()) return fail(booted.error());
  services::App& app = **booted;

  services::SendWorker worker(app, services::SendWorkerSettings::from(app.config));
  Status ran;
  {
    SignalWatcher watcher(worker);
    log::info("send worker running until_idle={} engine={}", options.until_idle,
              app.db->engine() == store::Engine::sqlite ? "sqlite" : "postgresql");
    ran = worker.run(options.until_idle);
  }
  if (!ran.ok()) return fail(ran.error());
  return 0;
}

}  // namespace

CommandRunner add_worker_commands(CLI::App& app, const BootOptions& boot_options) {
  auto options = std::make_shared<WorkerOptions>();
  auto* cmd =
      app.add_subcommand("worker", "Send campaigns without serving HTTP, until SIGTERM or SIGINT");
  cmd->add_flag("--until-idle", options->until_idle,
                "Exit once no campaign is sending (scheduled ones not yet due do not count)");
  return [=, &boot_options]() -> std::optional<int> {
    if (*cmd) return run_worker(boot_options, *options);
    return std::nullopt;
  };
}

}  // namespace sm::cli
