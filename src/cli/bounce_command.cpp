// `smartmessages bounce [--recipient ADDRESS]`: one inbound message on standard input, for a
// Postfix pipe transport on the bounce domain (docs/operator-guide.md). The exit status is
// what pipe(8) understands: 0 when the message was handled or dropped, 75 (EX_TEMPFAIL) when
// it could not be handled now (the database is down, the settings are wrong), so that Postfix
// keeps it and tries again. `bounce --counts` prints the inbound messages by outcome instead.
#include <algorithm>
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "services/bounces.hpp"

namespace sm::cli {
namespace {

// sysexits.h: a temporary failure, which Postfix retries.
constexpr int kTempFail = 75;

struct BounceOptions {
  std::string recipient;
  bool counts = false;
  int days = 30;
};

// Standard input up to the limit; the rest is read and dropped, so the writer is not blocked.
std::string read_message(std::istream& in) {
  std::string message;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    std::size_t room = services::kMaxInboundBytes - message.size();
    message.append(buffer, std::min(room, static_cast<std::size_t>(in.gcount())));
  }
  return message;
}

int temp_fail(const Error& e) {
  std::cerr << "smartmessages: " << e.message << " The message was not handled; the mail "
            << "system should try again later.\n";
  return kTempFail;
}

int handle(const BootOptions& boot_options, const BounceOptions& o) {
  std::ios::sync_with_stdio(false);
  std::string message = read_message(std::cin);
  auto app = boot(boot_options);
  if (!app.ok()) return temp_fail(app.error());
  auto result = services::handle_inbound(**app, message, o.recipient);
  if (!result.ok()) return temp_fail(result.error());
  std::cout << services::inbound_outcome_name(result->outcome) << "\n";
  return 0;
}

int counts(const BootOptions& boot_options, const BounceOptions& o) {
  auto app = boot(boot_options);
  if (!app.ok()) return fail(app.error());
  auto tallies = services::inbound_tallies(**app, (*app)->now() - (o.days - 1) * kDay);
  if (!tallies.ok()) return fail(tallies.error());
  std::cerr << "Inbound messages in the last " << o.days << " days, by outcome:\n";
  for (const auto& t : *tallies) std::cout << t.outcome << " " << t.count << "\n";
  return 0;
}

}  // namespace

CommandRunner add_bounce_commands(CLI::App& app, const BootOptions& boot_options) {
  auto options = std::make_shared<BounceOptions>();
  auto* bounce = app.add_subcommand(
      "bounce",
      "Handle one inbound message (bounce, complaint, unsubscribe request) read from standard "
      "input; exits 0 when handled or dropped, 75 to make the mail system retry");
  bounce->add_option("--recipient", options->recipient,
                     "The address the message was delivered to (Postfix: ${original_recipient})");
  bounce->add_flag("--counts", options->counts,
                   "Print the inbound messages by outcome instead of reading one");
  bounce->add_option("--days", options->days, "With --counts: how many days back (default 30)")
      ->check(CLI::Range(1, 3650));
  return [&boot_options, options, bounce]() -> std::optional<int> {
    if (!*bounce) return std::nullopt;
    return options->counts ? counts(boot_options, *options) : handle(boot_options, *options);
  };
}

}  // namespace sm::cli
