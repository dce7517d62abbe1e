// The checked-in corpus (tests/fuzz/corpus/mail_dsn and mail_arf: DSNs in the styles of
// Postfix, Exim, Gmail and Microsoft, feedback reports, auto-replies and junk) classified
// message by message, plus the envelope recipient and the original message's headers.
#include "mail/inbound_message.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "support/source_dir.hpp"

namespace sm::mail {
namespace {

namespace fs = std::filesystem;

constexpr char kVerp[] = "bounces+1042.aG7kLq2ZpX@bounces.example.org";
constexpr char kOurMessageId[] = "d1042.aG7kLq2ZpX@example.org";

struct Expected {
  InboundKind kind;
  BounceSeverity severity = BounceSeverity::none;
  std::string status = "";     // of the worst recipient
  std::string recipient = "";  // Final-Recipient of the worst, or the complaint's recipient
  bool complaint = false;
  bool auto_reply = false;
};

const std::map<std::string, Expected>& expectations() {
  using K = InboundKind;
  using S = BounceSeverity;
  static const std::map<std::string, Expected> all = {
      {"mail_dsn/postfix_hard_user_unknown.eml",
       {K::delivery_status, S::hard, "5.1.1", "ann@example.com"}},
      {"mail_dsn/postfix_soft_delayed.eml",
       {K::delivery_status, S::soft, "4.4.1", "ann@example.com"}},
      {"mail_dsn/postfix_soft_expired.eml",
       {K::delivery_status, S::soft, "4.4.1", "ann@example.com"}},
      {"mail_dsn/postfix_delivered_notice.eml",
       {K::delivery_status, S::none, "2.0.0", "ann@example.com"}},
      {"mail_dsn/exim_hard_no_such_user.eml",
       {K::delivery_status, S::hard, "5.0.0", "bob@example.net"}},
      {"mail_dsn/exim_soft_delayed.eml", {K::delivery_status, S::soft, "4.0.0", "bob@example.net"}},
      {"mail_dsn/exim_two_recipients.eml",
       {K::delivery_status, S::hard, "5.2.2", "frank@example.net"}},
      {"mail_dsn/gmail_hard_no_such_account.eml",
       {K::delivery_status, S::hard, "5.1.1", "carol@gmail.example"}},
      {"mail_dsn/gmail_soft_over_quota.eml",
       {K::delivery_status, S::soft, "4.2.2", "carol@gmail.example"}},
      {"mail_dsn/microsoft_hard_recipient_not_found.eml",
       {K::delivery_status, S::hard, "5.1.10", "dan@contoso.example"}},
      {"mail_dsn/microsoft_soft_expired.eml",
       {K::delivery_status, S::soft, "4.4.7", "erin@outlook.example"}},
      {"mail_dsn/other_out_of_office_outlook.eml", {K::other, S::none, "", "", false, true}},
      {"mail_dsn/other_vacation_exim.eml", {K::other, S::none, "", "", false, true}},
      {"mail_dsn/other_human_reply.eml", {K::other, S::none, "", "", false, false}},
      {"mail_dsn/other_spam.eml", {K::other, S::none, "", "", false, false}},
      {"mail_dsn/other_read_receipt.eml", {K::other, S::none, "", "", false, false}},
      {"mail_dsn/other_plain_text_bounce.eml", {K::other, S::none, "", "", false, false}},
      {"mail_dsn/other_truncated_report.eml", {K::other, S::none, "", "", false, false}},
      {"mail_arf/microsoft_jmrp_abuse.eml",
       {K::feedback_report, S::none, "", "laura@outlook.example", true}},
      {"mail_arf/yahoo_abuse.eml",
       {K::feedback_report, S::none, "", "mallory@yahoo.example", true}},
      {"mail_arf/rfc5965_headers_only_abuse.eml",
       {K::feedback_report, S::none, "", "niaj@mailbox.example", true}},
      {"mail_arf/provider_phishing_fraud.eml",
       {K::feedback_report, S::none, "", "olivia@gmail.example", true}},
      {"mail_arf/arf_not_spam.eml", {K::feedback_report, S::none, "", "niaj@mailbox.example"}},
      {"mail_arf/arf_auth_failure.eml", {K::feedback_report, S::none, "", "peggy@mailbox.example"}},
  };
  return all;
}

fs::path corpus() { return fs::path(sm::testing::source_dir()) / "tests/fuzz/corpus"; }

std::string read(const std::string& name) {
  std::ifstream in(corpus() / name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string with_crlf(const std::string& lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

const RecipientReport* worst(const InboundMessage& m) {
  const RecipientReport* w = nullptr;
  for (const auto& r : m.recipients) {
    if (w == nullptr || r.severity > w->severity) w = &r;
  }
  return w;
}

void check(const std::string& name, const InboundMessage& m, const Expected& e) {
  SCOPED_TRACE(name);
  EXPECT_EQ(inbound_kind_name(m.kind), inbound_kind_name(e.kind));
  EXPECT_EQ(severity_name(m.severity()), severity_name(e.severity));
  EXPECT_EQ(m.is_complaint(), e.complaint);
  EXPECT_EQ(m.auto_reply, e.auto_reply);
  if (e.kind == InboundKind::delivery_status) {
    const RecipientReport* w = worst(m);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->status, e.status);
    EXPECT_EQ(w->final_recipient, e.recipient);
  }
  if (e.kind == InboundKind::feedback_report) {
    EXPECT_EQ(m.original_rcpt_to, e.recipient);
  }
}

TEST(InboundMessageTest, EveryCorpusMessageIsClassified) {
  std::size_t seen = 0;
  for (const char* dir : {"mail_dsn", "mail_arf"}) {
    for (const auto& entry : fs::directory_iterator(corpus() / dir)) {
      std::string name = std::string(dir) + "/" + entry.path().filename().string();
      auto e = expectations().find(name);
      // A message added to the corpus must say here what it is.
      ASSERT_NE(e, expectations().end()) << name << " has no expectation";
      std::string raw = read(name);
      check(name, parse_inbound(raw), e->second);
      check(name + " (CRLF)", parse_inbound(with_crlf(raw)), e->second);
      ++seen;
    }
  }
  EXPECT_EQ(seen, expectations().size());
}

TEST(InboundMessageTest, PostfixHardBounceDetails) {
  auto m = parse_inbound(read("mail_dsn/postfix_hard_user_unknown.eml"));
  ASSERT_EQ(m.recipients.size(), 1u);
  const auto& r = m.recipients.front();
  EXPECT_EQ(r.action, "failed");
  EXPECT_EQ(r.original_recipient, "ann@example.com");
  EXPECT_EQ(r.diagnostic,
            "550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown in virtual "
            "mailbox table");
  EXPECT_EQ(m.original.message_id, kOurMessageId);
  EXPECT_EQ(m.original.return_path, kVerp);
  EXPECT_EQ(m.original.list_id, "December news <list-3.example.org>");
  EXPECT_EQ(m.original.feedback_id, "7:3:campaign:smartmessages");
  // Delivered-To, X-Original-To and To all name the VERP address: it is listed once.
  ASSERT_EQ(m.envelope_recipients.size(), 1u);
  EXPECT_EQ(m.envelope_recipients.front(), kVerp);
}

TEST(InboundMessageTest, HeadersOnlyOriginalAndBase64ReportPartAreRead) {
  auto delayed = parse_inbound(read("mail_dsn/postfix_soft_delayed.eml"));
  EXPECT_EQ(delayed.original.message_id, kOurMessageId);
  EXPECT_EQ(delayed.original.return_path, kVerp);
  auto microsoft = parse_inbound(read("mail_dsn/microsoft_soft_expired.eml"));
  ASSERT_EQ(microsoft.recipients.size(), 1u);
  EXPECT_EQ(microsoft.recipients.front().diagnostic, "400 4.4.7 Message delayed");
  EXPECT_EQ(microsoft.original.return_path, kVerp);
}

TEST(InboundMessageTest, LongDiagnosticsAreCut) {
  auto gmail = parse_inbound(read("mail_dsn/gmail_hard_no_such_account.eml"));
  ASSERT_EQ(gmail.recipients.size(), 1u);
  EXPECT_TRUE(gmail.recipients.front().diagnostic.starts_with("550-5.1.1 The email account"));
  EXPECT_LE(gmail.recipients.front().diagnostic.size(), kMaxDiagnostic);
}

TEST(InboundMessageTest, TwoRecipientsAreBothRead) {
  auto m = parse_inbound(read("mail_dsn/exim_two_recipients.eml"));
  ASSERT_EQ(m.recipients.size(), 2u);
  EXPECT_EQ(m.recipients[0].final_recipient, "frank.alias@example.net");
  EXPECT_EQ(severity_name(m.recipients[0].severity), "soft");
  EXPECT_EQ(severity_name(m.recipients[1].severity), "hard");
}

TEST(InboundMessageTest, ComplaintsNameTheDeliveryThroughTheOriginalMessage) {
  auto jmrp = parse_inbound(read("mail_arf/microsoft_jmrp_abuse.eml"));
  EXPECT_EQ(jmrp.feedback_type, "abuse");
  EXPECT_EQ(jmrp.original.return_path, kVerp);
  EXPECT_EQ(jmrp.original.message_id, kOurMessageId);
  EXPECT_EQ(jmrp.original_mail_from, "");
  ASSERT_FALSE(jmrp.envelope_recipients.empty());
  EXPECT_EQ(jmrp.envelope_recipients.front(), "fbl@bounces.example.org");

  auto yahoo = parse_inbound(read("mail_arf/yahoo_abuse.eml"));
  EXPECT_EQ(yahoo.original_mail_from, kVerp);
  EXPECT_EQ(yahoo.original.return_path, "");
  EXPECT_EQ(yahoo.original.feedback_id, "7:3:campaign:smartmessages");
}

TEST(InboundMessageTest, TheGivenEnvelopeRecipientComesFirst) {
  auto m = parse_inbound(read("mail_dsn/postfix_hard_user_unknown.eml"),
                         "<other+7@bounces.example.org>");
  ASSERT_EQ(m.envelope_recipients.size(), 2u);
  EXPECT_EQ(m.envelope_recipients[0], "other+7@bounces.example.org");
  EXPECT_EQ(m.envelope_recipients[1], kVerp);
}

TEST(InboundMessageTest, NothingUsableIsOther) {
  for (const char* raw : {"", "\n\n\n", "not a message at all",
                          "Content-Type: multipart/report\n"
                          "\n--x--\n"}) {
    auto m = parse_inbound(raw);
    EXPECT_EQ(m.kind, InboundKind::other) << raw;
    EXPECT_TRUE(m.recipients.empty());
  }
  auto m = parse_inbound("", kVerp);
  ASSERT_EQ(m.envelope_recipients.size(), 1u);
  EXPECT_EQ(m.envelope_recipients.front(), kVerp);
}

// Multiparts nested `levels` deep around a DSN part.
std::string nested(int levels) {
  std::string m = "To: b@bounces.example.org\nMIME-Version: 1.0\n";
  for (int i = 0; i < levels; ++i) {
    m += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
         std::to_string(i) + "\n";
  }
  return m + "Content-Type: text/plain\n\nhello\n";
}

TEST(InboundMessageTest, DeeplyNestedMessagesAreNotParsed) {
  // GMime would recurse 200,000 times and run out of stack; it is not asked to.
  auto deep = parse_inbound(nested(200000), kVerp);
  EXPECT_EQ(deep.kind, InboundKind::other);
  ASSERT_EQ(deep.envelope_recipients.size(), 1u);
  EXPECT_EQ(deep.envelope_recipients.front(), kVerp);
  // Up to the limit they are read as usual.
  auto fine = parse_inbound(nested(900));
  EXPECT_EQ(fine.kind, InboundKind::other);
  ASSERT_EQ(fine.envelope_recipients.size(), 1u);
  EXPECT_EQ(fine.envelope_recipients.front(), "b@bounces.example.org");
}

TEST(InboundMessageTest, ActionAndStatusDecideSeverity) {
  auto dsn = [](const std::string& recipient_block) {
    return parse_inbound(
        "To: b@bounces.example.org\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
        "--b\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx\n\n" +
        recipient_block + "\n--b--\n");
  };
  EXPECT_EQ(dsn("Final-Recipient: rfc822; a@x\nAction: failed\nStatus: 5.7.1\n").severity(),
            BounceSeverity::hard);
  EXPECT_EQ(dsn("Final-Recipient: rfc822; a@x\nAction: failed\nStatus: 4.7.0\n").severity(),
            BounceSeverity::soft);
  EXPECT_EQ(dsn("Final-Recipient: rfc822; a@x\nAction: delayed\n").severity(),
            BounceSeverity::soft);
  EXPECT_EQ(dsn("Final-Recipient: rfc822; a@x\nAction: delivered\nStatus: 2.0.0\n").severity(),
            BounceSeverity::none);
  // No Status: the Diagnostic-Code's code decides.
  auto from_diag =
      dsn("Final-Recipient: rfc822; a@x\nAction: failed\nDiagnostic-Code: smtp; 550 5.1.1 no\n");
  EXPECT_EQ(from_diag.severity(), BounceSeverity::hard);
  EXPECT_EQ(from_diag.recipients.front().status, "5.1.1");
  // Failed with nothing to say whether it is permanent: soft, so nothing is suppressed on it.
  EXPECT_EQ(dsn("Final-Recipient: rfc822; a@x\nAction: failed\n").severity(), BounceSeverity::soft);
  EXPECT_EQ(dsn("Final-Recipient: rfc822; a@x\nAction: FAILED (mailbox gone)\nStatus: 5.1.1\n")
                .severity(),
            BounceSeverity::hard);
}

}  // namespace
}  // namespace sm::mail
