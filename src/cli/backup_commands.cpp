// `smartmessages backup DEST` and `smartmessages restore SRC [--force]` (services/backup).
#include <iostream>

#include "cli/commands.hpp"
#include "core/log.hpp"
#include "services/backup.hpp"

namespace sm::cli {
namespace {

void say(std::string_view line) { std::cerr << line << "\n"; }

int backup(const BootOptions& boot_options, const std::string& dest) {
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  auto m = services::take_backup(**app, dest, say);
  if (!m.ok()) return fail(m.error());
  std::cerr << "Backup written to " << dest << ": " << m->tables.size() << " tables, "
            << m->total_rows() << " rows, and the secret key. Keep it somewhere only the "
            << "operator can read: it holds personal data and the installation's key.\n";
  return 0;
}

void print_counts(const services::RestoreOutcome& r) {
  std::size_t i = 0;
  for (const auto& t : r.manifest.tables) {
    std::int64_t got = -1;
    for (; i < r.restored.size() && r.restored[i].table < t.table; ++i) {
    }
    if (i < r.restored.size() && r.restored[i].table == t.table) got = r.restored[i].rows;
    std::cout << t.table << " " << t.rows << " " << got << (got == t.rows ? "" : " MISSING")
              << "\n";
  }
}

int restore(const BootOptions& boot_options, const std::string& src, bool force) {
  auto config = load_settings(boot_options);
  if (!config.ok()) return fail(config.error());
  log::init(config->log_level);
  auto r = services::restore_backup(*config, src, force, say);
  if (!r.ok()) return fail(r.error());
  print_counts(*r);
  if (!r->complete()) {
    std::cerr << "The restored database does not match the backup's manifest (lines marked "
              << "MISSING). Do not start the service on it; restore again with --force.\n";
    return 1;
  }
  std::cerr << "Restored " << r->manifest.tables.size() << " tables, " << r->manifest.total_rows()
            << " rows, all matching the manifest, and the secret "
            << "key. Start the service with the same settings.\n";
  return 0;
}

}  // namespace

CommandRunner add_backup_commands(CLI::App& app, const BootOptions& boot_options) {
  auto dest = std::make_shared<std::string>();
  auto src = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto* backup_cmd = app.add_subcommand(
      "backup", "Copy the database and the secret key into a new directory, while serving");
  backup_cmd->add_option("DEST", *dest, "A directory that does not exist yet, or is empty")
      ->required();
  auto* restore_cmd = app.add_subcommand(
      "restore", "Put a backup back into this installation; prints each table's row counts");
  restore_cmd->add_option("SRC", *src, "A directory written by `smartmessages backup`")->required();
  restore_cmd->add_flag("--force", *force,
                        "Overwrite a data directory or database that already holds data");

  return [=, &boot_options]() -> std::optional<int> {
    if (*backup_cmd) return backup(boot_options, *dest);
    if (*restore_cmd) return restore(boot_options, *src, *force);
    return std::nullopt;
  };
}

}  // namespace sm::cli
