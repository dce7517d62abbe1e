// The consent record: immutable, append-only evidence of each subscription event (sign-up,
// confirmation email, confirmation, import or statement of source, unsubscribe), and the
// versions of form wording a sign-up saw. Nothing here updates an event once written.
//
// Thread-safe: functions keep no state; writes run inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/app.hpp"
#include "store/database.hpp"

namespace sm::services {

enum class ConsentKind { signup, confirmation, confirmation_email, import, unsubscribe };
std::string_view consent_kind_name(ConsentKind k);

// Who did something and from where: IP address, user agent, referrer and, for sign-ups, the
// URL of the form. Kept in the consent record whatever the Do Not Track setting, because the
// law asks for proof of opt-in.
struct Evidence {
  std::string ip_address;
  std::string user_agent;
  std::string referrer;
  std::string form_url;
};

struct ConsentEvent {
  std::int64_t id = 0;
  ConsentKind kind = ConsentKind::signup;
  Millis occurred_at = 0;
  Evidence evidence;
  std::optional<std::int64_t> form_version_id;
  std::optional<std::int64_t> import_id;
  std::string source;        // an account holder's statement of where consent came from
  std::string basis;         // consent | contract | legitimate-interest
  std::string message;       // confirmation_email: the MIME text exactly as sent
  std::string digest;        // SHA-256 of the event's evidence (see event_digest)
  std::string form_digest;   // of the form wording, when the event has a form version
  std::string form_wording;  // the wording itself
};

// The SHA-256 (hex) that stands for an event in a consent receipt: over its kind, time and
// evidence, or, for a confirmation email, over the message.
std::string event_digest(const ConsentEvent& e, std::string_view form_digest);

// Appends `e` to the subscription's record, filling in its digest; returns the event id.
Result<std::int64_t> record_consent_event(store::Connection& c, std::int64_t account_id,
                                          std::int64_t subscription_id, ConsentEvent& e);

// The id of the stored wording with this text, storing it the first time it is shown.
struct FormVersion {
  std::int64_t id = 0;
  std::string digest;
};
Result<FormVersion> form_version_for(App& app, store::Connection& c, std::int64_t account_id,
                                     std::int64_t list_id, const std::string& wording);

// A subscription's record, oldest first.
Result<std::vector<ConsentEvent>> consent_events(store::Connection& c, std::int64_t account_id,
                                                 std::int64_t subscription_id);

}  // namespace sm::services
