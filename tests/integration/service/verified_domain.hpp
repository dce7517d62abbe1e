// A sending domain verified the real way, for tests that need one: the domain is added through
// the service (two fresh DKIM keys), its records are served by dnsmasq on a loopback port, and
// services::check_sending_domain() looks them up there and marks the domain verified. Nothing
// is written to the database behind the service's back.
//
// Also the records by name, as tests/support/dkim_verify.py and opendkim_verify() read them.
//
// Not thread-safe; use from the test's thread.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "integration/mail/python_tools.hpp"
#include "services/app.hpp"
#include "services/sending_domains.hpp"
#include "support/free_port.hpp"
#include "support/scratch_dir.hpp"

namespace sm::testing {

// dnsmasq on 127.0.0.1 serving `records` as TXT (long values split in 255-byte strings, as DNS
// providers publish DKIM keys), NXDOMAIN for other names under `zones`. Stopped when destroyed.
class LoopbackDnsServer {
 public:
  LoopbackDnsServer(const ScratchDir& dir, const std::vector<services::DnsRecord>& records,
                    const std::vector<std::string>& zones, int port = 0)
      : port_(port != 0 ? port : free_loopback_port()),
        pid_file_((dir.path() / ("dnsmasq-" + std::to_string(port_) + ".pid")).string()) {
    const auto conf = dir.path() / ("dnsmasq-" + std::to_string(port_) + ".conf");
    std::string text;
    for (const auto& z : zones) text += "local=/" + z + "/\n";
    for (const auto& r : records) {
      text += "txt-record=" + r.name;
      for (std::size_t i = 0; i < r.value.size(); i += 255) {
        text += ",\"" + r.value.substr(i, 255) + "\"";
      }
      text += "\n";
    }
    write_text(conf, text);
    auto started = run_command("/usr/sbin/dnsmasq --port=" + std::to_string(port_) +
                               " --listen-address=127.0.0.1 --bind-interfaces --no-resolv "
                               "--no-hosts --conf-file='" +
                               conf.string() + "' --pid-file='" + pid_file_ + "'");
    if (started.exit_code != 0) throw std::runtime_error("dnsmasq: " + started.output);
  }
  ~LoopbackDnsServer() { run_command("kill \"$(cat '" + pid_file_ + "')\""); }
  LoopbackDnsServer(const LoopbackDnsServer&) = delete;
  LoopbackDnsServer& operator=(const LoopbackDnsServer&) = delete;

  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  std::string pid_file_;
};

// The records of `d` by name: {"sel._domainkey.example.org": "v=DKIM1; ..."}.
inline nlohmann::json records_by_name(services::App& app, const services::SendingDomain& d) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& r : services::dns_records(app, d)) out[r.name] = r.value;
  return out;
}

// Adds `domain` to the account and verifies it against its records served on loopback.
// dns.server is restored afterwards.
inline services::SendingDomain add_verified_domain(services::App& app, const ScratchDir& dir,
                                                   std::int64_t account_id,
                                                   const std::string& domain = "example.org") {
  auto added = services::add_sending_domain(app, account_id, domain);
  if (!added.ok()) throw std::runtime_error("add domain: " + added.error().message);
  LoopbackDnsServer dns(dir, services::dns_records(app, *added), {added->domain});
  const std::string before = app.config.dns_server;
  app.config.dns_server = dns.server();
  auto checked = services::check_sending_domain(app, account_id, added->id);
  app.config.dns_server = before;
  if (!checked.ok()) throw std::runtime_error("check domain: " + checked.error().detail);
  if (!checked->verified()) throw std::runtime_error("not verified: " + checked->last_check_result);
  return *checked;
}

}  // namespace sm::testing
