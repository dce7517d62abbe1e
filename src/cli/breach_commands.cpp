// `smartmessages breach record|notify|list`: the operator's register of personal data
// breaches (services/breaches) and the notices to the account holders they affect.
#include <ctime>
#include <iostream>

#include "cli/commands.hpp"
#include "services/breaches.hpp"

namespace sm::cli {
namespace {

struct RecordOptions {
  std::string summary;
  std::string found_at;  // UTC; empty: now
  std::string data;
  std::vector<long long> accounts;
  bool all = false;
};

// "2026-12-01", "2026-12-01 09:30", "2026-12-01T09:30:15Z" and the like: a time in UTC.
std::optional<Millis> parse_utc(const std::string& text) {
  static const char* formats[] = {
      "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
      "%Y-%m-%d %H:%M:%S",  "%Y-%m-%d %H:%M",  "%Y-%m-%d"};
  for (const char* f : formats) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), f, &tm);
    if (end != nullptr && *end == '\0') return static_cast<Millis>(timegm(&tm)) * 1000;
  }
  return std::nullopt;
}

int record(const BootOptions& boot_options, const RecordOptions& o) {
  services::BreachReport r;
  r.summary = o.summary;
  r.data_affected = o.data;
  r.all_accounts = o.all;
  r.accounts.assign(o.accounts.begin(), o.accounts.end());
  if (!o.found_at.empty()) {
    r.found_at = parse_utc(o.found_at);
    if (!r.found_at) {
      return fail(make_error(Errc::invalid_input, "--found-at \"" + o.found_at +
                                                      "\" is not a time; write it in UTC "
                                                      "as 2026-12-01 or 2026-12-01T09:30Z."));
    }
  }
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  auto id = services::record_breach(**app, r);
  if (!id.ok()) return fail(id.error());
  std::cout << *id << "\n";
  std::cerr << "Breach " << *id << " recorded. Tell the account holders now: smartmessages "
            << "breach notify " << *id << "\n";
  return 0;
}

int notify(const BootOptions& boot_options, long long breach_id) {
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  auto outcome = services::notify_breach(**app, breach_id);
  if (!outcome.ok()) return fail(outcome.error());
  std::cerr << outcome->sent << " notices sent, " << outcome->already << " accounts notified "
            << "before, " << outcome->failed << " could not be sent";
  if (outcome->failed > 0) {
    std::cerr << ". `breach list` shows why; run `breach notify " << breach_id
              << "` again to retry them.\n";
    return 1;
  }
  std::cerr << ".\n";
  return 0;
}

void print_breach(const services::Breach& b) {
  std::cout << "Breach " << b.id << "\n"
            << "  found:    " << format_utc(b.found_at) << "\n"
            << "  recorded: " << format_utc(b.recorded_at) << "\n"
            << "  summary:  " << b.summary << "\n"
            << "  data:     " << (b.data_affected.empty() ? "(not stated)" : b.data_affected)
            << "\n"
            << "  accounts: " << b.accounts.size() << (b.all_accounts ? " (all)" : "") << ", "
            << b.notified_count() << " notified\n";
  for (const auto& a : b.accounts) {
    std::cout << "    " << a.account_id << " " << a.organisation << ": ";
    if (a.notified_at) {
      std::cout << "notified " << format_utc(*a.notified_at) << " at " << a.notified_to;
    } else {
      std::cout << "not notified" << (a.notify_error.empty() ? "" : " (" + a.notify_error + ")");
    }
    std::cout << "\n";
  }
}

int list(const BootOptions& boot_options) {
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  auto all = services::list_breaches(**app);
  if (!all.ok()) return fail(all.error());
  if (all->empty()) std::cerr << "The breach register is empty.\n";
  for (const auto& b : *all) print_breach(b);
  return 0;
}

CLI::App* add_record(CLI::App& breach, RecordOptions& o) {
  auto* cmd = breach.add_subcommand("record",
                                    "Record a personal data breach in the register; prints its id");
  cmd->add_option("--summary", o.summary, "What happened, as far as it is known")->required();
  cmd->add_option("--found-at", o.found_at,
                  "When it was found, UTC: 2026-12-01 or 2026-12-01T09:30Z (default: now)");
  cmd->add_option("--data", o.data, "What personal data it concerns");
  auto* accounts = cmd->add_option("--account", o.accounts, "An affected account id; repeat it");
  auto* all = cmd->add_flag("--all", o.all, "Every account of the installation is affected");
  accounts->excludes(all);
  return cmd;
}

}  // namespace

CommandRunner add_breach_commands(CLI::App& app, const BootOptions& boot_options) {
  auto* breach = app.add_subcommand("breach", "The register of personal data breaches");
  breach->require_subcommand(1);
  auto options = std::make_shared<RecordOptions>();
  auto breach_id = std::make_shared<long long>(0);
  auto* record_cmd = add_record(*breach, *options);
  auto* notify_cmd = breach->add_subcommand(
      "notify", "Email each affected account's contact address the notice, now");
  notify_cmd->add_option("ID", *breach_id, "Breach id")->required();
  auto* list_cmd = breach->add_subcommand("list", "Show the register, newest first");

  return [=, &boot_options]() -> std::optional<int> {
    if (*record_cmd) return record(boot_options, *options);
    if (*notify_cmd) return notify(boot_options, *breach_id);
    if (*list_cmd) return list(boot_options);
    return std::nullopt;
  };
}

}  // namespace sm::cli
