// The HTTP status that answers an Error, shared by the pages and the API so that both speak
// the same way about the same failure.
#pragma once

#include "core/result.hpp"

namespace sm::http {

// 422 for input, 401, 403, 404, 409, 429, 503, or 500 for anything unexpected.
int status_for(const Error& e);

}  // namespace sm::http
