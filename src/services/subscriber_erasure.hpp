// Erasing a subscriber at their request (GDPR article 17), through the data access portal or
// by the account holder for a request received directly. The subscriber row goes, and with it
// (by cascade) the field values, subscriptions, consent records, receipts and deliveries; the
// import report rows that name the address go too. What stays: a suppression of the address
// (a keyed hash, not the address), so that an old upload cannot bring it back, and a count of
// erasures per account and day, so that the account holder sees that one happened.
//
// Thread-safe: functions keep no state; writes run inside the caller's transaction.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "services/app.hpp"
#include "store/database.hpp"

namespace sm::services {

enum class ErasureVia { portal, account };
std::string_view erasure_via_name(ErasureVia via);

// Erases one subscriber of an account inside the caller's transaction. not_found when the
// account has no such subscriber.
Status erase_subscriber(App& app, store::Connection& c, std::int64_t account_id,
                        std::int64_t subscriber_id, ErasureVia via);
// The same in a transaction of its own.
Status erase_subscriber(App& app, std::int64_t account_id, std::int64_t subscriber_id,
                        ErasureVia via);

// The erasures of one day at an account.
struct ErasureDay {
  Millis day = 0;  // the UTC day's first millisecond
  ErasureVia via = ErasureVia::portal;
  std::int64_t erased = 0;
};
// The newest days with erasures, newest first, at most `limit`.
Result<std::vector<ErasureDay>> recent_erasures(App& app, std::int64_t account_id, int limit);

}  // namespace sm::services
