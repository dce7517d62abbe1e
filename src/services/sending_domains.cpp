#include "services/sending_domains.hpp"

#include <idn2.h>

#include <ctime>
#include <memory>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "services/accounts.hpp"
#include "services/dns_lookup.hpp"

namespace sm::services {
namespace {

constexpr std::size_t kMaxInputBytes = 1024;  // refused before libidn2 sees it
constexpr std::size_t kMaxDomainBytes = 253;
constexpr std::size_t kMaxLabelBytes = 63;

Error refuse(std::string message) { return field_error("domain", std::move(message)); }

Error no_such_domain() {
  return make_error(Errc::not_found,
                    "There is no such sending domain in this account. Pick one from Domains.");
}

Error already_added(const std::string& domain) {
  return make_error(Errc::conflict, "This account already has " + domain +
                                        ". Open it from Domains to see its records.");
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

bool is_ldh(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

struct IdnFree {
  void operator()(char* p) const { idn2_free(p); }
};

std::optional<std::string> to_a_labels(const std::string& domain) {
  char* out = nullptr;
  int rc = idn2_to_ascii_8z(domain.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, IdnFree> owned(out);
  if (rc != IDN2_OK || out == nullptr) return std::nullopt;
  return lower_ascii(out);
}

// An ASCII name with xn-- labels must be one libidn2 would have written, so that the domain
// we sign for is the one the person meant.
bool a_labels_round_trip(const std::string& ascii) {
  if (ascii.find("xn--") == std::string::npos) return true;
  char* out = nullptr;
  int rc = idn2_to_unicode_8z8z(ascii.c_str(), &out, 0);
  std::unique_ptr<char, IdnFree> owned(out);
  if (rc != IDN2_OK || out == nullptr) return false;
  auto back = to_a_labels(out);
  return back && *back == ascii;
}

std::vector<std::string_view> split_labels(std::string_view s) {
  std::vector<std::string_view> labels;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    labels.push_back(s.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels;
}

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

// The shape checks that do not need libidn2, with a sentence for each way a person gets it
// wrong: an address, a URL, an IP address, a name with a dot at the end.
Status check_typed_shape(std::string_view s) {
  if (s.empty()) return refuse("Type the domain you send from, like example.org.");
  if (s.size() > kMaxInputBytes) return refuse("That is too long for a domain name.");
  if (s.find('@') != std::string_view::npos) {
    return refuse("Type only the domain, the part after @ in your sending address.");
  }
  if (s.find("://") != std::string_view::npos || s.find('/') != std::string_view::npos) {
    return refuse("Type only the domain, like example.org, without http:// or a path.");
  }
  if (s.find(':') != std::string_view::npos || s.front() == '[') {
    return refuse("Type a domain name, like example.org, not an IP address.");
  }
  if (s.back() == '.') return refuse("Leave out the dot at the end, like example.org.");
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f) return refuse("A domain cannot contain spaces.");
  }
  return {};
}

Status check_labels(const std::string& ascii) {
  if (ascii.size() > kMaxDomainBytes) {
    return refuse("That domain is longer than 253 characters; DNS does not allow it.");
  }
  auto labels = split_labels(ascii);
  if (labels.size() < 2) {
    return refuse("Type the whole domain with its ending, like example.org, not just example.");
  }
  for (auto label : labels) {
    if (label.empty()) return refuse("A domain cannot have two dots in a row or start with one.");
    if (label.size() > kMaxLabelBytes) {
      return refuse("Each part between dots can have at most 63 characters.");
    }
    for (char c : label) {
      if (!is_ldh(c)) {
        return refuse(
            "A domain can only have letters, digits, hyphens and dots, like "
            "mail.example.org.");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return refuse("A part of a domain cannot start or end with a hyphen.");
    }
  }
  if (all_digits(labels.back())) {
    return refuse("Type a domain name, like example.org, not an IP address.");
  }
  return {};
}

// "sm-ed-202612": dated, so that a key rotated next year gets a new selector and both can be
// published while mail signed with the old one is still in flight.
std::string selector(std::string_view kind, Millis now) {
  std::time_t t = static_cast<std::time_t>(now / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m", &tm);
  return "sm-" + std::string(kind) + "-" + buf;
}

std::string seal_key(App& app, std::string& private_text) {
  std::string sealed =
      crypto::base64url_encode(crypto::seal(app.keys->secrets_key(), private_text));
  crypto::wipe(private_text);
  return sealed;
}

Result<std::string> open_key(App& app, const std::string& sealed) {
  auto raw = crypto::base64url_decode(sealed);
  if (!raw.ok()) return make_error(Errc::internal, "This domain's keys cannot be read.");
  auto opened = crypto::open(app.keys->secrets_key(), *raw);
  if (!opened.ok()) {
    return make_error(Errc::internal, "This domain's keys cannot be read.",
                      "sealed DKIM key did not open: wrong secrets key or damaged row");
  }
  return opened;
}

SendingDomain domain_from_row(const store::Row& r) {
  SendingDomain d;
  d.id = r.integer(0);
  d.account_id = r.integer(1);
  d.domain = r.text(2);
  d.ed25519_selector = r.text(3);
  d.ed25519_record = r.text(4);
  d.rsa_selector = r.text(5);
  d.rsa_record = r.text(6);
  d.verified_at = r.optional_integer(7);
  d.last_checked_at = r.optional_integer(8);
  d.last_check_result = r.text(9);
  d.created_at = r.integer(10);
  return d;
}

Result<store::Rows> run_one(App& app, std::string_view query, const std::vector<store::Value>& p) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  return store::run_named(**lease, query, p);
}

// The host of an SMTP URL ("smtps://user:pass@relay.example:465/" → "relay.example").
std::string relay_host(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
  }
  url = url.substr(0, url.find('/'));
  if (auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  if (url.starts_with("[")) return std::string(url.substr(1, url.find(']') - 1));
  return std::string(url.substr(0, url.find(':')));
}

std::string spf_mechanism(const std::string& host) {
  if (host.find(':') != std::string::npos) return "ip6:" + host;
  auto labels = split_labels(host);
  if (labels.size() == 4 && all_digits(labels.back())) return "ip4:" + host;
  return "a:" + host;
}

// An address as a mailto: URI inside a DMARC tag list, where ',', ';' and '!' mean something.
std::string mailto(std::string_view address) {
  std::string out = "mailto:";
  for (char c : address) {
    if (c == ',' || c == ';' || c == '!' || c == '%' || c == ' ') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
      out += kHex[static_cast<unsigned char>(c) & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::string report_address(App& app, std::int64_t account_id) {
  auto account = find_account(app, account_id);
  if (!account.ok()) return {};
  const auto& d = account->details;
  std::string privacy(trim_whitespace(d.privacy_contact));
  bool is_address = privacy.find('@') != std::string::npos &&
                    privacy.find_first_of(" \t\r\n/") == std::string::npos;
  return is_address ? privacy : std::string(trim_whitespace(d.contact_email));
}

// The value without spaces, which DNS providers add or drop when they split long records.
std::string without_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t') out += c;
  }
  return out;
}

// Whether one TXT record at `name` is `expected`; unavailable when DNS could not be asked.
Result<bool> published(App& app, const std::string& name, const std::string& expected) {
  auto found = lookup_txt(app.config.dns_server, name);
  if (!found.ok()) return found.take_error();
  for (const auto& txt : *found) {
    if (without_spaces(txt) == without_spaces(expected)) return true;
  }
  return false;
}

}  // namespace

Result<std::string> normalize_sending_domain(std::string_view input) {
  std::string_view trimmed = trim_whitespace(input);
  SM_TRY(check_typed_shape(trimmed));
  std::string lowered = lower_ascii(trimmed);
  std::string ascii = lowered;
  if (!is_ascii(lowered)) {
    auto converted = to_a_labels(lowered);
    if (!converted) {
      return refuse(
          "That internationalised domain is not valid. Check its spelling, or type "
          "its xn-- form.");
    }
    ascii = *converted;
  }
  SM_TRY(check_labels(ascii));
  if (!a_labels_round_trip(ascii)) {
    return refuse(
        "A part starting with xn-- is not a valid internationalised name. Type the "
        "domain as you would in a browser.");
  }
  return ascii;
}

Result<SendingDomain> add_sending_domain(App& app, std::int64_t account_id,
                                         std::string_view input) {
  auto domain = normalize_sending_domain(input);
  if (!domain.ok()) return domain.take_error();
  // Generating an RSA key takes a while; a domain the account already has is refused first.
  auto existing = account_sending_domains(app, account_id);
  if (!existing.ok()) return existing.take_error();
  for (const auto& d : *existing) {
    if (d.domain == *domain) return already_added(*domain);
  }

  mail::DkimKeyPair ed = mail::generate_ed25519_key();
  auto rsa = mail::generate_rsa_key(2048);
  if (!rsa.ok()) return rsa.take_error();
  SendingDomain d;
  d.account_id = account_id;
  d.domain = *domain;
  d.ed25519_selector = selector("ed", app.now());
  d.ed25519_record = ed.dns_record;
  d.rsa_selector = selector("rsa", app.now());
  d.rsa_record = rsa->dns_record;
  d.created_at = app.now();
  std::string ed_sealed = seal_key(app, ed.private_text);
  std::string rsa_sealed = seal_key(app, rsa->private_text);

  auto rows = run_one(app, "sending_domains.insert",
                      {account_id, d.domain, d.ed25519_selector, ed_sealed, d.ed25519_record,
                       d.rsa_selector, rsa_sealed, d.rsa_record, d.created_at});
  if (!rows.ok()) {
    // Two requests adding the same domain at once: the second meets the UNIQUE constraint.
    if (rows.error().constraint == Constraint::unique) return already_added(d.domain);
    return rows.take_error();
  }
  d.id = rows->front().integer(0);
  return d;
}

Result<SendingDomain> find_sending_domain(App& app, std::int64_t account_id,
                                          std::int64_t domain_id) {
  auto rows = run_one(app, "sending_domains.find", {account_id, domain_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return no_such_domain();
  return domain_from_row(rows->front());
}

Result<std::vector<SendingDomain>> account_sending_domains(App& app, std::int64_t account_id) {
  auto rows = run_one(app, "sending_domains.for_account", {account_id});
  if (!rows.ok()) return rows.take_error();
  std::vector<SendingDomain> out;
  for (const auto& r : rows->rows) out.push_back(domain_from_row(r));
  return out;
}

Status delete_sending_domain(App& app, std::int64_t account_id, std::int64_t domain_id) {
  auto rows = run_one(app, "sending_domains.delete", {account_id, domain_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->affected == 0) return no_such_domain();
  return {};
}

std::vector<DnsRecord> dns_records(App& app, const SendingDomain& d) {
  std::vector<DnsRecord> out;
  out.push_back({"TXT", mail::dkim_record_name(d.ed25519_selector, d.domain), d.ed25519_record,
                 "DKIM key (Ed25519): proves messages from this domain were signed by us."});
  out.push_back({"TXT", mail::dkim_record_name(d.rsa_selector, d.domain), d.rsa_record,
                 "DKIM key (RSA): the same, for receivers that do not check Ed25519 yet."});
  if (!app.config.mail_smtp_url.empty()) {
    out.push_back({"TXT", d.domain,
                   "v=spf1 " + spf_mechanism(relay_host(app.config.mail_smtp_url)) + " ~all",
                   "SPF: allows the relay to send for this domain. If the domain already has a "
                   "v=spf1 record, add the middle part to it instead: a domain may have only "
                   "one."});
  }
  std::string rua = report_address(app, d.account_id);
  out.push_back({"TXT", "_dmarc." + d.domain,
                 "v=DMARC1; p=none" + (rua.empty() ? std::string() : "; rua=" + mailto(rua)),
                 "DMARC: asks receivers to send reports and to deliver as usual (p=none) "
                 "while you check them."});
  return out;
}

std::optional<std::string> spf_advice(const App& app) {
  if (!app.config.mail_smtp_url.empty()) return std::nullopt;
  return "No SMTP relay is set up yet (mail goes to the outbox), so there is no SPF record to "
         "suggest. Once the operator sets one, its record appears here.";
}

Result<SendingDomain> check_sending_domain(App& app, std::int64_t account_id,
                                           std::int64_t domain_id) {
  auto d = find_sending_domain(app, account_id, domain_id);
  if (!d.ok()) return d.take_error();
  std::string missing;
  for (const auto& [selector, record] :
       {std::pair{d->ed25519_selector, d->ed25519_record}, {d->rsa_selector, d->rsa_record}}) {
    const std::string name = mail::dkim_record_name(selector, d->domain);
    auto ok = published(app, name, record);
    if (!ok.ok()) return ok.take_error();
    if (!*ok) missing += (missing.empty() ? "" : " and ") + name;
  }
  auto dmarc = lookup_txt(app.config.dns_server, "_dmarc." + d->domain);
  if (!dmarc.ok()) return dmarc.take_error();
  bool has_dmarc = false;
  for (const auto& txt : *dmarc) has_dmarc = has_dmarc || txt.starts_with("v=DMARC1");

  const Millis now = app.now();
  std::string result;
  if (missing.empty()) {
    result = "Both DKIM records were found.";
    d->verified_at = d->verified_at.value_or(now);
  } else {
    result = "The DKIM record at " + missing +
             " was not found or holds another value. Publish it exactly as shown; DNS changes "
             "can take an hour to appear.";
    d->verified_at.reset();
  }
  if (!has_dmarc) result += " There is no DMARC record yet; we suggest adding it.";
  d->last_checked_at = now;
  d->last_check_result = result;
  store::Value verified =
      d->verified_at ? store::Value(*d->verified_at) : store::Value(store::Null{});
  auto rows =
      run_one(app, "sending_domains.record_check", {account_id, domain_id, verified, now, result});
  if (!rows.ok()) return rows.take_error();
  return d;
}

Result<DkimKeys> domain_signing_keys(App& app, std::int64_t account_id, std::int64_t domain_id) {
  auto rows = run_one(app, "sending_domains.signing_keys", {account_id, domain_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return no_such_domain();
  const store::Row& r = rows->front();
  auto ed_text = open_key(app, r.text(2));
  if (!ed_text.ok()) return ed_text.take_error();
  auto ed =
      mail::load_dkim_key(mail::DkimAlgorithm::ed25519_sha256, r.text(0), r.text(1), *ed_text);
  crypto::wipe(*ed_text);
  if (!ed.ok()) return ed.take_error();
  auto rsa_text = open_key(app, r.text(4));
  if (!rsa_text.ok()) return rsa_text.take_error();
  auto rsa = mail::load_dkim_key(mail::DkimAlgorithm::rsa_sha256, r.text(0), r.text(3), *rsa_text);
  crypto::wipe(*rsa_text);
  if (!rsa.ok()) return rsa.take_error();
  return DkimKeys{std::move(*ed), std::move(*rsa)};
}

}  // namespace sm::services
