// Signed consent receipts: on confirmation the service signs a compact JSON statement of the
// subscription (SHA-256 of the normalised address, account, list, times and the digests of
// the evidence) with the installation's Ed25519 key. Anyone holding the published public key
// can check a receipt offline, so proof of consent survives a move to another provider.
//
// A receipt file is {"receipt": "<payload>", "signature": "<base64url>"}; the payload is the
// exact text that was signed (an object equal to it after compact re-serialisation is
// accepted too).
//
// Thread-safe: functions keep no state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "services/app.hpp"
#include "services/consent_record.hpp"
#include "store/database.hpp"

namespace sm::services {

constexpr int kReceiptVersion = 1;

struct ConsentReceipt {
  std::int64_t id = 0;
  std::int64_t subscription_id = 0;
  std::string payload;    // compact JSON, exactly as signed
  std::string signature;  // Ed25519, base64url
  Millis issued_at = 0;

  // The receipt file: {"receipt": payload, "signature": signature}.
  std::string file_text() const;
};

// What a receipt states.
struct ReceiptFacts {
  std::string address_sha256;
  std::int64_t account_id = 0;
  std::int64_t list_id = 0;
  std::string list_public_id;
  std::int64_t subscription_id = 0;
  Millis signed_up_at = 0;
  Millis confirmed_at = 0;
  std::string form_digest;
  std::vector<std::string> evidence_digests;  // sign-up and confirmation events
  std::string message_digest;                 // the confirmation email as sent
};

// Signs `facts` and stores the receipt, inside the caller's transaction.
Result<ConsentReceipt> issue_receipt(App& app, store::Connection& c, const ReceiptFacts& facts);

// The receipts of a subscription, oldest first.
Result<std::vector<ConsentReceipt>> subscription_receipts(store::Connection& c,
                                                          std::int64_t account_id,
                                                          std::int64_t subscription_id);

// Checks a receipt file against a raw 32-byte Ed25519 public key. Returns the payload as a
// JSON object when the signature is valid; invalid_input saying why otherwise.
Result<nlohmann::json> verify_receipt(std::string_view file_text, std::string_view public_key);

// The public key as published: standard base64 decoded to raw bytes.
Result<std::string> decode_public_key(std::string_view base64);

}  // namespace sm::services
