#include "services/backup.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/log.hpp"
#include "store/backup.hpp"

extern char** environ;

namespace sm::services {
namespace {

namespace fs = std::filesystem;
using Env = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kManifest = "manifest.json";
constexpr const char* kKeyFile = "secret.key";
constexpr const char* kSqliteFile = "smartmessages.db";
constexpr const char* kPgFile = "database.pgdump";
constexpr int kFormat = 1;

Error bad_path(std::string message, const std::string& detail = {}) {
  return make_error(Errc::invalid_input, std::move(message), detail);
}

std::string listing(const fs::path& dir) {
  std::string names;
  std::error_code ec;
  int shown = 0;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (shown++ == 3) return names + ", ...";
    names += (names.empty() ? "" : ", ") + e.path().filename().string();
  }
  return names;
}

bool non_empty_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec) && !fs::is_empty(dir, ec);
}

// A backup goes into a new or empty directory: it never overwrites another backup.
Status prepare_dest(const fs::path& dest) {
  std::error_code ec;
  if (fs::exists(dest, ec) && !fs::is_directory(dest, ec)) {
    return bad_path(dest.string() + " is a file; give a directory for the backup.");
  }
  if (non_empty_dir(dest)) {
    return bad_path(dest.string() + " already holds files (" + listing(dest) +
                    "); give a new or empty directory, so no backup is overwritten.");
  }
  fs::create_directories(dest, ec);
  if (ec) return bad_path("Cannot create " + dest.string() + ": " + ec.message() + ".");
  return {};
}

// Copies secret.key, readable by its owner only (KeyRing refuses anything looser).
Status copy_key(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (!ec) fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (ec) {
    return bad_path("Cannot copy the secret key from " + from.string() + " to " + to.string() +
                    ": " + ec.message() + ".");
  }
  return {};
}

// By byte order, whatever the database's collation, so lists compare row by row.
void sort_by_table(std::vector<TableCount>& v) {
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.table < b.table; });
}

Result<std::vector<TableCount>> count_tables(store::Connection& c) {
  auto tables = store::user_tables(c);
  if (!tables.ok()) return tables.take_error();
  std::vector<TableCount> out;
  for (const auto& t : *tables) {
    auto n = store::count_rows(c, t);
    if (!n.ok()) return n.take_error();
    out.push_back({t, *n});
  }
  sort_by_table(out);
  return out;
}

Result<std::vector<TableCount>> count_database(const std::string& url) {
  auto db = store::Database::open(url, 1);
  if (!db.ok()) return db.take_error();
  auto lease = (*db)->acquire();
  if (!lease.ok()) return lease.take_error();
  return count_tables(**lease);
}

// The process environment with `extra` set over it.
std::vector<std::string> environment_with(const Env& extra) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) merged[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : merged) out.push_back(k + "=" + v);
  return out;
}

// Runs a PostgreSQL tool found on PATH; its standard error is returned when it fails.
Status run_tool(const std::vector<std::string>& args, const Env& env) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return make_error(Errc::internal, "Cannot start " + args[0] + ".");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);

  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> envs = environment_with(env);
  std::vector<char*> envp;
  for (const auto& e : envs) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0].c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    return make_error(Errc::unavailable,
                      args[0] +
                          " was not found on PATH; install the postgresql-client package "
                          "of the server's major version.",
                      "posix_spawnp: " + std::to_string(rc));
  }
  std::string errors;
  char buf[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) {
    errors.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  while (!errors.empty() && (errors.back() == '\n' || errors.back() == ' ')) errors.pop_back();
  return make_error(Errc::unavailable, args[0] + " failed: " + errors, errors);
}

Status write_manifest(const fs::path& dest, const BackupManifest& m) {
  nlohmann::json tables = nlohmann::json::object();
  for (const auto& t : m.tables) tables[t.table] = t.rows;
  nlohmann::json j = {
      {"format", m.format},   {"engine", m.engine},     {"database_file", m.database_file},
      {"version", m.version}, {"taken_at", m.taken_at}, {"tables", tables}};
  // Written last and renamed into place: a backup without its manifest is not one.
  const fs::path tmp = dest / (std::string(kManifest) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary);
    out << j.dump(2) << "\n";
    if (!out.flush()) return bad_path("Cannot write " + tmp.string() + ".");
  }
  std::error_code ec;
  fs::rename(tmp, dest / kManifest, ec);
  if (ec) return bad_path("Cannot write the manifest in " + dest.string() + ": " + ec.message());
  return {};
}

Result<std::vector<TableCount>> backup_sqlite(App& app, const std::string& source,
                                              const fs::path& dest, const Say& say) {
  const fs::path file = dest / kSqliteFile;
  say("SQLite: copying " + source +
      " with the online backup API (one snapshot; the service "
      "keeps running) into " +
      file.string());
  SM_TRY(store::sqlite_online_copy(source, file.string()));
  (void)app;
  return count_database("sqlite:" + file.string());
}

// pg_dump inside a snapshot exported by a transaction that also counts the rows, so the
// manifest describes exactly what the dump holds.
Result<std::vector<TableCount>> backup_postgres(App& app, const fs::path& dest, const Say& say) {
  auto env = store::postgres_environment(app.config.database_url);
  if (!env.ok()) return env.take_error();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  store::Connection& c = **lease;
  SM_TRY(c.begin());
  auto counted = [&]() -> Result<std::vector<TableCount>> {
    auto iso = c.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    if (!iso.ok()) return iso.take_error();
    auto snapshot = c.run("SELECT pg_export_snapshot()");
    if (!snapshot.ok()) return snapshot.take_error();
    auto counts = count_tables(c);
    if (!counts.ok()) return counts.take_error();
    const fs::path file = dest / kPgFile;
    say("PostgreSQL: running pg_dump --format=custom against database.url (one snapshot, "
        "shared with the row counts; the service keeps running) into " +
        file.string());
    SM_TRY(run_tool({"pg_dump", "--format=custom", "--snapshot=" + snapshot->front().text(0),
                     "--file=" + file.string()},
                    *env));
    return counts;
  }();
  c.rollback();
  return counted;
}

Result<BackupManifest> parse_manifest(const fs::path& src) {
  std::ifstream in(src / kManifest, std::ios::binary);
  if (!in) {
    return bad_path(src.string() + " has no " + kManifest +
                    "; give a directory written by `smartmessages backup`.");
  }
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  BackupManifest m;
  try {
    m.format = j.at("format").get<int>();
    m.engine = j.at("engine").get<std::string>();
    m.database_file = j.at("database_file").get<std::string>();
    m.version = j.value("version", "");
    m.taken_at = j.value("taken_at", Millis{0});
    for (const auto& [table, rows] : j.at("tables").items()) {
      m.tables.push_back({table, rows.get<std::int64_t>()});
    }
    sort_by_table(m.tables);
  } catch (const std::exception& e) {
    return bad_path(src.string() + "/" + kManifest + " is damaged; it cannot be restored.",
                    e.what());
  }
  return m;
}

// What restoring would overwrite, and the refusal that says what to do instead.
Status refuse_unless_empty(const Config& config, bool force) {
  if (force) return {};
  const fs::path data_dir = config.data_dir;
  if (non_empty_dir(data_dir)) {
    return bad_path("data_dir " + data_dir.string() + " is not empty (it holds " +
                    listing(data_dir) +
                    "). Stop the service and restore into an empty data directory (move this "
                    "one aside first), or add --force to overwrite what is there.");
  }
  auto file = store::sqlite_path(config.database_url);
  std::error_code ec;
  if (file && fs::exists(*file, ec) && fs::file_size(*file, ec) > 0) {
    return bad_path("The database " + *file +
                    " already exists. Restore into a new "
                    "installation, or add --force to replace it.");
  }
  return {};
}

// A PostgreSQL database that already has tables is not overwritten without --force.
Status refuse_unless_empty_database(const Config& config, bool force) {
  if (force) return {};
  auto counts = count_database(config.database_url);
  if (!counts.ok()) return counts.take_error();
  if (!counts->empty()) {
    return bad_path("The database named by database.url already has " +
                    std::to_string(counts->size()) +
                    " tables. Restore into an empty database (createdb a new one and point "
                    "database.url at it), or add --force to replace its contents.");
  }
  return {};
}

// Copies into a file beside the target and renames it over, so a failed copy leaves nothing
// half-written where the service would open it.
Status restore_sqlite(const Config& config, const fs::path& src, const Say& say) {
  const std::string target = *store::sqlite_path(config.database_url);
  std::error_code ec;
  auto parent = fs::path(target).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  const std::string staging = target + ".restoring";
  fs::remove(staging, ec);
  say("SQLite: copying " + (src / kSqliteFile).string() + " into " + target);
  SM_TRY(store::sqlite_online_copy((src / kSqliteFile).string(), staging));
  for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(target + suffix, ec);
  fs::rename(staging, target, ec);
  if (ec)
    return bad_path("Cannot move the restored database into " + target + ": " + ec.message() + ".");
  return {};
}

Status restore_postgres(const Config& config, const fs::path& src, bool force, const Say& say) {
  auto env = store::postgres_environment(config.database_url);
  if (!env.ok()) return env.take_error();
  std::string dbname;
  for (const auto& [k, v] : *env) {
    if (k == "PGDATABASE") dbname = v;
  }
  if (dbname.empty()) {
    return bad_path(
        "database.url names no database; write it as "
        "postgresql://USER@HOST:PORT/DATABASE.");
  }
  std::vector<std::string> args = {"pg_restore",      "--no-owner",           "--no-privileges",
                                   "--exit-on-error", "--single-transaction", "--dbname=" + dbname};
  if (force) {
    args.push_back("--clean");
    args.push_back("--if-exists");
  }
  args.push_back((src / kPgFile).string());
  say("PostgreSQL: running pg_restore" + std::string(force ? " --clean" : "") +
      " into the database named by database.url");
  return run_tool(args, *env);
}
}  // namespace

std::int64_t BackupManifest::total_rows() const {
  std::int64_t n = 0;
  for (const auto& t : tables) n += t.rows;
  return n;
}

bool RestoreOutcome::complete() const {
  if (restored.size() != manifest.tables.size()) return false;
  for (std::size_t i = 0; i < restored.size(); ++i) {
    if (restored[i].table != manifest.tables[i].table) return false;
    if (restored[i].rows != manifest.tables[i].rows) return false;
  }
  return true;
}

Result<BackupManifest> take_backup(App& app, const fs::path& dest, const Say& say) {
  SM_TRY(prepare_dest(dest));
  BackupManifest m;
  m.version = SM_VERSION;
  m.taken_at = app.now();
  auto source = store::sqlite_path(app.config.database_url);
  m.engine = source ? "sqlite" : "postgresql";
  m.database_file = source ? kSqliteFile : kPgFile;

  auto counts = source ? backup_sqlite(app, *source, dest, say) : backup_postgres(app, dest, say);
  if (!counts.ok()) return counts.take_error();
  m.tables = std::move(*counts);
  SM_TRY(copy_key(fs::path(app.config.data_dir) / kKeyFile, dest / kKeyFile));
  SM_TRY(write_manifest(dest, m));
  log::info("backup taken engine={} tables={} rows={}", m.engine, m.tables.size(), m.total_rows());
  return m;
}

Result<BackupManifest> read_backup(const fs::path& src) {
  auto m = parse_manifest(src);
  if (!m.ok()) return m;
  if (m->format != kFormat) {
    return bad_path("This backup has format " + std::to_string(m->format) +
                    "; this binary "
                    "restores format " +
                    std::to_string(kFormat) +
                    ". Use the version that "
                    "took it (" +
                    m->version + ").");
  }
  std::error_code ec;
  for (const std::string& f : {m->database_file, std::string(kKeyFile)}) {
    if (f.find('/') != std::string::npos || !fs::is_regular_file(src / f, ec)) {
      return bad_path(src.string() + " lacks " + f + "; the backup is incomplete.");
    }
  }
  return m;
}

Result<RestoreOutcome> restore_backup(const Config& config, const fs::path& src, bool force,
                                      const Say& say) {
  auto manifest = read_backup(src);
  if (!manifest.ok()) return manifest.take_error();
  const bool sqlite = store::sqlite_path(config.database_url).has_value();
  const std::string engine = sqlite ? "sqlite" : "postgresql";
  if (manifest->engine != engine) {
    return bad_path("This is a backup of a " + manifest->engine +
                    " installation, but "
                    "database.url names " +
                    engine + ". Restore it into an installation on " + manifest->engine + ".");
  }

  SM_TRY(refuse_unless_empty(config, force));
  if (sqlite) {
    SM_TRY(restore_sqlite(config, src, say));
  } else {
    SM_TRY(refuse_unless_empty_database(config, force));
    SM_TRY(restore_postgres(config, src, force, say));
  }
  std::error_code ec;
  fs::create_directories(config.data_dir, ec);
  SM_TRY(copy_key(src / kKeyFile, fs::path(config.data_dir) / kKeyFile));

  RestoreOutcome out;
  out.manifest = std::move(*manifest);
  auto counts = count_database(config.database_url);
  if (!counts.ok()) return counts.take_error();
  out.restored = std::move(*counts);
  log::info("backup restored engine={} complete={}", engine, out.complete());
  return out;
}

}  // namespace sm::services
