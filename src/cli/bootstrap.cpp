#include "cli/bootstrap.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/log.hpp"
#include "mail/transport.hpp"

namespace sm::cli {
namespace {

Result<std::string> read_config_file(const std::string& path) {
  if (path.empty()) return std::string();
  std::ifstream in(path);
  if (!in) {
    return make_error(Errc::invalid_input,
                      "config: cannot read " + path + "; check the --config path");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status make_data_dir(const Config& c) {
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  if (ec) {
    return make_error(Errc::invalid_input, "config: data_dir = \"" + c.data_dir +
                                               "\" cannot be created: " + ec.message());
  }
  return {};
}

}  // namespace

Result<Config> load_settings(const BootOptions& options) {
  auto text = read_config_file(options.config_path);
  if (!text.ok()) return text.take_error();
  return load_config(*text, process_env);
}

Result<std::unique_ptr<services::App>> boot(const BootOptions& options) {
  auto config = load_settings(options);
  if (!config.ok()) return config.take_error();
  log::init(config->log_level);
  SM_TRY(make_data_dir(*config));

  auto app = std::make_unique<services::App>();
  app->config = *config;
  app->clock = std::make_unique<SystemClock>(config->testing_clock_offset_ms);

  auto keys = KeyRing::load_or_create(config->data_dir);
  if (!keys.ok()) return keys.take_error();
  app->keys = std::make_unique<KeyRing>(std::move(*keys));

  auto db = store::Database::open(config->database_url, config->database_pool_size);
  if (!db.ok()) {
    Error e = db.take_error();
    e.message = "database: cannot open database.url: " + e.message + " (" + e.detail + ")";
    return e;
  }
  app->db = std::move(*db);
  if (options.migrate) {
    auto ran = app->db->migrate();
    if (!ran.ok()) {
      Error e = ran.take_error();
      e.message = "database: migrations failed: " + e.message + " (" + e.detail + ")";
      return e;
    }
    if (*ran > 0) log::info("migrations applied count={}", *ran);
  }

  mail::SmtpOptions smtp;
  smtp.max_connections = static_cast<std::size_t>(config->mail_smtp_connections);
  smtp.messages_per_second = config->mail_smtp_rate;
  auto transport = mail::make_transport(config->mail_smtp_url, config->outbox_dir(), smtp);
  if (!transport.ok()) return transport.take_error();
  app->mailer = std::make_unique<mail::Mailer>(
      std::move(*transport), mail::Mailbox{config->mail_from_address, config->mail_from_name},
      *app->clock);
  return app;
}

}  // namespace sm::cli
