// Backups and restores of a whole installation: the database and the secret key, into one
// directory with a manifest that lists every table and its row count at the moment of the
// snapshot, so a restore can prove that nothing is missing.
//
// SQLite: the online backup API copies the database as one snapshot while the service keeps
// writing. PostgreSQL: pg_dump -Fc runs against database.url inside a snapshot that the row
// counts are taken in too (pg_export_snapshot), so the dump and the manifest agree; restore
// runs pg_restore. The password reaches those tools through the environment, never a command
// line.
//
// Backup directory: manifest.json, secret.key (mode 0600) and smartmessages.db (SQLite) or
// database.pgdump (PostgreSQL). Not included: the outbox of .eml files and CSV uploads still
// being imported.
//
// Thread-safe: functions run on the caller's thread; nothing is shared.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "services/app.hpp"

namespace sm::services {

struct TableCount {
  std::string table;
  std::int64_t rows = 0;
};

struct BackupManifest {
  int format = 1;
  std::string engine;         // "sqlite" or "postgresql"
  std::string database_file;  // "smartmessages.db" or "database.pgdump"
  std::string version;        // of the binary that took it
  Millis taken_at = 0;
  std::vector<TableCount> tables;

  std::int64_t total_rows() const;
};

// Where the tools say what they are doing (the PostgreSQL explanation, for one).
using Say = std::function<void(std::string_view)>;

// Takes a backup into `dest`, a directory that must not exist yet or be empty (it is
// created). invalid_input with what to do when it cannot be used; unavailable when pg_dump
// fails (its message in detail and, being the operator's own, in the message too).
Result<BackupManifest> take_backup(App& app, const std::filesystem::path& dest, const Say& say);

// Reads and checks a backup directory's manifest.
Result<BackupManifest> read_backup(const std::filesystem::path& src);

struct RestoreOutcome {
  BackupManifest manifest;
  std::vector<TableCount> restored;  // counted in the restored database
  bool complete() const;             // every table of the manifest, with the same count
};

// Puts the backup at `src` into the installation `config` names: its database (database.url)
// and its data_dir (secret.key). Refuses, saying what to do, when the data directory or the
// database already holds anything, unless `force`; refuses a backup of the other engine. Run
// it with the service stopped: it does not boot an App (which would make a new key).
Result<RestoreOutcome> restore_backup(const Config& config, const std::filesystem::path& src,
                                      bool force, const Say& say);

}  // namespace sm::services
