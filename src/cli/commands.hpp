// The subcommands. Each takes the booted App (or its options) and returns an exit code;
// output meant for scripts (ids, keys) goes to stdout alone, everything else to stderr.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "cli/bootstrap.hpp"
#include "services/accounts.hpp"

namespace sm::cli {

int serve(const BootOptions& boot_options);
int migrate(const BootOptions& boot_options);
int maintain(const BootOptions& boot_options);

struct AccountCreateOptions {
  services::ControllerDetails details;
  bool password_stdin = false;
};
int account_create(const BootOptions& boot_options, const AccountCreateOptions& options);
int apikey_create(const BootOptions& boot_options, long long account_id, const std::string& name);

// A group of subcommands: registered on the parser before parsing; the returned runner then
// gives the exit code of the command that was chosen, or nullopt when none of its was.
using CommandRunner = std::function<std::optional<int>()>;
CommandRunner add_consent_commands(CLI::App& app, const BootOptions& boot_options);
CommandRunner add_import_commands(CLI::App& app, const BootOptions& boot_options);
CommandRunner add_breach_commands(CLI::App& app, const BootOptions& boot_options);
CommandRunner add_backup_commands(CLI::App& app, const BootOptions& boot_options);
CommandRunner add_worker_commands(CLI::App& app, const BootOptions& boot_options);
CommandRunner add_operator_commands(CLI::App& app, const BootOptions& boot_options);
CommandRunner add_bounce_commands(CLI::App& app, const BootOptions& boot_options);

// Prints an error for the operator: the person-facing sentence, on stderr.
int fail(const Error& e);

}  // namespace sm::cli
