// The subcommands. Each takes the booted App (or its options) and returns an exit code;
// output meant for scripts (ids, keys) goes to stdout alone, everything else to stderr.
#pragma once

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

// Prints an error for the operator: the person-facing sentence, on stderr.
int fail(const Error& e);

}  // namespace sm::cli
