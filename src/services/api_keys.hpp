// API keys for the JSON API (`Authorization: Bearer KEY`). A key is shown once when created;
// only its SHA-256 is stored.
#pragma once

#include <cstdint>
#include <string>

#include "services/app.hpp"

namespace sm::services {

struct CreatedApiKey {
  std::int64_t id = 0;
  std::string key;  // "sm_" + 43 random characters; shown once
};

Result<CreatedApiKey> create_api_key(App& app, std::int64_t account_id, std::string_view name);

// The account a bearer key belongs to; unauthorized for unknown keys.
Result<std::int64_t> authenticate_api_key(App& app, std::string_view key);

}  // namespace sm::services
