// The headers every response carries: a strict Content-Security-Policy (nothing from another
// origin, no framing, no plugins), nosniff, a same-origin referrer policy, and HSTS when the
// installation is served over TLS.
//
// Pure function; thread-safe.
#pragma once

#include <string_view>

#include "http/message.hpp"

namespace sm::http {

inline constexpr std::string_view kDefaultCsp =
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'";

// Adds each security header that `headers` does not already have, so a handler that needs a
// different policy (a sandboxed preview) keeps its own.
void add_security_headers(Headers& headers, bool hsts);

}  // namespace sm::http
