// The smartmessages binary: every subcommand lives in src/cli.
#include "cli/app.hpp"

int main(int argc, char** argv) { return sm::cli::run(argc, argv); }
