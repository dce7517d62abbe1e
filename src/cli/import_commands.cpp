// `smartmessages import`, `export` and `suppressions export|import`: CSV in and out of a
// list, and hash lists of suppressions to carry between providers.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "services/csv_export.hpp"
#include "services/csv_import.hpp"
#include "services/suppression.hpp"

namespace sm::cli {
namespace {

struct ImportOptions {
  long long account_id = 0;
  long long list_id = 0;
  std::string source;
  std::string basis;
  bool send_confirmation = false;
  std::string file;
  std::string report_file;
};

struct ExportOptions {
  long long account_id = 0;
  long long list_id = 0;  // 0: every list
  std::string file = "-";
};

Error cannot_open(const std::string& path, const char* what) {
  return make_error(Errc::invalid_input, std::string("Cannot ") + what + " " + path +
                                             "; check the path and its permissions.");
}

// A progress line on a terminal only: redirected output stays clean for scripts.
services::ImportProgress progress_bar(std::ifstream& in, const std::string& path) {
  if (!isatty(STDERR_FILENO)) return {};
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return [&in, size, ec](std::int64_t rows) {
    std::streamoff pos = in.tellg();
    int percent = (ec || size == 0 || pos < 0) ? 100 : static_cast<int>(100.0 * pos / size);
    int filled = percent / 5;
    std::cerr << "\r[" << std::string(filled, '#') << std::string(20 - filled, ' ') << "] "
              << percent << "%  " << rows << " rows" << std::flush;
  };
}

void print_summary(const services::ImportReport& r) {
  std::cerr << "Import " << r.id << ": " << r.status << ". " << r.rows_seen << " rows read, "
            << r.imported << " imported, " << r.refused_total << " refused.\n";
  for (const auto& [reason, count] : r.refused) {
    if (count > 0) std::cerr << "  " << reason << ": " << count << "\n";
  }
  std::cout << r.id << "\n";
}

int write_report(services::App& app, const ImportOptions& o, std::int64_t import_id) {
  if (o.report_file.empty()) return 0;
  std::ofstream out(o.report_file, std::ios::binary);
  if (!out) return fail(cannot_open(o.report_file, "write"));
  auto s = services::write_refusals_csv(app, o.account_id, import_id, out);
  if (!s.ok()) return fail(s.error());
  std::cerr << "Refused rows written to " << o.report_file << "\n";
  return 0;
}

int run_import(const BootOptions& boot_options, const ImportOptions& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return fail(cannot_open(o.file, "read"));
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  services::ImportRequest request{o.account_id, o.list_id, o.source, o.basis, o.send_confirmation};
  auto id = services::start_import(**app, request);
  if (!id.ok()) return fail(id.error());
  auto report = services::run_import(**app, o.account_id, *id, in, progress_bar(in, o.file));
  if (isatty(STDERR_FILENO)) std::cerr << "\n";
  if (!report.ok()) {
    auto failed = services::find_import(**app, o.account_id, *id);
    if (failed.ok()) print_summary(*failed);
    return fail(report.error());
  }
  print_summary(*report);
  return write_report(**app, o, *id);
}

int run_export(const BootOptions& boot_options, const ExportOptions& o) {
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  std::optional<std::int64_t> list;
  if (o.list_id != 0) list = o.list_id;
  std::ofstream file;
  if (o.file != "-") {
    file.open(o.file, std::ios::binary);
    if (!file) return fail(cannot_open(o.file, "write"));
  }
  std::ostream& out = o.file == "-" ? std::cout : file;
  auto s = services::export_subscribers(**app, o.account_id, list, out);
  if (!s.ok()) return fail(s.error());
  out.flush();
  return 0;
}

int suppressions_export(const BootOptions& boot_options, long long account_id) {
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  auto left_out = services::export_suppression_hashes(**app, account_id, std::cout);
  if (!left_out.ok()) return fail(left_out.error());
  if (*left_out > 0) {
    std::cerr << *left_out << " suppressed addresses are no longer held (only their keyed hash "
              << "is kept), so they cannot be written as SHA-256 and were left out.\n";
  }
  return 0;
}

int suppressions_import(const BootOptions& boot_options, long long account_id,
                        const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(cannot_open(path, "read"));
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  auto r = services::import_suppression_hashes(**app, account_id, in);
  if (!r.ok()) return fail(r.error());
  std::cerr << r->added << " added, " << r->already << " already suppressed, " << r->invalid_lines
            << " lines were not a SHA-256 (64 hex digits) and were skipped.\n";
  return 0;
}

CLI::App* add_import(CLI::App& app, ImportOptions& o) {
  auto* cmd = app.add_subcommand("import",
                                 "Import a CSV file (header row: email, fields) into a "
                                 "list; prints the import id");
  cmd->add_option("--account", o.account_id, "Account id")->required();
  cmd->add_option("--list", o.list_id, "List id")->required();
  cmd->add_option("--source", o.source,
                  "Where the addresses came from and how they agreed; kept on every consent "
                  "record")
      ->required();
  cmd->add_option("--basis", o.basis, "Lawful basis")
      ->required()
      ->check(CLI::IsMember({"consent", "contract", "legitimate-interest"}));
  cmd->add_flag("--send-confirmation", o.send_confirmation,
                "Add as pending and send each address a confirmation email instead");
  cmd->add_option("--report", o.report_file, "Write the refused rows to this CSV file");
  cmd->add_option("FILE", o.file, "CSV file, UTF-8")->required();
  return cmd;
}

CLI::App* add_export(CLI::App& app, ExportOptions& o) {
  auto* cmd = app.add_subcommand("export", "Export a list, or every subscription, as CSV");
  cmd->add_option("--account", o.account_id, "Account id")->required();
  cmd->add_option("--list", o.list_id, "List id; every list when left out");
  cmd->add_option("FILE", o.file, "Output file; - (the default) for standard output");
  return cmd;
}

}  // namespace

CommandRunner add_import_commands(CLI::App& app, const BootOptions& boot_options) {
  auto import_options = std::make_shared<ImportOptions>();
  auto export_options = std::make_shared<ExportOptions>();
  auto* import_cmd = add_import(app, *import_options);
  auto* export_cmd = add_export(app, *export_options);

  auto* supp = app.add_subcommand("suppressions", "Suppression hash lists (SHA-256 per line)");
  supp->require_subcommand(1);
  auto account = std::make_shared<long long>(0);
  auto path = std::make_shared<std::string>();
  auto* supp_export = supp->add_subcommand("export", "Write the hash list to standard output");
  supp_export->add_option("--account", *account, "Account id")->required();
  auto* supp_import = supp->add_subcommand("import", "Add another provider's hash list");
  supp_import->add_option("--account", *account, "Account id")->required();
  supp_import->add_option("FILE", *path, "Hash list: 64 hex digits per line")->required();

  return [=, &boot_options]() -> std::optional<int> {
    if (*import_cmd) return run_import(boot_options, *import_options);
    if (*export_cmd) return run_export(boot_options, *export_options);
    if (*supp_export) return suppressions_export(boot_options, *account);
    if (*supp_import) return suppressions_import(boot_options, *account, *path);
    return std::nullopt;
  };
}

}  // namespace sm::cli
