#include "services/site_verification.hpp"

#include <gumbo.h>

#include <algorithm>
#include <cctype>

#include "core/log.hpp"
#include "core/text.hpp"
#include "services/safe_fetch.hpp"

namespace sm::services {
namespace {

std::optional<Millis> optional_time(const store::Row& row, std::size_t i) {
  return row.optional_integer(i);
}

store::Value time_value(const std::optional<Millis>& t) {
  if (t) return *t;
  return store::Null{};
}

// gumbo's cost grows with the square of how deeply elements nest (each start tag searches the
// stack of open elements), so a hostile 1 MB page of nested <div>s would take minutes. This
// counts, without parsing, how deep elements without optional end tags nest; real pages stay
// far below the limit.
constexpr int kMaxNesting = 256;

bool closes_itself(std::string_view name) {
  static const std::string_view names[] = {
      "area",   "base",     "br",     "col",      "embed",   "hr",    "img",   "input", "link",
      "meta",   "param",    "source", "track",    "wbr",     "p",     "li",    "dt",    "dd",
      "option", "optgroup", "tr",     "td",       "th",      "thead", "tbody", "tfoot", "rb",
      "rt",     "rtc",      "rp",     "colgroup", "caption", "html",  "head",  "body",  "!doctype"};
  for (auto n : names) {
    if (n == name) return true;
  }
  return false;
}

std::string tag_name(std::string_view html, std::size_t at) {
  std::string name;
  for (std::size_t i = at; i < html.size() && name.size() < 16; ++i) {
    char c = html[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '!') break;
    name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

// Depth-first over the element tree, without recursion (hostile pages can nest deeply).
bool tree_links_to(const GumboNode* root, std::string_view link) {
  std::vector<const GumboNode*> todo = {root};
  while (!todo.empty()) {
    const GumboNode* node = todo.back();
    todo.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
    const GumboElement& e = node->v.element;
    if (e.tag == GUMBO_TAG_A) {
      const GumboAttribute* href = gumbo_get_attribute(&e.attributes, "href");
      if (href != nullptr && trim_whitespace(href->value) == link) return true;
    }
    for (unsigned i = 0; i < e.children.length; ++i) {
      todo.push_back(static_cast<const GumboNode*>(e.children.data[i]));
    }
  }
  return false;
}

// What one fetch found: verified or not, and the sentence to store.
struct Finding {
  bool verified = false;
  std::string result;
};

// Fetches `url` and looks for the link. A rule refusing the address is an error (the caller
// decides whether that is stored); a page that could not be had or lacks the link is a
// finding.
Result<Finding> examine(App& app, std::int64_t account_id, const std::string& url) {
  const std::string link = verification_link(app, account_id);
  auto page = safe_fetch(fetch_policy(app.config), url);
  if (!page.ok() && page.error().code == Errc::invalid_input) return page.take_error();
  if (!page.ok()) return Finding{false, page.error().message};
  if (page->status < 200 || page->status > 299) {
    return Finding{false, "The page answered with HTTP status " + std::to_string(page->status) +
                              " instead of showing its content. Check that it opens in a "
                              "browser."};
  }
  if (html_nests_too_deeply(page->body)) {
    return Finding{false,
                   "The page's HTML nests elements more than 256 deep, too deep to read. "
                   "Name a simpler page that holds the link."};
  }
  if (!page_links_to(page->body, link)) {
    return Finding{false, "The page holds no link to " + link + ". Add <a href=\"" + link +
                              "\">our mailing lists</a> to it and check again."};
  }
  return Finding{true, "The page links to " + link + "."};
}

// One statement on a connection of its own (none is held while a page is fetched).
Status run(App& app, std::string_view query, const std::vector<store::Value>& params) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, query, params);
  if (!r.ok()) return r.take_error();
  return {};
}

Result<SiteVerification> record(App& app, const SiteVerification& before, const Finding& f) {
  std::optional<Millis> since;
  if (f.verified) since = before.verified_since.value_or(app.now());
  SM_TRY(run(app, "site_verifications.record_check",
             {before.account_id, before.page_url, time_value(since), app.now(), f.result}));
  return find_site_verification(app, before.account_id);
}

}  // namespace

std::string verification_link(const App& app, std::int64_t account_id) {
  return app.config.http_base_url + "/verify/" + std::to_string(account_id);
}

bool html_nests_too_deeply(std::string_view html) {
  int depth = 0;
  for (std::size_t at = html.find('<'); at != std::string_view::npos; at = html.find('<', at + 1)) {
    bool closing = at + 1 < html.size() && html[at + 1] == '/';
    std::string name = tag_name(html, at + (closing ? 2 : 1));
    if (name.empty() || name.starts_with('!') || closes_itself(name)) continue;
    auto end = html.find('>', at);
    bool self_closed = end != std::string_view::npos && end > at && html[end - 1] == '/';
    if (closing) {
      depth = std::max(0, depth - 1);
    } else if (!self_closed && ++depth > kMaxNesting) {
      return true;
    }
  }
  return false;
}

bool page_links_to(std::string_view html, std::string_view link) {
  if (html_nests_too_deeply(html)) return false;
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // parse errors are not needed, and recording them costs time
  GumboOutput* out = gumbo_parse_with_options(&options, html.data(), html.size());
  bool found = tree_links_to(out->root, link);
  gumbo_destroy_output(&options, out);
  return found;
}

Result<SiteVerification> find_site_verification(App& app, std::int64_t account_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "site_verifications.find", {account_id});
  if (!rows.ok()) return rows.take_error();
  SiteVerification v;
  v.account_id = account_id;
  if (rows->empty()) return v;
  const auto& row = rows->front();
  v.page_url = row.text(1);
  v.verified_since = optional_time(row, 2);
  v.last_checked_at = optional_time(row, 3);
  v.last_result = row.text(4);
  return v;
}

Result<SiteVerification> set_verification_page(App& app, std::int64_t account_id,
                                               std::string_view url) {
  std::string_view wanted = trim_whitespace(url);
  if (wanted.empty()) {
    SM_TRY(run(app, "site_verifications.delete", {account_id}));
    return SiteVerification{account_id, "", std::nullopt, std::nullopt, ""};
  }
  if (wanted.size() > 2000) {
    return field_error("verification_page",
                       "The page's address is too long; 2000 characters at most.");
  }
  auto target = parse_fetch_target(fetch_policy(app.config), wanted);
  if (!target.ok()) return target.take_error();

  // Checked before anything is stored, so an address a rule refuses is never kept.
  auto finding = examine(app, account_id, target->url);
  if (!finding.ok()) return finding.take_error();
  SM_TRY(run(app, "site_verifications.set_page", {account_id, target->url, app.now()}));
  auto before = find_site_verification(app, account_id);
  if (!before.ok()) return before.take_error();
  return record(app, *before, *finding);
}

Result<SiteVerification> check_site_verification(App& app, std::int64_t account_id) {
  auto before = find_site_verification(app, account_id);
  if (!before.ok()) return before.take_error();
  if (before->page_url.empty()) {
    return make_error(Errc::not_found,
                      "No verification page is named yet. Name a page of your web site first.");
  }
  auto f = examine(app, account_id, before->page_url);
  // An address that became one a rule refuses (its name now points inside) is a failed check.
  Finding found = f.ok() ? *f : Finding{false, f.error().message};
  log::info("site verification account={} verified={}", account_id, found.verified);
  return record(app, *before, found);
}

Result<std::int64_t> recheck_site_verifications(App& app) {
  store::Rows due;
  {
    auto lease = app.db->acquire();
    if (!lease.ok()) return lease.take_error();
    // An hour's slack: maintenance runs hourly, so "a day ago" would drift later each day.
    auto rows = store::run_named(**lease, "site_verifications.due",
                                 {app.now() - kVerificationRecheck + kHour});
    if (!rows.ok()) return rows.take_error();
    due = std::move(*rows);
  }
  std::int64_t checked = 0;
  for (const auto& row : due.rows) {
    auto r = check_site_verification(app, row.integer(0));
    if (r.ok()) ++checked;
  }
  return checked;
}

}  // namespace sm::services
