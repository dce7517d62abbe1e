// Start-up shared by every subcommand that touches the installation: read the settings,
// create the data directory and the secret key, open the database and apply migrations, and
// build the mailer. Errors are printed as one line for the operator.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "services/app.hpp"

namespace sm::cli {

struct BootOptions {
  std::string config_path;  // --config; empty: environment only
  bool migrate = true;
};

Result<std::unique_ptr<services::App>> boot(const BootOptions& options);

// Only the settings (file and environment), touching nothing: for commands that must not
// create a key or a database, such as `restore`.
Result<Config> load_settings(const BootOptions& options);

}  // namespace sm::cli
