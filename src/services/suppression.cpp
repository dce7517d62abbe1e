#include "services/suppression.hpp"

#include <string>
#include <unordered_set>

#include "core/crypto.hpp"
#include "core/text.hpp"

namespace sm::services {
namespace {

std::string_view reason_name(SuppressionReason reason) {
  switch (reason) {
    case SuppressionReason::unsubscribed:
      return "unsubscribed";
    case SuppressionReason::imported:
      return "imported";
    case SuppressionReason::bounced:
      return "bounced";
    case SuppressionReason::complained:
      return "complained";
  }
  return "unsubscribed";
}

bool is_hex_digest(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The SHA-256 of every address the account still holds whose HMAC is a suppression; the
// count of HMAC entries that matched none goes to *left_out.
Result<std::vector<std::string>> held_suppressed_hashes(const App& app, store::Connection& c,
                                                        std::int64_t account_id,
                                                        std::int64_t* left_out) {
  auto hmacs = store::run_named(c, "suppressions.hmac_entries", {account_id});
  if (!hmacs.ok()) return hmacs.take_error();
  std::unordered_set<std::string> wanted;
  for (const auto& row : hmacs->rows) wanted.insert(row.text(0));

  auto held = store::run_named(c, "suppressions.held_addresses", {account_id});
  if (!held.ok()) return held.take_error();
  std::vector<std::string> hashes;
  for (const auto& row : held->rows) {
    const std::string& normalized = row.text(0);
    if (wanted.erase(crypto::hmac_hex(app.keys->hmac_key(), normalized)) > 0) {
      hashes.push_back(crypto::sha256_hex(normalized));
    }
  }
  *left_out = static_cast<std::int64_t>(wanted.size());
  return hashes;
}

}  // namespace

std::string suppression_hmac(const App& app, const EmailAddress& address) {
  return crypto::hmac_hex(app.keys->hmac_key(), address.normalized());
}

std::string suppression_sha256(const EmailAddress& address) {
  return crypto::sha256_hex(address.normalized());
}

Result<bool> check_suppressed(App& app, store::Connection& c, std::int64_t account_id,
                              const EmailAddress& address) {
  auto rows =
      store::run_named(c, "suppressions.refuse",
                       {account_id, suppression_hmac(app, address), suppression_sha256(address)});
  if (!rows.ok()) return rows.take_error();
  return !rows->empty();
}

Status suppress(App& app, store::Connection& c, std::int64_t account_id,
                const EmailAddress& address, SuppressionReason reason) {
  auto r = store::run_named(
      c, "suppressions.insert_hmac",
      {account_id, suppression_hmac(app, address), std::string(reason_name(reason)), app.now()});
  if (!r.ok()) return r.take_error();
  return {};
}

Status lift_suppression(App& app, store::Connection& c, std::int64_t account_id,
                        const EmailAddress& address) {
  auto r =
      store::run_named(c, "suppressions.lift",
                       {account_id, suppression_hmac(app, address), suppression_sha256(address)});
  if (!r.ok()) return r.take_error();
  return {};
}

Result<SuppressionSummary> suppression_summary(App& app, std::int64_t account_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "suppressions.summary", {account_id});
  if (!rows.ok()) return rows.take_error();
  return SuppressionSummary{rows->front().integer(0), rows->front().integer(1)};
}

Result<std::int64_t> export_suppression_hashes(App& app, std::int64_t account_id,
                                               std::ostream& out) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  std::int64_t left_out = 0;
  auto held = held_suppressed_hashes(app, **lease, account_id, &left_out);
  if (!held.ok()) return held.take_error();
  auto imported = store::run_named(**lease, "suppressions.sha256_entries", {account_id});
  if (!imported.ok()) return imported.take_error();

  // An address can be suppressed both ways (imported, then unsubscribed): list it once.
  std::unordered_set<std::string> written;
  for (const auto& hash : *held) {
    if (written.insert(hash).second) out << hash << '\n';
  }
  for (const auto& row : imported->rows) {
    if (written.insert(row.text(0)).second) out << row.text(0) << '\n';
  }
  return left_out;
}

Result<HashImportReport> import_suppression_hashes(App& app, std::int64_t account_id,
                                                   std::istream& in) {
  return app.db->transact<HashImportReport>([&](store::Connection& c) -> Result<HashImportReport> {
    HashImportReport report;
    std::string line;
    while (std::getline(in, line)) {
      std::string_view hash = trim_whitespace(line);
      if (hash.empty()) continue;
      if (!is_hex_digest(hash)) {
        ++report.invalid_lines;
        continue;
      }
      auto r = store::run_named(c, "suppressions.insert_sha256",
                                {account_id, lowercase(hash), app.now()});
      if (!r.ok()) return r.take_error();
      ++(r->empty() ? report.already : report.added);
    }
    return report;
  });
}

}  // namespace sm::services
