// Retention rules as maintenance jobs, tested by moving the clock, on both engines: security
// audit records are kept retention.audit_months (12 by default, a month being 30 days), and
// every period is stated in the account's privacy notice, from the same settings.
#include <gmock/gmock.h>

#include "services/audit.hpp"
#include "services/maintenance.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "test_app.hpp"

namespace sm::testing {
namespace {

using ::testing::HasSubstr;

class RetentionTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  RetentionTest() : t_(GetParam()) { account_ = t_.create_account(); }

  std::size_t audit_rows() {
    auto events = services::recent_audit_events(t_.app(), account_, 1000);
    EXPECT_TRUE(events.ok());
    return events.ok() ? events->size() : 0;
  }

  std::int64_t run_job(const std::string& name) {
    for (const auto& o : services::run_maintenance(t_.app())) {
      if (o.name == name) return o.removed;
    }
    ADD_FAILURE() << "no job " << name;
    return -1;
  }

  TestApp t_;
  std::int64_t account_ = 0;
};

TEST_P(RetentionTest, AuditRecordsAreKeptTwelveMonthsByDefault) {
  const std::size_t at_start = audit_rows();
  services::audit(t_.app(), account_, std::nullopt, "sign_in", {"192.0.2.7", "Browser/1"});
  t_.clock().advance(200 * kDay);
  services::audit(t_.app(), account_, std::nullopt, "sign_in", {"192.0.2.8", "Browser/2"});
  ASSERT_EQ(audit_rows(), at_start + 2);

  t_.clock().advance(159 * kDay);  // 359 days after the first: inside 12 months of 30 days
  EXPECT_EQ(run_job("old-audit-events"), 0);
  t_.clock().advance(2 * kDay);  // 361 days
  EXPECT_EQ(run_job("old-audit-events"), static_cast<std::int64_t>(at_start + 1));
  auto left = services::recent_audit_events(t_.app(), account_, 10);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().ip_address, "192.0.2.8");
}

TEST_P(RetentionTest, TheSettingShortensOrLengthensIt) {
  t_.app().config.retention_audit_months = 3;
  services::audit(t_.app(), account_, std::nullopt, "sign_in", {"192.0.2.7", "Browser/1"});
  t_.clock().advance(89 * kDay);
  run_job("old-audit-events");
  EXPECT_GE(audit_rows(), 1u);
  t_.clock().advance(2 * kDay);
  run_job("old-audit-events");
  EXPECT_EQ(audit_rows(), 0u);

  t_.app().config.retention_audit_months = 24;
  services::audit(t_.app(), account_, std::nullopt, "sign_in", {"192.0.2.9", "Browser/3"});
  t_.clock().advance(400 * kDay);
  run_job("old-audit-events");
  EXPECT_EQ(audit_rows(), 1u);
}

TEST_P(RetentionTest, EveryPeriodIsListedFromTheSettings) {
  t_.app().config.retention_audit_months = 18;
  auto periods = services::retention_periods(t_.app().config);
  std::string all;
  for (const auto& p : periods) all += p.what + ": " + p.period + "\n";
  EXPECT_THAT(all, HasSubstr("do not confirm, with the evidence of its sign-up: 7 days"));
  EXPECT_THAT(all, HasSubstr("data access portal, with their IP address and browser: 18 months"));
  EXPECT_THAT(all, HasSubstr("confirmation emails were sent to an address: 1 day"));
  EXPECT_THAT(all, HasSubstr("30 minutes idle, 12 hours at most"));
}

TEST_P(RetentionTest, ThePrivacyNoticeStatesThePeriods) {
  ServiceProcess svc(GetParam(), {{{"SMARTMESSAGES_RETENTION_AUDIT_MONTHS", "9"}}, true});
  CliResult made =
      svc.run_cli({"account", "create", "--org", "Notice Ltd", "--email", "owner@notice.test"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string id = made.out.substr(0, made.out.find('\n'));
  HttpClient c(svc.base_url());
  HttpResponse notice = c.get("/privacy/" + id);
  ASSERT_EQ(notice.status, 200);
  EXPECT_THAT(notice.body, HasSubstr("How long it is kept"));
  EXPECT_THAT(notice.body, HasSubstr("<td>9 months</td>"));
  EXPECT_THAT(notice.body, HasSubstr("<td>7 days</td>"));
  EXPECT_THAT(notice.body, HasSubstr("href=\"/verify/" + id + "\""));
  EXPECT_FALSE(notice.has_header("Set-Cookie"));

  CliResult maintained = svc.run_cli({"maintain"});
  EXPECT_EQ(maintained.exit_code, 0) << maintained.err;
  EXPECT_THAT(maintained.out, HasSubstr("old-audit-events: removed 0"));
  EXPECT_THAT(maintained.out, HasSubstr("site-verification: checked 0"));
}

SM_INSTANTIATE_FOR_ENGINES(RetentionTest);

}  // namespace
}  // namespace sm::testing
