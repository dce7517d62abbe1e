// `smartmessages serve`: the web service, with the maintenance scheduler beside it.
#include <iostream>

#include "api/routes.hpp"
#include "cli/commands.hpp"
#include "core/log.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "services/import_worker.hpp"
#include "services/maintenance.hpp"
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
  options.hsts = app.config.https();
  http::Server server(options, router, metrics);
  if (auto started = server.start(); !started.ok()) return fail(started.error());

  services::MaintenanceScheduler scheduler(app, app.config.maintenance_interval_seconds * kSecond);
  app.imports = std::make_shared<services::ImportWorker>(app);
  log::info("serving port={} engine={}", server.port(),
            app.db->engine() == store::Engine::sqlite ? "sqlite" : "postgresql");
  std::cerr << "Smartmessages is listening on " << app.config.http_base_url << "\n";
  server.run_until_signal();
  scheduler.stop();
  app.imports->stop();
  log::info("stopped cleanly");
  return 0;
}

}  // namespace sm::cli
