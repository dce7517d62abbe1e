// `smartmessages serve`: the web service, with the maintenance scheduler and (unless
// sending.enabled is false) a sending worker beside it.
#include <algorithm>
#include <iostream>
#include <thread>

#include "api/routes.hpp"
#include "cli/commands.hpp"
#include "core/log.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "services/import_worker.hpp"
#include "services/maintenance.hpp"
#include "services/send_worker.hpp"
#include "web/routes.hpp"

namespace sm::cli {

int serve(const BootOptions& boot_options) {
  auto booted = boot(boot_options);
  if (!booted.ok()) return fail(booted.error());
  services::App& app = **booted;

  http::Metrics metrics;
  http::Router router;
  web::add_web_routes(router, app);
  api::add_api_routes(router, app);
  router.get("/metrics", [&metrics](http::Request&) {
    auto r = http::Response::text(metrics.render());
    r.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return r;
  });

  http::ServerOptions options;
  options.host = app.config.http_host;
  options.port = app.config.http_port;
  options.worker_threads = app.config.http_worker_threads;
  // One socket I/O thread per core, up to 4: the open pixel and the click redirect are
  // answered on them (web/tracking_routes.cpp), and one thread would leave a core idle.
  options.io_threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  options.hsts = app.config.https();
  http::Server server(options, router, metrics);
  if (auto started = server.start(); !started.ok()) return fail(started.error());

  services::MaintenanceScheduler scheduler(app, app.config.maintenance_interval_seconds * kSecond);
  app.imports = std::make_shared<services::ImportWorker>(app);
  // Campaigns are sent beside the web service unless this node only serves.
  std::unique_ptr<services::SendWorker> sender;
  if (app.config.sending_enabled) {
    sender =
        std::make_unique<services::SendWorker>(app, services::SendWorkerSettings::from(app.config));
    sender->start();
  }
  log::info("serving port={} engine={}", server.port(),
            app.db->engine() == store::Engine::sqlite ? "sqlite" : "postgresql");
  std::cerr << "Smartmessages is listening on " << app.config.http_base_url << "\n";
  server.run_until_signal();
  sender.reset();  // finishes the batch in flight and deregisters
  scheduler.stop();
  app.imports->stop();
  log::info("stopped cleanly");
  return 0;
}

}  // namespace sm::cli
