// Analytics parameters for a campaign's link destinations: utm_source, utm_medium and
// utm_campaign, the names web analytics tools read to say which visits came from which
// campaign. They describe the campaign, never the recipient: the same for every delivery.
//
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sm::mail {

struct UtmParameters {
  std::string source;    // utm_source, e.g. "newsletter"
  std::string medium;    // utm_medium, "email"
  std::string campaign;  // utm_campaign, as the account holder named it
};

// `url` with the parameters added to its query, after the query it already has and before
// its fragment ("https://a.example/p?x=1#top" gets "?x=1&utm_source=...#top"). A parameter
// the URL already carries is left as the author wrote it, and an empty value is not added.
// Values are percent-encoded (RFC 3986 unreserved characters stay as they are).
std::string add_utm_parameters(std::string_view url, const UtmParameters& utm);

// `text` percent-encoded for a query value: everything but A-Z a-z 0-9 - . _ ~ becomes %XX.
std::string percent_encode_query_value(std::string_view text);

}  // namespace sm::mail
