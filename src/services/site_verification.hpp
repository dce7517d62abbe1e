// Phishing defence: an account holder names a page on its own web site that links to
// {base_url}/verify/{account id}. The service fetches that page (services/safe_fetch, with
// every SSRF rule) and looks for the link; the public page /verify/{account id} then shows
// the controller details with the verified page and since when, or a clear warning. Anyone
// who receives mail claiming to come from the account can follow the link from the mail's
// footer or the sign-up page and see whether the organisation's own site vouches for it.
//
// Pages are checked when named and again every day (the maintenance job
// "site-verification"); a failed check ends the verification until a check succeeds again.
//
// Thread-safe: every function may be called from any thread; state lives in the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "services/app.hpp"

namespace sm::services {

// How often a named page is fetched again.
constexpr Millis kVerificationRecheck = kDay;

struct SiteVerification {
  std::int64_t account_id = 0;
  std::string page_url;  // empty: the account names no page
  std::optional<Millis> verified_since;
  std::optional<Millis> last_checked_at;
  std::string last_result;  // a sentence saying what the last check found and what to do

  bool verified() const { return verified_since.has_value(); }
};

// The URL the page must link to: {base_url}/verify/{account id}.
std::string verification_link(const App& app, std::int64_t account_id);

// True when elements in `html` nest more than 256 deep (counting those without optional end
// tags): such a page is not parsed, because parsing time grows with the square of the depth.
bool html_nests_too_deeply(std::string_view html);

// True when `html` holds an <a> whose href is exactly `link` (surrounding spaces aside);
// false for a page that nests too deeply to parse.
bool page_links_to(std::string_view html, std::string_view link);

// The account's page and its standing (page_url empty when none is named).
Result<SiteVerification> find_site_verification(App& app, std::int64_t account_id);

// Names the page and checks it at once; an empty `url` stops verification. invalid_input on
// the field "verification_page" when the address is not one that may be fetched (nothing is
// stored then); a page that could not be fetched or lacks the link is stored, unverified,
// with the reason in last_result.
Result<SiteVerification> set_verification_page(App& app, std::int64_t account_id,
                                               std::string_view url);

// Fetches the named page again and stores what was found. not_found when no page is named.
Result<SiteVerification> check_site_verification(App& app, std::int64_t account_id);

// The maintenance job: checks every page not checked for a day. Returns how many it checked.
Result<std::int64_t> recheck_site_verifications(App& app);

}  // namespace sm::services
