// `smartmessages consent ...`.
#include "cli/commands.hpp"

namespace sm::cli {

CommandRunner add_consent_commands(CLI::App& app, const BootOptions& boot_options) {
  (void)app;
  (void)boot_options;
  return [] { return std::optional<int>(); };
}

}  // namespace sm::cli
