#include "services/consent_receipt.hpp"

#include "core/crypto.hpp"

namespace sm::services {
namespace {

using nlohmann::json;

Error not_valid(std::string why) {
  return make_error(Errc::invalid_input, "This consent receipt is not valid: " + std::move(why));
}

json facts_json(const ReceiptFacts& f, Millis issued_at) {
  // nlohmann keeps object keys sorted, so dump() is one canonical text for the same facts.
  return json{{"version", kReceiptVersion},         {"address_sha256", f.address_sha256},
              {"account_id", f.account_id},         {"list_id", f.list_id},
              {"list_public_id", f.list_public_id}, {"subscription_id", f.subscription_id},
              {"signed_up_at", f.signed_up_at},     {"confirmed_at", f.confirmed_at},
              {"form_digest", f.form_digest},       {"evidence_digests", f.evidence_digests},
              {"message_digest", f.message_digest}, {"issued_at", issued_at}};
}

// The payload text of a receipt file: a string as signed, or an object re-serialised.
Result<std::string> payload_text(const json& file) {
  if (!file.is_object() || !file.contains("receipt") || !file.contains("signature")) {
    return not_valid("it needs a \"receipt\" and a \"signature\".");
  }
  const json& r = file["receipt"];
  if (r.is_string()) return r.get<std::string>();
  if (r.is_object()) return r.dump();
  return not_valid("\"receipt\" must be the signed text or an object.");
}

}  // namespace

std::string ConsentReceipt::file_text() const {
  return json{{"receipt", payload}, {"signature", signature}}.dump(2) + "\n";
}

Result<ConsentReceipt> issue_receipt(App& app, store::Connection& c, const ReceiptFacts& facts) {
  ConsentReceipt r;
  r.subscription_id = facts.subscription_id;
  r.issued_at = app.now();
  r.payload = facts_json(facts, r.issued_at).dump();
  r.signature = crypto::base64url_encode(app.keys->sign(r.payload));
  auto rows = store::run_named(
      c, "consent.insert_receipt",
      {facts.account_id, facts.subscription_id, r.payload, r.signature, r.issued_at});
  if (!rows.ok()) return rows.take_error();
  r.id = rows->front().integer(0);
  return r;
}

Result<std::vector<ConsentReceipt>> subscription_receipts(store::Connection& c,
                                                          std::int64_t account_id,
                                                          std::int64_t subscription_id) {
  auto rows = store::run_named(c, "consent.receipts", {account_id, subscription_id});
  if (!rows.ok()) return rows.take_error();
  std::vector<ConsentReceipt> out;
  for (const auto& row : rows->rows) {
    out.push_back({row.integer(0), row.integer(1), row.text(2), row.text(3), row.integer(4)});
  }
  return out;
}

Result<nlohmann::json> verify_receipt(std::string_view file_text, std::string_view public_key) {
  json file = json::parse(file_text, nullptr, false);
  if (file.is_discarded()) return not_valid("the file is not JSON.");
  auto payload = payload_text(file);
  if (!payload.ok()) return payload.take_error();
  if (!file["signature"].is_string()) return not_valid("\"signature\" must be base64url text.");
  auto signature = crypto::base64url_decode(file["signature"].get<std::string>());
  if (!signature.ok()) return not_valid("the signature is not base64url.");
  if (!crypto::verify(public_key, *payload, *signature)) {
    return not_valid("the signature does not match its contents under this public key.");
  }
  json facts = json::parse(*payload, nullptr, false);
  if (!facts.is_object()) return not_valid("the signed text is not a JSON object.");
  return facts;
}

Result<std::string> decode_public_key(std::string_view base64) {
  std::string url;
  for (char ch : base64) {
    if (ch == '=' || ch == '\n' || ch == ' ') continue;
    url += ch == '+' ? '-' : ch == '/' ? '_' : ch;
  }
  auto key = crypto::base64url_decode(url);
  if (!key.ok() || key->size() != crypto::kSignPublicBytes) {
    return make_error(Errc::invalid_input,
                      "The public key must be 32 bytes in base64, as published at "
                      "/.well-known/smartmessages/consent-key.");
  }
  return *key;
}

}  // namespace sm::services
