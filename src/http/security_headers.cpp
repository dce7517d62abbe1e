#include "http/security_headers.hpp"

#include <string>

namespace sm::http {
namespace {

void set_default(Headers& headers, std::string_view name, std::string_view value) {
  if (!headers.has(name)) headers.add(std::string(name), std::string(value));
}

}  // namespace

void add_security_headers(Headers& headers, bool hsts) {
  set_default(headers, "Content-Security-Policy", kDefaultCsp);
  set_default(headers, "X-Content-Type-Options", "nosniff");
  set_default(headers, "Referrer-Policy", "same-origin");
  if (hsts) set_default(headers, "Strict-Transport-Security", "max-age=31536000");
}

}  // namespace sm::http
