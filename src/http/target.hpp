// Splitting a request target ("/s/abc%20d?x=1") into Request::path and Request::query.
//
// Pure function; thread-safe.
#pragma once

#include "core/result.hpp"
#include "http/message.hpp"

namespace sm::http {

// Sets req.path (percent-decoded) and req.query (raw) from req.target. Refuses, with
// Errc::invalid_input, targets that are not origin-form ("/..."), invalid escapes, and paths
// that decode to control characters (%00 above all: C APIs would cut the path there).
Status parse_target(Request& req);

}  // namespace sm::http
