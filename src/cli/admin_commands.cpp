// migrate, maintain, account create, apikey create.
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "services/api_keys.hpp"
#include "services/maintenance.hpp"

namespace sm::cli {

int fail(const Error& e) {
  std::cerr << "smartmessages: " << e.message << "\n";
  return 1;
}

int migrate(const BootOptions& boot_options) {
  BootOptions o = boot_options;
  o.migrate = false;
  auto app = boot(o);
  if (!app.ok()) return fail(app.error());
  auto ran = (*app)->db->migrate();
  if (!ran.ok()) return fail(ran.error());
  std::cerr << "migrations applied: " << *ran << "\n";
  return 0;
}

int maintain(const BootOptions& boot_options) {
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  int failed = 0;
  for (const auto& outcome : services::run_maintenance(**app)) {
    if (outcome.error.empty()) {
      std::cout << outcome.name << ": " << outcome.counts << " " << outcome.removed << "\n";
    } else {
      std::cout << outcome.name << ": failed: " << outcome.error << "\n";
      ++failed;
    }
  }
  return failed == 0 ? 0 : 1;
}

int account_create(const BootOptions& boot_options, const AccountCreateOptions& options) {
  std::string password;
  if (options.password_stdin) {
    std::getline(std::cin, password);
    if (password.empty()) {
      return fail(make_error(Errc::invalid_input,
                             "--password-stdin was given but standard input had no password"));
    }
  }
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  auto created = services::create_account_as_operator(**app, options.details, password);
  if (!created.ok()) return fail(created.error());

  std::cout << created->ids.account_id << "\n";
  if (!created->set_password_url.empty()) {
    std::cerr << "The owner sets a password with this one-time link (valid 24 hours):\n"
              << created->set_password_url << "\n";
  }
  return 0;
}

int apikey_create(const BootOptions& boot_options, long long account_id, const std::string& name) {
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  auto key = services::create_api_key(**app, account_id, name);
  if (!key.ok()) return fail(key.error());
  std::cout << key->key << "\n";
  std::cerr << "Store this key now: it is shown only once.\n";
  return 0;
}

}  // namespace sm::cli
