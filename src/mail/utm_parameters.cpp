#include "mail/utm_parameters.hpp"

#include <utility>
#include <vector>

namespace sm::mail {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// True when the query ("a=1&b=2", no '?') already has a parameter named `name`.
bool has_parameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.substr(0, pair.find('=')) == name) return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace

std::string percent_encode_query_value(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string add_utm_parameters(std::string_view url, const UtmParameters& utm) {
  std::size_t hash = url.find('#');
  std::string_view fragment = hash == std::string_view::npos ? "" : url.substr(hash);
  std::string_view before = url.substr(0, hash);
  std::size_t question = before.find('?');
  std::string_view query = question == std::string_view::npos ? "" : before.substr(question + 1);

  const std::pair<std::string_view, const std::string*> wanted[] = {
      {"utm_source", &utm.source}, {"utm_medium", &utm.medium}, {"utm_campaign", &utm.campaign}};
  std::string added;
  for (const auto& [name, value] : wanted) {
    if (value->empty() || has_parameter(query, name)) continue;
    if (!added.empty()) added += '&';
    added += std::string(name) + "=" + percent_encode_query_value(*value);
  }
  if (added.empty()) return std::string(url);

  std::string out(before);
  if (question == std::string_view::npos) {
    out += '?';
  } else if (!query.empty() && query.back() != '&') {
    out += '&';
  }
  out += added;
  out += fragment;
  return out;
}

}  // namespace sm::mail
