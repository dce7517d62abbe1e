// CSV import and export on both engines: counts by reason, the refusal report, suppressed and
// unsubscribed addresses kept out, refused columns, invalid UTF-8, and formula cells quoted in
// exports.
#include "services/csv_import.hpp"

#include <gmock/gmock.h>

#include <sstream>

#include "integration/service/test_app.hpp"
#include "services/csv_export.hpp"
#include "services/lists.hpp"
#include "services/subscriber_fields.hpp"
#include "services/suppression.hpp"

namespace sm::testing {
namespace {

using ::testing::HasSubstr;

class CsvImportTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  void SetUp() override {
    services::ListForm form{"News", "Monthly news", "", ""};
    list = services::create_list(t.app(), account, form)->id;
    services::FieldDefinition age{0, "age", "Age", services::FieldType::number, {}};
    services::FieldDefinition name{0, "first_name", "First name", services::FieldType::text, {}};
    ASSERT_TRUE(services::declare_field(t.app(), account, age).ok());
    ASSERT_TRUE(services::declare_field(t.app(), account, name).ok());
  }

  Result<services::ImportReport> import(const std::string& csv, bool confirm = false) {
    std::istringstream in(csv);
    services::ImportRequest r{account, list, "Shop sign-up sheet 2026", "consent", confirm};
    return services::import_csv(t.app(), r, in);
  }

  void suppress(const std::string& address) {
    auto lease = t.app().db->acquire();
    ASSERT_TRUE(services::suppress(t.app(), **lease, account, *parse_email_address(address),
                                   services::SuppressionReason::unsubscribed)
                    .ok());
  }

  std::int64_t count(const std::string& sql) {
    auto lease = t.app().db->acquire();
    auto rows = (*lease)->run(sql, {account});
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().detail);
    return rows.ok() ? rows->front().integer(0) : -1;
  }

  std::string export_list() {
    std::ostringstream out;
    EXPECT_TRUE(services::export_subscribers(t.app(), account, list, out).ok());
    return out.str();
  }

  TestApp t{GetParam()};
  std::int64_t account = t.create_account();
  std::int64_t list = 0;
};

TEST_P(CsvImportTest, CountsEveryReasonAndKeepsTheReport) {
  ASSERT_TRUE(import("email\nleft@example.org\n").ok());
  auto lease = t.app().db->acquire();
  ASSERT_TRUE((*lease)
                  ->run("UPDATE subscriptions SET status = 'unsubscribed' WHERE "
                        "account_id = $1",
                        {account})
                  .ok());
  suppress("gone@example.org");

  auto r = import(
      "Email,Age,first_name\n"
      "ann@example.org,41,Ann\n"
      "not an address,3,X\n"
      "ANN@example.org,41,Ann\n"
      "gone@example.org,,\n"
      "left@example.org,,\n"
      "bob@example.org,forty,Bob\n"
      ",,\n"
      "carol@example.org,,Carol\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, "done");
  EXPECT_EQ(r->rows_seen, 7);
  EXPECT_EQ(r->imported, 2);
  EXPECT_EQ(r->refused_total, 5);
  EXPECT_EQ(r->refused.at("invalid_address"), 1);
  EXPECT_EQ(r->refused.at("duplicate"), 1);
  EXPECT_EQ(r->refused.at("suppressed"), 1);
  EXPECT_EQ(r->refused.at("unsubscribed"), 1);
  EXPECT_EQ(r->refused.at("invalid_field"), 1);

  std::ostringstream report;
  ASSERT_TRUE(services::write_refusals_csv(t.app(), account, r->id, report).ok());
  EXPECT_THAT(report.str(), HasSubstr("line,reason,value,detail\r\n3,invalid_address,"));
  EXPECT_THAT(report.str(), HasSubstr("5,suppressed,,"));
  EXPECT_THAT(report.str(), HasSubstr("7,invalid_field,forty,"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM consent_events WHERE account_id = $1 AND kind = "
                  "'import' AND source = 'Shop sign-up sheet 2026' AND basis = 'consent'"),
            3);
}

TEST_P(CsvImportTest, SuppressedAddressComesBackThroughNoImport) {
  suppress("gone@example.org");
  for (bool confirm : {false, true}) {
    auto r = import("email\nGone@Example.org\n", confirm);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->imported, 0);
    EXPECT_EQ(r->refused.at("suppressed"), 1);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE account_id = $1"), 0);
  EXPECT_EQ(services::suppression_summary(t.app(), account)->refused_attempts, 2);
}

TEST_P(CsvImportTest, SendConfirmationAddsPendingAndSendsAnEmail) {
  auto r = import("email\nann@example.org\n", true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->imported, 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscriptions WHERE account_id = $1 AND status = "
                  "'pending'"),
            1);
  EXPECT_EQ(t.outbox().size(), 1u);
}

TEST_P(CsvImportTest, SpecialCategoryColumnRefusesTheWholeImport) {
  auto r = import("email,religion\nann@example.org,none\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_THAT(r.error().message, HasSubstr("\"religion\" cannot be imported"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE account_id = $1"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM imports WHERE account_id = $1 AND status = 'failed'"), 1);
}

TEST_P(CsvImportTest, GenderColumnIsRefused) {
  auto r = import("email,Gender\nann@example.org,f\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("\"Gender\""));
}

TEST_P(CsvImportTest, UnknownColumnsAreNamed) {
  auto r = import("email,shoe_size,city\nann@example.org,9,Leeds\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("\"shoe_size\", \"city\""));
}

TEST_P(CsvImportTest, InvalidUtf8IsRefusedWithItsRecordNumber) {
  auto r = import("email,first_name\nann@example.org,Ann\nbob@example.org,B\xff\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("Record 3 "));
  EXPECT_THAT(r.error().message, HasSubstr("UTF-8"));
}

TEST_P(CsvImportTest, ExportQuotesFormulaCellsAndCarriesConsentFields) {
  ASSERT_TRUE(import("email,first_name\n"
                     "ann@example.org,\"=HYPERLINK(\"\"http://x\"\")\"\n"
                     "bob@example.org,+1\n"
                     "carol@example.org,@SUM(A1)\n"
                     "dan@example.org,-2\n")
                  .ok());
  std::string csv = export_list();
  EXPECT_THAT(csv, HasSubstr("email,status,list,age,first_name,created_at"));
  EXPECT_THAT(csv, HasSubstr("\"'=HYPERLINK(\"\"http://x\"\")\""));
  EXPECT_THAT(csv, HasSubstr(",'+1,"));
  EXPECT_THAT(csv, HasSubstr(",'@SUM(A1),"));
  EXPECT_THAT(csv, HasSubstr(",'-2,"));
  EXPECT_THAT(csv, HasSubstr("ann@example.org,confirmed,News,"));
  EXPECT_THAT(csv, HasSubstr(",import,2026-12-01T09:00:00Z,,,,Shop sign-up sheet 2026,consent,"));
}

TEST_P(CsvImportTest, AnotherAccountsImportIsNotFound) {
  auto r = import("email\nann@example.org\n");
  ASSERT_TRUE(r.ok());
  std::int64_t other = t.create_account("Other Ltd", "other@example.org");
  auto found = services::find_import(t.app(), other, r->id);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, Errc::not_found);
  services::ImportRequest req{other, list, "x", "consent", false};
  std::istringstream in("email\nann@example.org\n");
  EXPECT_EQ(services::import_csv(t.app(), req, in).error().code, Errc::not_found);
}

TEST_P(CsvImportTest, LargeFileIsWrittenInBatches) {
  std::string csv = "email\n";
  for (int i = 0; i < 2500; ++i) csv += "p" + std::to_string(i) + "@example.org\n";
  std::vector<std::int64_t> progress;
  std::istringstream in(csv);
  services::ImportRequest r{account, list, "CRM export", "contract", false};
  auto report =
      services::import_csv(t.app(), r, in, [&](std::int64_t seen) { progress.push_back(seen); });
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->imported, 2500);
  EXPECT_EQ(progress, (std::vector<std::int64_t>{1000, 2000, 2500}));
}

SM_INSTANTIATE_FOR_ENGINES(CsvImportTest);

}  // namespace
}  // namespace sm::testing
