// Application logging: levels, key=value fields, and a rate limit for lines that could run
// once per request. Logs name subscribers and users by id only; Personal<T> values cannot be
// passed here (they have no formatter).
//
// Thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace sm::log {

// Sets up the process-wide logger: "info" by default, lines to standard error.
void init(std::string_view level);

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::warn;

// True at most `per_minute` times a minute for `key`; for lines about individual requests.
bool allow(std::string_view key, int per_minute);

}  // namespace sm::log
