// Sending domains: the domains an account sends campaigns from. Adding one generates an
// Ed25519 and an RSA-2048 DKIM key; the private keys are sealed with the installation's secrets
// key before they reach the database, and the page and the API show the DNS records to
// publish: both DKIM keys, an SPF suggestion for the relay and a DMARC suggestion.
//
// A domain stays unverified until its records are checked (issue 4).
//
// Thread-safe: every function may be called from any thread; state lives in the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail/dkim.hpp"
#include "services/app.hpp"

namespace sm::services {

// One DNS record to publish. `name` is the full owner name, without a trailing dot.
struct DnsRecord {
  std::string type;  // "TXT"
  std::string name;
  std::string value;
  std::string purpose;  // a short sentence for the page: what the record is for
};

struct SendingDomain {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::string domain;  // lowercase, A-labels (xn--...) for internationalised names
  std::string ed25519_selector;
  std::string ed25519_record;  // the DKIM TXT value of the Ed25519 key
  std::string rsa_selector;
  std::string rsa_record;
  std::optional<Millis> verified_at;
  std::optional<Millis> last_checked_at;
  std::string last_check_result;
  Millis created_at = 0;

  bool verified() const { return verified_at.has_value(); }
};

// The two keys a message from this domain is signed with, parsed once.
struct DkimKeys {
  mail::DkimKey ed25519;
  mail::DkimKey rsa;
};

// `input` trimmed, lowercased and converted to A-labels, or an invalid_input error on the
// field "domain" with a sentence saying what to type instead: a DNS name of at least two
// labels, each 1-63 octets, at most 253 octets in all, not an IP address.
Result<std::string> normalize_sending_domain(std::string_view input);

// Adds `domain` to the account with two new DKIM keys. conflict when the account already has
// it.
Result<SendingDomain> add_sending_domain(App& app, std::int64_t account_id,
                                         std::string_view domain);

Result<SendingDomain> find_sending_domain(App& app, std::int64_t account_id,
                                          std::int64_t domain_id);
Result<std::vector<SendingDomain>> account_sending_domains(App& app, std::int64_t account_id);

// Removes the domain and its keys. not_found when the account has no such domain.
Status delete_sending_domain(App& app, std::int64_t account_id, std::int64_t domain_id);

// The records to publish, in the order a person should add them: the DKIM keys, SPF, DMARC.
// The SPF record names the host of mail.smtp_url when one is set; the DMARC report address is
// the account's privacy contact when it is an address, else its contact email.
std::vector<DnsRecord> dns_records(App& app, const SendingDomain& d);

// Without an SMTP relay there is no SPF record to suggest: the sentence that says so instead.
std::optional<std::string> spf_advice(const App& app);

// Looks up both DKIM records in DNS (the `dns.server` setting), and marks the domain verified
// when each holds the key shown, unverified otherwise; the DMARC record is reported but not
// required. Returns the domain with last_check_result: a sentence saying what was found and
// what to do. unavailable when the DNS server cannot be asked (nothing is stored then).
Result<SendingDomain> check_sending_domain(App& app, std::int64_t account_id,
                                           std::int64_t domain_id);

// Both private keys, opened and parsed, for signing messages from the domain. Errors:
// not_found for another account's id; internal when a key cannot be opened (a changed secrets
// key or a damaged row); the message never holds key material.
Result<DkimKeys> domain_signing_keys(App& app, std::int64_t account_id, std::int64_t domain_id);

}  // namespace sm::services
