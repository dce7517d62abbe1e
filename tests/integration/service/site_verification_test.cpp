// Verification pages on both engines: naming a page that links to /verify/{id} verifies the
// account at once; the daily maintenance job re-checks (tested by moving the clock), keeps
// "since" while the link stays, ends verification when it goes, and starts a new run when it
// comes back. A page a rule refuses is never stored. The web server is on loopback (allowed by
// the test-only setting) and named through dnsmasq.
#include <gmock/gmock.h>

#include "loopback_web.hpp"
#include "services/maintenance.hpp"
#include "services/site_verification.hpp"
#include "test_app.hpp"

namespace sm::testing {
namespace {

using ::testing::HasSubstr;

class SiteVerificationTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  SiteVerificationTest()
      : t_(GetParam()),
        dns_(t_.dir(), {{"www.example.test", "127.0.0.1"}, {"inside.example.test", "10.1.2.3"}}) {
    auto& c = t_.app().config;
    c.fetch_allow_loopback = true;
    c.fetch_allowed_ports = {static_cast<std::uint16_t>(web_.port()), 80};
    c.dns_server = dns_.server();
    account_ = t_.create_account();
    link_ = services::verification_link(t_.app(), account_);
    page_url_ = "http://www.example.test:" + std::to_string(web_.port()) + "/about";
  }

  void publish(bool with_link) {
    web_.page("/about", with_link ? "<h1>About us</h1><a href=\"" + link_ + "\">Our lists</a>"
                                  : "<h1>About us</h1><p>Nothing here.</p>");
  }

  std::int64_t run_job() {
    for (const auto& o : services::run_maintenance(t_.app())) {
      if (o.name == "site-verification") {
        EXPECT_EQ(o.error, "");
        EXPECT_EQ(o.counts, "checked");
        return o.removed;
      }
    }
    ADD_FAILURE() << "no site-verification job";
    return -1;
  }

  TestApp t_;
  LoopbackWeb web_;
  AddressDns dns_;
  std::int64_t account_ = 0;
  std::string link_;
  std::string page_url_;
};

TEST_P(SiteVerificationTest, APageThatLinksHereVerifiesAtOnce) {
  publish(true);
  EXPECT_EQ(link_, "http://127.0.0.1:8080/verify/" + std::to_string(account_));
  auto v = services::set_verification_page(t_.app(), account_, "  " + page_url_ + " ");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE(v->verified());
  EXPECT_EQ(v->page_url, page_url_);
  EXPECT_EQ(v->verified_since, t_.app().now());
  EXPECT_EQ(v->last_checked_at, t_.app().now());
  EXPECT_EQ(v->last_result, "The page links to " + link_ + ".");
  EXPECT_EQ(web_.connections(), 1);

  auto other = t_.create_account("Other Ltd", "o@other.test");
  auto none = services::find_site_verification(t_.app(), other);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->page_url, "");
  EXPECT_FALSE(none->verified());
}

TEST_P(SiteVerificationTest, APageWithoutTheLinkIsStoredUnverifiedWithWhatToDo) {
  publish(false);
  auto v = services::set_verification_page(t_.app(), account_, page_url_);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_FALSE(v->verified());
  EXPECT_EQ(v->page_url, page_url_);
  EXPECT_THAT(v->last_result, HasSubstr("holds no link to " + link_));

  auto missing = services::set_verification_page(
      t_.app(), account_, "http://www.example.test:" + std::to_string(web_.port()) + "/gone");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->verified());
  EXPECT_THAT(missing->last_result, HasSubstr("HTTP status 404"));
}

TEST_P(SiteVerificationTest, AnAddressARuleRefusesIsNotStored) {
  publish(true);
  ASSERT_TRUE(services::set_verification_page(t_.app(), account_, page_url_).ok());
  for (const std::string& url :
       std::vector<std::string>{"http://inside.example.test/", "http://10.0.0.1/",
                                "http://[::ffff:127.0.0.1]:" + std::to_string(web_.port()) + "/",
                                "ftp://www.example.test/", "http://www.example.test:81/"}) {
    auto v = services::set_verification_page(t_.app(), account_, url);
    ASSERT_FALSE(v.ok()) << url;
    EXPECT_EQ(v.error().field, "verification_page") << url;
    auto kept = services::find_site_verification(t_.app(), account_);
    EXPECT_EQ(kept->page_url, page_url_) << url;
    EXPECT_TRUE(kept->verified()) << url;
  }
  EXPECT_EQ(web_.connections(), 1);

  auto stopped = services::set_verification_page(t_.app(), account_, "");
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(services::find_site_verification(t_.app(), account_)->page_url, "");
}

TEST_P(SiteVerificationTest, TheDailyJobRechecksAndEndsAndRestartsVerification) {
  publish(true);
  const Millis start = t_.app().now();
  ASSERT_TRUE(services::set_verification_page(t_.app(), account_, page_url_).ok());

  t_.clock().advance(kHour);
  EXPECT_EQ(run_job(), 0);  // checked an hour ago: not due
  EXPECT_EQ(web_.connections(), 1);

  t_.clock().advance(kDay);
  EXPECT_EQ(run_job(), 1);
  auto still = services::find_site_verification(t_.app(), account_);
  EXPECT_TRUE(still->verified());
  EXPECT_EQ(still->verified_since, start);
  EXPECT_EQ(still->last_checked_at, t_.app().now());

  publish(false);
  t_.clock().advance(kDay);
  EXPECT_EQ(run_job(), 1);
  auto ended = services::find_site_verification(t_.app(), account_);
  EXPECT_FALSE(ended->verified());
  EXPECT_THAT(ended->last_result, HasSubstr("holds no link"));

  publish(true);
  t_.clock().advance(kDay);
  EXPECT_EQ(run_job(), 1);
  auto again = services::find_site_verification(t_.app(), account_);
  EXPECT_TRUE(again->verified());
  EXPECT_EQ(again->verified_since, t_.app().now());  // a new run, not the old one
  EXPECT_EQ(web_.connections(), 4);
}

TEST_P(SiteVerificationTest, ANameThatMovesInsideFailsTheRecheck) {
  publish(true);
  const std::string url = "http://inside.example.test:" + std::to_string(web_.port()) + "/about";
  // Named while it pointed at the web server: store it directly as the job would find it.
  ASSERT_TRUE(services::set_verification_page(t_.app(), account_, page_url_).ok());
  {
    auto lease = t_.app().db->acquire();
    ASSERT_TRUE(lease.ok());
    ASSERT_TRUE((*lease)
                    ->run("UPDATE site_verifications SET page_url = $1 WHERE account_id = $2",
                          {url, account_})
                    .ok());
  }
  t_.clock().advance(2 * kDay);
  EXPECT_EQ(run_job(), 1);
  auto v = services::find_site_verification(t_.app(), account_);
  EXPECT_FALSE(v->verified());
  EXPECT_THAT(v->last_result, HasSubstr("private network address"));
  EXPECT_EQ(web_.connections(), 1);
}

SM_INSTANTIATE_FOR_ENGINES(SiteVerificationTest);

}  // namespace
}  // namespace sm::testing
