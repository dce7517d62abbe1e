// The smartmessages command line: serve, migrate, account, apikey, maintain, version.
#pragma once

namespace sm::cli {

// Parses argv, runs the subcommand and returns the process exit code.
int run(int argc, char** argv);

}  // namespace sm::cli
