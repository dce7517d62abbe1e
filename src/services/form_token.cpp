#include "services/form_token.hpp"

#include <charconv>

#include "core/crypto.hpp"

namespace sm::services {
namespace {

std::string mac(App& app, std::string_view purpose, std::string_view issued) {
  return crypto::hmac_hex(app.keys->hmac_key(),
                          "form:" + std::string(purpose) + ":" + std::string(issued));
}

}  // namespace

std::string issue_form_token(App& app, std::string_view purpose) {
  std::string issued = std::to_string(app.now());
  return issued + "." + mac(app, purpose, issued);
}

bool form_token_ok(App& app, std::string_view purpose, std::string_view token) {
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return false;
  std::string_view issued = token.substr(0, dot);
  Millis at = 0;
  auto [end, ec] = std::from_chars(issued.data(), issued.data() + issued.size(), at);
  if (ec != std::errc() || end != issued.data() + issued.size()) return false;
  Millis now = app.now();
  if (at > now + kMinute || now - at > kFormTokenLife) return false;
  return crypto::constant_time_equal(mac(app, purpose, issued), token.substr(dot + 1));
}

}  // namespace sm::services
