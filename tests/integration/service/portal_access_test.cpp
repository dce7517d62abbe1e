// Getting into the data access portal, through the router on both engines: the same reply for
// known and unknown addresses (and in similar time, with the email sent off the request
// path), no cookie before the emailed link's button, single-use links valid for an hour,
// sessions ending after 30 minutes idle, forms refused without the session's token, and
// every step written to the security audit without the address.
#include <chrono>
#include <thread>

#include "integration/service/portal_test_fixture.hpp"
#include "mail/mailer.hpp"
#include "mail/transport.hpp"
#include "services/maintenance.hpp"
#include "services/portal.hpp"

namespace sm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PortalAccessTest : public PortalFixture {};

// Headers of a reply that may differ between two identical answers: none but the date.
std::vector<std::pair<std::string, std::string>> headers_of(const http::Response& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& h : r.headers.all()) {
    if (h.first != "Date") out.push_back(h);
  }
  return out;
}

TEST_P(PortalAccessTest, KnownAndUnknownAddressesGetTheSameReplyByteForByte) {
  hold_at_three_accounts();
  auto known = request_link(kAnn);
  auto unknown = request_link("nobody@example.com");
  EXPECT_EQ(known.status, 200);
  EXPECT_EQ(known.status, unknown.status);
  EXPECT_EQ(known.body, unknown.body);
  EXPECT_EQ(headers_of(known), headers_of(unknown));
  EXPECT_THAT(known.body, HasSubstr("If we hold data for this address"));
  EXPECT_FALSE(known.headers.has("Set-Cookie"));

  // Only the held address is mailed; both requests wrote a link row (the same work).
  EXPECT_EQ(portal_emails_to(kAnn), 1u);
  EXPECT_EQ(portal_emails_to("nobody@example.com"), 0u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_links"), 2);

  // Throttled (the fourth request for one address in an hour) answers the same too.
  request_link(kAnn);
  request_link(kAnn);
  auto throttled = request_link(kAnn);
  EXPECT_EQ(throttled.body, known.body);
  EXPECT_EQ(portal_emails_to(kAnn), 3u);
}

TEST_P(PortalAccessTest, AnInvalidAddressIsAskedForAgain) {
  auto r = request_link("not an address");
  EXPECT_EQ(r.status, 422);
  EXPECT_THAT(r.body, HasSubstr("aria-invalid=\"true\""));
  EXPECT_THAT(r.body, Not(HasSubstr("If we hold data")));
}

TEST_P(PortalAccessTest, TooManyRequestsFromOneNetworkAreRefusedWhateverTheAddress) {
  for (int i = 0; i < 20; ++i) request_link("someone" + std::to_string(i) + "@example.com");
  auto r = request_link("another@example.com");
  EXPECT_EQ(r.status, 429);
  ip_ = "203.0.113.77";
  EXPECT_EQ(request_link("another@example.com").status, 200);
}

// A transport that takes as long as a slow relay, then writes to the outbox.
class SlowTransport final : public mail::Transport {
 public:
  explicit SlowTransport(std::unique_ptr<mail::Transport> inner) : inner_(std::move(inner)) {}
  Status send(const mail::Envelope& envelope, std::string_view mime) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    return inner_->send(envelope, mime);
  }

 private:
  std::unique_ptr<mail::Transport> inner_;
};

double millis_of(const std::function<void()>& fn) {
  auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

TEST_P(PortalAccessTest, AHeldAddressAnswersAsFastAsAnUnknownOneWithASlowRelay) {
  hold_at_three_accounts();
  auto outbox = mail::make_transport("", t_.app().config.outbox_dir());
  ASSERT_TRUE(outbox.ok());
  t_.app().mailer = std::make_unique<mail::Mailer>(
      std::make_unique<SlowTransport>(std::move(*outbox)),
      mail::Mailbox{"noreply@example.org", "Smartmessages"}, t_.clock());

  double known = 0, unknown = 0;
  for (int i = 0; i < 3; ++i) {
    unknown += millis_of([&] { request_link("nobody" + std::to_string(i) + "@example.com"); });
    known += millis_of([&] { request_link(kAnn); });
  }
  // Sending inline would add 400 ms to each known request.
  EXPECT_LT(known, unknown + 3 * 150.0) << "known " << known << " ms, unknown " << unknown;
  EXPECT_EQ(portal_emails_to(kAnn), 3u);  // drains the queue: the emails did go
}

TEST_P(PortalAccessTest, NoCookieUntilTheLinksButtonIsPressed) {
  hold_at_three_accounts();
  auto form = get("/portal");
  EXPECT_EQ(form.status, 200);
  EXPECT_FALSE(form.headers.has("Set-Cookie"));
  EXPECT_FALSE(request_link(kAnn).headers.has("Set-Cookie"));
  std::string link = link_path(kAnn);
  ASSERT_FALSE(link.empty());

  auto page = get(link);
  EXPECT_EQ(page.status, 200);
  EXPECT_FALSE(page.headers.has("Set-Cookie"));
  EXPECT_THAT(page.body, HasSubstr("Show my data"));

  auto opened = post(link, {}, false);
  EXPECT_EQ(opened.status, 303);
  EXPECT_EQ(opened.headers.get("Location"), "/portal/data");
  std::string set_cookie(opened.headers.get("Set-Cookie"));
  EXPECT_THAT(set_cookie, HasSubstr("sm_portal="));
  EXPECT_THAT(set_cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(set_cookie, HasSubstr("SameSite=Lax"));
  EXPECT_THAT(set_cookie, HasSubstr("Path=/"));
  EXPECT_THAT(set_cookie, Not(HasSubstr("Expires")));
  EXPECT_THAT(set_cookie, Not(HasSubstr("Max-Age")));
  EXPECT_EQ(opened.headers.get("Cache-Control"), "no-store");

  // Only the hash of the session's token is stored.
  std::string token = cookie_.substr(cookie_.find('=') + 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_sessions WHERE token_hash = $1",
                  {crypto::sha256_hex(token)}),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_sessions WHERE token_hash = $1", {token}), 0);
  auto data = get("/portal/data");
  EXPECT_EQ(data.status, 200);
  EXPECT_EQ(data.headers.get("Cache-Control"), "no-store");
}

TEST_P(PortalAccessTest, ALinkWorksOnce) {
  hold_at_three_accounts();
  request_link(kAnn);
  std::string link = link_path(kAnn);
  ASSERT_EQ(post(link, {}, false).status, 303);
  cookie_.clear();
  auto again = post(link, {}, false);
  EXPECT_EQ(again.status, 404);
  EXPECT_FALSE(again.headers.has("Set-Cookie"));
  EXPECT_EQ(get(link).status, 404);
}

TEST_P(PortalAccessTest, ALinkExpiresAfterOneHour) {
  hold_at_three_accounts();
  request_link(kAnn);
  std::string link = link_path(kAnn);
  t_.clock().advance(services::kPortalLinkLife - kMinute);
  EXPECT_EQ(get(link).status, 200);
  t_.clock().advance(2 * kMinute);
  EXPECT_EQ(get(link).status, 404);
  auto late = post(link, {}, false);
  EXPECT_EQ(late.status, 404);
  EXPECT_THAT(late.body, HasSubstr("older than one hour"));
  EXPECT_TRUE(cookie_.empty());
}

TEST_P(PortalAccessTest, AButtonPressedFromAnotherSiteIsRefused) {
  hold_at_three_accounts();
  request_link(kAnn);
  std::string link = link_path(kAnn);
  auto forged = call(http::Method::post, link, "", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(forged.status, 403);
  EXPECT_TRUE(cookie_.empty());
  EXPECT_EQ(post(link, {}, false).status, 303);  // the link was not used up
}

TEST_P(PortalAccessTest, TheSessionEndsAfterThirtyMinutesIdle) {
  hold_at_three_accounts();
  open_portal(kAnn);
  t_.clock().advance(29 * kMinute);
  EXPECT_EQ(get("/portal/data").status, 200);
  t_.clock().advance(29 * kMinute);
  EXPECT_EQ(get("/portal/data").status, 200);  // each use restarts the idle clock
  t_.clock().advance(31 * kMinute);
  auto ended = get("/portal/data");
  EXPECT_EQ(ended.status, 303);
  EXPECT_EQ(ended.headers.get("Location"), "/portal?ended=1");
  EXPECT_TRUE(cookie_.empty());  // the stale cookie was cleared
  EXPECT_THAT(get("/portal?ended=1").body, HasSubstr("session has ended"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_sessions"), 0);
}

TEST_P(PortalAccessTest, ClosingThePageEndsTheSession) {
  hold_at_three_accounts();
  open_portal(kAnn);
  std::string held = cookie_;
  auto closed = post("/portal/sign-out", {});
  EXPECT_EQ(closed.status, 200);
  EXPECT_TRUE(cookie_.empty());
  cookie_ = held;
  EXPECT_EQ(get("/portal/data").status, 303);
}

TEST_P(PortalAccessTest, FormsWithoutTheSessionsTokenAreRefused) {
  hold_at_three_accounts();
  open_portal(kAnn);
  http::FormFields f;
  f.add("scope", "everything");
  f.add("csrf", "forged");
  auto r =
      call(http::Method::post, "/portal/unsubscribe", http::encode_form(f), {{"Origin", kOrigin}});
  EXPECT_EQ(r.status, 403);
  f = {};
  f.add("scope", "everything");
  f.add("csrf", csrf());
  r = call(http::Method::post, "/portal/unsubscribe", http::encode_form(f),
           {{"Origin", "https://evil.example"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscriptions WHERE status = 'unsubscribed'"), 0);
}

TEST_P(PortalAccessTest, EveryStepIsAuditedWithoutTheAddress) {
  hold_at_three_accounts();
  open_portal(kAnn);
  ASSERT_EQ(get("/portal/export.json").status, 200);
  ASSERT_EQ(get("/portal/export.csv").status, 200);
  http::FormFields f;
  f.add("scope", "account");
  f.add("account", std::to_string(accounts_[0].id));
  ASSERT_EQ(post("/portal/unsubscribe", f).status, 303);
  f = {};
  f.add("scope", "account");
  f.add("account", std::to_string(accounts_[1].id));
  ASSERT_EQ(post("/portal/erase", f).status, 303);

  for (const char* kind :
       {"portal_link_requested", "portal_opened", "portal_viewed", "portal_exported_json",
        "portal_exported_csv", "portal_unsubscribed", "portal_erased"}) {
    EXPECT_GE(count("SELECT COUNT(*) FROM audit_events WHERE kind = $1 AND account_id IS NULL "
                    "AND ip_address = '203.0.113.9' AND user_agent = 'PortalTest/1.0'",
                    {std::string(kind)}),
              1)
        << kind;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE kind LIKE '%ann%' OR "
                  "user_agent LIKE '%ann@%'"),
            0);
  // The portal tables hold no address in clear.
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_links WHERE address_hmac LIKE '%example%' OR "
                  "address_sealed LIKE '%example%'"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_sessions WHERE address_sealed LIKE '%ann%'"), 0);
}

TEST_P(PortalAccessTest, AUsedLinkIsAuditedAsRefused) {
  hold_at_three_accounts();
  request_link(kAnn);
  std::string link = link_path(kAnn);
  post(link, {}, false);
  post(link, {}, false);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE kind = 'portal_link_refused'"), 1);
}

TEST_P(PortalAccessTest, MaintenanceRemovesUsedAndExpiredLinksAndIdleSessions) {
  hold_at_three_accounts();
  open_portal(kAnn);              // one used link, one live session
  request_link("x@example.com");  // one unused link
  t_.clock().advance(2 * kHour);
  auto outcomes = services::run_maintenance(t_.app());
  std::map<std::string, std::int64_t> removed;
  for (const auto& o : outcomes) removed[o.name] = o.removed;
  EXPECT_EQ(removed["expired-portal-links"], 2);
  EXPECT_EQ(removed["expired-portal-sessions"], 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_links"), 0);
}

SM_INSTANTIATE_FOR_ENGINES(PortalAccessTest);

}  // namespace
}  // namespace sm::testing
