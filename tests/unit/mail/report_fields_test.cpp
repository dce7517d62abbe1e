#include "mail/report_fields.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sm::mail {
namespace {

TEST(ReportFieldsTest, BlocksAreSplitAtBlankLinesAndFoldedValuesJoined) {
  auto blocks = parse_field_blocks(
      "Reporting-MTA: dns; mx.example.net\r\n"
      "\r\n"
      "Final-Recipient: rfc822; ann@example.com\r\n"
      "Diagnostic-Code: smtp; 550 5.1.1 <ann@example.com>:\r\n"
      "    User unknown\r\n"
      "  \r\n"
      "\r\n"
      "final-recipient: rfc822; bob@example.com\n");
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].get("reporting-mta"), "dns; mx.example.net");
  EXPECT_EQ(blocks[1].get("Diagnostic-Code"), "smtp; 550 5.1.1 <ann@example.com>: User unknown");
  EXPECT_EQ(blocks[2].get("Final-Recipient"), "rfc822; bob@example.com");
  EXPECT_EQ(blocks[2].get("Action"), "");
}

TEST(ReportFieldsTest, RepeatedFieldsAreAllKeptAndJunkLinesSkipped) {
  auto blocks = parse_field_blocks(
      "  continuation with nothing before it\n"
      "Original-Rcpt-To: a@example.org\n"
      "this line has no colon\n"
      "Bad Name: skipped\n"
      "Original-Rcpt-To: b@example.org\n");
  ASSERT_EQ(blocks.size(), 1u);
  auto all = blocks[0].all("original-rcpt-to");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1], "b@example.org");
  EXPECT_EQ(blocks[0].fields().size(), 2u);
}

TEST(ReportFieldsTest, BlocksAndFieldsAreBounded) {
  std::string many;
  for (std::size_t i = 0; i < kMaxFieldBlocks + 10; ++i) many += "A: 1\n\n";
  EXPECT_EQ(parse_field_blocks(many).size(), kMaxFieldBlocks);
  std::string wide;
  for (std::size_t i = 0; i < kMaxFieldsPerBlock + 10; ++i) wide += "A: 1\n";
  EXPECT_EQ(parse_field_blocks(wide).front().fields().size(), kMaxFieldsPerBlock);
  EXPECT_TRUE(parse_field_blocks("").empty());
  EXPECT_TRUE(parse_field_blocks("\n\n\r\n").empty());
}

TEST(ReportFieldsTest, HeaderBlockStopsAtTheBody) {
  auto block = parse_header_block("Message-ID: <x@y>\nSubject: hi\n\nNot-A-Header: body\n");
  EXPECT_EQ(block.get("Message-ID"), "<x@y>");
  EXPECT_EQ(block.get("Not-A-Header"), "");
  EXPECT_TRUE(parse_header_block("\nSubject: hi\n").empty());
}

TEST(ReportFieldsTest, ReportAddressTakesOffTypeBracketsAndComments) {
  EXPECT_EQ(report_address("rfc822; Ann@Example.com"), "Ann@Example.com");
  EXPECT_EQ(report_address("rfc822;<ann@example.com>"), "ann@example.com");
  EXPECT_EQ(report_address("<bob@example.net> (Bob)"), "bob@example.net");
  EXPECT_EQ(report_address("bob@example.net"), "bob@example.net");
  EXPECT_EQ(report_address("Grace <grace@example.net"), "grace@example.net");
  EXPECT_EQ(report_address("rfc822; postmaster"), "");
  EXPECT_EQ(report_address(""), "");
}

TEST(ReportFieldsTest, EnhancedStatusCodes) {
  EXPECT_EQ(enhanced_status("5.1.1"), "5.1.1");
  EXPECT_EQ(enhanced_status(" 4.4.7 (delivery expired)"), "4.4.7");
  EXPECT_EQ(enhanced_status("5.1.10"), "5.1.10");
  EXPECT_EQ(enhanced_status("2.0.0"), "2.0.0");
  EXPECT_FALSE(enhanced_status("3.1.1"));
  EXPECT_FALSE(enhanced_status("5.1"));
  EXPECT_FALSE(enhanced_status("5.1.1234"));
  EXPECT_FALSE(enhanced_status("5.1.1.1"));
  EXPECT_FALSE(enhanced_status("55.1.1"));
  EXPECT_FALSE(enhanced_status("x5.1.1"));
}

TEST(ReportFieldsTest, StatusFromDiagnostic) {
  EXPECT_EQ(status_from_diagnostic("smtp; 550 5.1.1 <a@b>: User unknown"), "5.1.1");
  EXPECT_EQ(status_from_diagnostic("smtp; 550-5.7.1 [192.0.2.1] blocked"), "5.7.1");
  EXPECT_EQ(status_from_diagnostic("smtp; 452 Mailbox full"), "4.0.0");
  EXPECT_EQ(status_from_diagnostic("smtp;550"), "5.0.0");
  EXPECT_FALSE(status_from_diagnostic("X-Postfix; unknown user: \"ann\""));
  EXPECT_FALSE(status_from_diagnostic("smtp; 5500 odd"));
  EXPECT_FALSE(status_from_diagnostic("version 15.5.1.2 of the server"));
}

}  // namespace
}  // namespace sm::mail
