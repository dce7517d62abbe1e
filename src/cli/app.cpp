#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"

namespace sm::cli {

int run(int argc, char** argv) {
  CLI::App app{
      "Smartmessages: mailing lists with double opt-in, one-click unsubscribe and "
      "proof of consent"};
  app.require_subcommand(1);
  BootOptions boot;
  app.add_option("--config", boot.config_path,
                 "TOML settings file; every key can also be set as SMARTMESSAGES_<SECTION>_<KEY>")
      ->check(CLI::ExistingFile);

  auto* serve_cmd = app.add_subcommand("serve", "Run the web service (and its maintenance jobs)");
  auto* migrate_cmd = app.add_subcommand("migrate", "Apply pending database migrations");
  auto* maintain_cmd =
      app.add_subcommand("maintain", "Run every maintenance job once and print what it removed");
  auto* version_cmd = app.add_subcommand("version", "Print the version");

  auto* account_cmd = app.add_subcommand("account", "Manage account holders");
  account_cmd->require_subcommand(1);
  AccountCreateOptions account;
  auto* account_create_cmd = account_cmd->add_subcommand(
      "create", "Create an account holder and its owner; prints the account id");
  account_create_cmd->add_option("--org", account.details.organisation, "Organisation name")
      ->required();
  account_create_cmd
      ->add_option("--email", account.details.contact_email,
                   "Contact email, also the owner's sign-in")
      ->required();
  account_create_cmd->add_option("--contact", account.details.contact_name, "Contact name");
  account_create_cmd->add_option("--address", account.details.postal_address, "Postal address");
  account_create_cmd->add_option("--website", account.details.website, "Website URL");
  account_create_cmd->add_flag("--password-stdin", account.password_stdin,
                               "Read the owner's password from standard input; without it a "
                               "one-time set-password link is printed");

  auto* apikey_cmd = app.add_subcommand("apikey", "Manage API keys");
  apikey_cmd->require_subcommand(1);
  long long apikey_account = 0;
  std::string apikey_name;
  auto* apikey_create_cmd =
      apikey_cmd->add_subcommand("create", "Create an API key; prints it once on stdout");
  apikey_create_cmd->add_option("--account", apikey_account, "Account id")->required();
  apikey_create_cmd->add_option("--name", apikey_name, "A name to recognise the key by");

  std::vector<CommandRunner> groups = {
      add_consent_commands(app, boot),  add_import_commands(app, boot),
      add_breach_commands(app, boot),   add_backup_commands(app, boot),
      add_operator_commands(app, boot), add_worker_commands(app, boot),
      add_bounce_commands(app, boot)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (*version_cmd) {
    std::cout << "smartmessages " << SM_VERSION << "\n";
    return 0;
  }
  if (*serve_cmd) return serve(boot);
  if (*migrate_cmd) return migrate(boot);
  if (*maintain_cmd) return maintain(boot);
  if (*account_create_cmd) return account_create(boot, account);
  if (*apikey_create_cmd) return apikey_create(boot, apikey_account, apikey_name);
  for (const auto& run : groups) {
    if (auto code = run()) return *code;
  }
  return 2;
}

}  // namespace sm::cli
