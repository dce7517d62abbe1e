// Keeping tracking data: raw events are rolled up into per-campaign hourly figures, and
// deleted once they are six months old and rolled up. The rollups stay, so a campaign's
// report shows the same numbers before and after its events go.
//
// An hour is rolled up once it ended at least kRollupLag ago (the event writer may still be
// committing its last events). Unique opens and clicks are counted when the hour is rolled
// up; a delivery first opened more than six months ago and opened again later is counted as
// unique a second time, because the first opening is no longer there to compare with.
//
// Thread-safe: the state lives in the database. Run from the maintenance jobs.
#pragma once

#include <cstdint>

#include "core/result.hpp"
#include "services/app.hpp"

namespace sm::services {

// Six months of 30 days, as the other retention periods count months.
constexpr Millis kEventRetention = 180 * kDay;
constexpr Millis kRollupLag = 10 * kMinute;

// Rolls up every started campaign's closed hours; returns the number of hour rows written.
Result<std::int64_t> roll_up_tracking(App& app);

// The maintenance job: rolls up, then deletes named events and anonymous counts older than
// kEventRetention whose hour is rolled up. Returns the rows deleted.
Result<std::int64_t> delete_old_tracking_events(App& app);

}  // namespace sm::services
