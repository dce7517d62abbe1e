// `smartmessages operator grant|revoke EMAIL` and `operator list`: who may open the operator
// pages (services/operators).
#include <iostream>

#include "cli/commands.hpp"
#include "services/operators.hpp"

namespace sm::cli {
namespace {

int set(const BootOptions& boot_options, const std::string& email, bool grant) {
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  if (auto s = services::set_operator(**app, email, grant); !s.ok()) return fail(s.error());
  std::cerr << (grant ? "Granted: that user now sees the operator pages (/operator/breaches)."
                      : "Revoked: that user no longer sees the operator pages.")
            << "\n";
  return 0;
}

int list(const BootOptions& boot_options) {
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  auto all = services::list_operators(**app);
  if (!all.ok()) return fail(all.error());
  for (const auto& o : *all) {
    std::cout << o.user_id << " account " << o.account_id << " " << o.email << "\n";
  }
  return 0;
}

}  // namespace

CommandRunner add_operator_commands(CLI::App& app, const BootOptions& boot_options) {
  auto* op = app.add_subcommand("operator", "Who may open the operator pages");
  op->require_subcommand(1);
  auto email = std::make_shared<std::string>();
  auto* grant = op->add_subcommand("grant", "Let the user who signs in with EMAIL see them");
  grant->add_option("EMAIL", *email, "The user's sign-in address")->required();
  auto* revoke = op->add_subcommand("revoke", "Take that access away again");
  revoke->add_option("EMAIL", *email, "The user's sign-in address")->required();
  auto* list_cmd = op->add_subcommand("list", "Show the users with operator access");
  return [=, &boot_options]() -> std::optional<int> {
    if (*grant) return set(boot_options, *email, true);
    if (*revoke) return set(boot_options, *email, false);
    if (*list_cmd) return list(boot_options);
    return std::nullopt;
  };
}

}  // namespace sm::cli
