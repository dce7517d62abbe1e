// Bounces and complaints on both engines, for deliveries of real campaigns: the campaign is
// made with the campaign services, sent by the real sending worker over SMTP to aiosmtpd on
// loopback, and the reports are the checked-in corpus (tests/fuzz/corpus/mail_dsn, mail_arf)
// with the VERP address and Message-ID of the message that was really sent put in.
#include "services/bounces.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "integration/service/sending_fixture.hpp"
#include "integration/service/test_app.hpp"
#include "services/campaign_message.hpp"
#include "services/csv_import.hpp"
#include "services/send_worker.hpp"
#include "services/sending.hpp"
#include "services/suppression.hpp"
#include "support/smtp_capture.hpp"
#include "support/source_dir.hpp"

namespace sm::testing {
namespace {

using namespace std::chrono_literals;
using services::InboundOutcome;

// What the corpus messages say in place of the real values.
constexpr char kCorpusVerp[] = "bounces+1042.aG7kLq2ZpX@bounces.example.org";
constexpr char kCorpusMessageId[] = "d1042.aG7kLq2ZpX@example.org";

std::string corpus_message(const std::string& name) {
  std::ifstream in(std::filesystem::path(source_dir()) / "tests/fuzz/corpus" / name,
                   std::ios::binary);
  if (!in) throw std::runtime_error("no corpus message " + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// One message the worker sent: its envelope sender (VERP) and Message-ID.
struct Sent {
  std::string verp;
  std::string message_id;  // without angle brackets
  std::int64_t delivery_id = 0;
};

std::string header_value(const std::string& raw, const std::string& name) {
  auto at = raw.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return raw.substr(at, raw.find("\r\n", at) - at);
}

class BouncesTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  TestApp t{GetParam()};
  services::App& app = t.app();
  std::int64_t account = t.create_account();
  std::int64_t domain = verified_domain(app, account);
  std::int64_t news = make_list(app, account, "News");
  std::int64_t offers = make_list(app, account, "Offers");
  SmtpCapture capture;
  std::int64_t last_campaign = 0;  // the campaign send_campaign() sent last

  BouncesTest() { use_relay(app, capture.url(), t.clock()); }

  // Sends a campaign to `list` with the real worker; recipient address → what was sent.
  std::map<std::string, Sent> send_campaign(std::int64_t list) {
    std::size_t before = capture.messages().size();
    std::int64_t id = make_campaign(app, account, {list});
    require(services::start_campaign(app, account, id), "start");
    last_campaign = id;
    services::SendWorkerSettings s;
    s.heartbeat_every = 20ms;
    s.idle_wait = 20ms;
    services::SendWorker worker(app, s);
    require(worker.run(true), "send");
    std::map<std::string, Sent> out;
    auto messages = capture.messages();
    for (std::size_t i = before; i < messages.size(); ++i) {
      const auto& m = messages[i];
      std::string message_id = header_value(m.raw, "Message-ID");
      Sent sent{m.mail_from, message_id.substr(1, message_id.size() - 2), 0};
      sent.delivery_id = services::delivery_from_verp(app, m.mail_from).value_or(0);
      out[m.rcpt_tos.at(0)] = sent;
    }
    return out;
  }

  // A corpus message about `sent`; `recipient` for the address the report names.
  static std::string report(const std::string& name, const Sent& sent,
                            const std::string& recipient = "") {
    std::string text = corpus_message(name);
    replace_all(text, kCorpusVerp, sent.verp);
    replace_all(text, kCorpusMessageId, sent.message_id);
    if (!recipient.empty()) replace_all(text, "ann@example.com", recipient);
    return text;
  }

  services::InboundResult handle(const std::string& raw, const std::string& envelope = "") {
    return required(services::handle_inbound(app, raw, envelope), "handle");
  }

  bool suppressed(const std::string& email, std::int64_t in_account = 0) {
    auto lease = app.db->acquire();
    auto r = services::check_suppressed(app, **lease, in_account ? in_account : account,
                                        *parse_email_address(email));
    return r.ok() && *r;
  }

  std::string delivery_status(std::int64_t delivery_id) {
    auto lease = app.db->acquire();
    auto rows = (*lease)->run("SELECT status FROM deliveries WHERE id = $1", {delivery_id});
    return rows->empty() ? "" : rows->front().text(0);
  }

  // list id → subscription status of `subscriber`.
  std::map<std::int64_t, std::string> statuses(std::int64_t subscriber) {
    auto rec = required(services::find_subscriber(app, account, subscriber), "subscriber");
    std::map<std::int64_t, std::string> out;
    for (const auto& s : rec.subscriptions) {
      out[s.subscription.list_id] = std::string(services::status_name(s.subscription.status));
    }
    return out;
  }

  services::SubscriberBounces bounces_of(std::int64_t subscriber) {
    return required(services::subscriber_bounces(app, account, subscriber), "bounces");
  }

  std::int64_t suppression_entries() {
    return required(services::suppression_summary(app, account), "summary").entries;
  }
};

TEST_P(BouncesTest, EveryCorpusMessageHasItsOutcome) {
  const std::map<std::string, InboundOutcome> expected = {
      {"mail_dsn/postfix_hard_user_unknown.eml", InboundOutcome::hard_bounce},
      {"mail_dsn/postfix_soft_delayed.eml", InboundOutcome::soft_bounce},
      {"mail_dsn/postfix_soft_expired.eml", InboundOutcome::soft_bounce},
      {"mail_dsn/postfix_delivered_notice.eml", InboundOutcome::no_effect},
      {"mail_dsn/exim_hard_no_such_user.eml", InboundOutcome::hard_bounce},
      {"mail_dsn/exim_soft_delayed.eml", InboundOutcome::soft_bounce},
      {"mail_dsn/exim_two_recipients.eml", InboundOutcome::hard_bounce},
      {"mail_dsn/gmail_hard_no_such_account.eml", InboundOutcome::hard_bounce},
      {"mail_dsn/gmail_soft_over_quota.eml", InboundOutcome::soft_bounce},
      {"mail_dsn/microsoft_hard_recipient_not_found.eml", InboundOutcome::hard_bounce},
      {"mail_dsn/microsoft_soft_expired.eml", InboundOutcome::soft_bounce},
      {"mail_dsn/other_out_of_office_outlook.eml", InboundOutcome::auto_reply},
      {"mail_dsn/other_vacation_exim.eml", InboundOutcome::auto_reply},
      {"mail_dsn/other_human_reply.eml", InboundOutcome::not_a_report},
      {"mail_dsn/other_spam.eml", InboundOutcome::not_a_report},
      {"mail_dsn/other_read_receipt.eml", InboundOutcome::not_a_report},
      {"mail_dsn/other_plain_text_bounce.eml", InboundOutcome::not_a_report},
      {"mail_dsn/other_truncated_report.eml", InboundOutcome::not_a_report},
      {"mail_arf/microsoft_jmrp_abuse.eml", InboundOutcome::complaint},
      {"mail_arf/yahoo_abuse.eml", InboundOutcome::complaint},
      {"mail_arf/rfc5965_headers_only_abuse.eml", InboundOutcome::complaint},
      {"mail_arf/provider_phishing_fraud.eml", InboundOutcome::complaint},
      {"mail_arf/arf_not_spam.eml", InboundOutcome::no_effect},
      {"mail_arf/arf_auth_failure.eml", InboundOutcome::unmatched},  // names a spoofer's mail
  };
  // One recipient per message, so that no report sees another's effects.
  int n = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    add_confirmed(app, account, news, "person" + std::to_string(i) + "@example.net");
  }
  auto sent = send_campaign(news);
  ASSERT_EQ(sent.size(), expected.size());
  for (const auto& [name, outcome] : expected) {
    const Sent& s = sent.at("person" + std::to_string(n++) + "@example.net");
    ASSERT_NE(s.delivery_id, 0) << "the worker's VERP address names the delivery";
    auto r = handle(report(name, s));
    EXPECT_EQ(services::inbound_outcome_name(r.outcome), services::inbound_outcome_name(outcome))
        << name;
    bool names_delivery = outcome != InboundOutcome::unmatched &&
                          outcome != InboundOutcome::auto_reply &&
                          outcome != InboundOutcome::not_a_report;
    EXPECT_EQ(r.delivery_id, names_delivery ? s.delivery_id : 0) << name;
  }
  auto tallies = required(services::inbound_tallies(app, app.now()), "tallies");
  std::map<std::string, std::int64_t> counted;
  for (const auto& tally : tallies) counted[tally.outcome] = tally.count;
  EXPECT_EQ(counted["hard_bounce"], 5);
  EXPECT_EQ(counted["soft_bounce"], 5);
  EXPECT_EQ(counted["complaint"], 4);
  EXPECT_EQ(counted["auto_reply"], 2);
  EXPECT_EQ(counted["not_a_report"], 5);
}

TEST_P(BouncesTest, HardBounceMarksTheDeliveryAndSubscriptionsAndSuppresses) {
  auto ann = add_confirmed(app, account, news, "ann@example.com");
  add_confirmed(app, account, offers, "ann@example.com");
  auto bob = add_confirmed(app, account, news, "bob@example.com");
  auto sent = send_campaign(news);
  const Sent& to_ann = sent.at("ann@example.com");
  ASSERT_EQ(delivery_status(to_ann.delivery_id), "sent");

  auto r = handle(report("mail_dsn/postfix_hard_user_unknown.eml", to_ann), to_ann.verp);
  EXPECT_EQ(r.outcome, InboundOutcome::hard_bounce);
  EXPECT_EQ(r.delivery_id, to_ann.delivery_id);
  EXPECT_EQ(delivery_status(to_ann.delivery_id), "bounced");
  EXPECT_EQ(delivery_status(sent.at("bob@example.com").delivery_id), "sent");
  EXPECT_TRUE(suppressed("ann@example.com"));
  EXPECT_FALSE(suppressed("bob@example.com"));

  auto b = bounces_of(ann.subscriber_id);
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].kind, services::BounceKind::hard);
  EXPECT_EQ(b.events[0].status_code, "5.1.1");
  EXPECT_EQ(b.events[0].campaign_name, "December news");
  EXPECT_NE(b.events[0].diagnostic.find("User unknown"), std::string::npos);
  ASSERT_TRUE(b.bounced_at.has_value());
  EXPECT_EQ(*b.bounced_at, app.now());
  EXPECT_TRUE(bounces_of(bob.subscriber_id).events.empty());
  EXPECT_FALSE(bounces_of(bob.subscriber_id).bounced_at.has_value());

  // The suppression holds against an import and against the account holder adding it back.
  std::int64_t more = make_list(app, account, "More");
  std::istringstream csv("email\nann@example.com\ncarol@example.com\n");
  auto imported = required(
      services::import_csv(app, {account, more, "Shop sheet", "consent", false}, csv), "import");
  EXPECT_EQ(imported.imported, 1);
  EXPECT_EQ(imported.refused["suppressed"], 1);

  // The same report again changes nothing more.
  t.clock().advance(kHour);
  auto again = handle(report("mail_dsn/postfix_hard_user_unknown.eml", to_ann));
  EXPECT_EQ(again.outcome, InboundOutcome::hard_bounce);
  EXPECT_EQ(bounces_of(ann.subscriber_id).events.size(), 1u);
  EXPECT_EQ(b.events[0].campaign_id, last_campaign);
  auto counts = required(services::campaign_bounce_counts(app, account, last_campaign), "counts");
  EXPECT_EQ(counts.hard, 1);
  EXPECT_EQ(counts.soft, 0);
  EXPECT_EQ(counts.complaints, 0);
}

TEST_P(BouncesTest, ThreeSoftBouncesWithinThirtyDaysCountAsHard) {
  auto ann = add_confirmed(app, account, news, "ann@example.com");
  std::vector<Sent> sent;
  for (int i = 0; i < 3; ++i) sent.push_back(send_campaign(news).at("ann@example.com"));

  auto first = handle(report("mail_dsn/postfix_soft_delayed.eml", sent[0]));
  EXPECT_EQ(first.outcome, InboundOutcome::soft_bounce);
  EXPECT_FALSE(first.counted_as_hard);
  // A second delay notice for the same message is not a second soft bounce.
  t.clock().advance(4 * kHour);
  EXPECT_FALSE(handle(report("mail_dsn/postfix_soft_expired.eml", sent[0])).counted_as_hard);
  t.clock().advance(10 * kDay);
  EXPECT_FALSE(handle(report("mail_dsn/gmail_soft_over_quota.eml", sent[1])).counted_as_hard);
  EXPECT_FALSE(suppressed("ann@example.com"));
  EXPECT_EQ(delivery_status(sent[1].delivery_id), "sent");

  t.clock().advance(19 * kDay);  // the first is now 29 days and 4 hours old
  auto third = handle(report("mail_dsn/exim_soft_delayed.eml", sent[2]));
  EXPECT_EQ(third.outcome, InboundOutcome::soft_bounce);
  EXPECT_TRUE(third.counted_as_hard);
  EXPECT_TRUE(suppressed("ann@example.com"));
  EXPECT_EQ(delivery_status(sent[2].delivery_id), "bounced");
  EXPECT_EQ(delivery_status(sent[0].delivery_id), "sent");
  auto b = bounces_of(ann.subscriber_id);
  ASSERT_EQ(b.events.size(), 4u);
  EXPECT_TRUE(b.events[0].counted_as_hard);
  EXPECT_TRUE(b.bounced_at.has_value());
}

TEST_P(BouncesTest, SoftBouncesOutsideTheWindowDoNotAddUp) {
  auto ann = add_confirmed(app, account, news, "ann@example.com");
  std::vector<Sent> sent;
  for (int i = 0; i < 3; ++i) sent.push_back(send_campaign(news).at("ann@example.com"));

  handle(report("mail_dsn/postfix_soft_delayed.eml", sent[0]));
  handle(report("mail_dsn/postfix_soft_delayed.eml", sent[1]));
  t.clock().advance(31 * kDay);
  auto third = handle(report("mail_dsn/postfix_soft_delayed.eml", sent[2]));
  EXPECT_EQ(third.outcome, InboundOutcome::soft_bounce);
  EXPECT_FALSE(third.counted_as_hard);
  EXPECT_FALSE(suppressed("ann@example.com"));
  EXPECT_EQ(delivery_status(sent[2].delivery_id), "sent");
  EXPECT_FALSE(bounces_of(ann.subscriber_id).bounced_at.has_value());
  EXPECT_EQ(statuses(ann.subscriber_id)[news], "confirmed");
}

TEST_P(BouncesTest, TheSoftLimitIsASetting) {
  app.config.bounce_soft_limit = 1;
  add_confirmed(app, account, news, "ann@example.com");
  auto sent = send_campaign(news).at("ann@example.com");
  EXPECT_TRUE(handle(report("mail_dsn/postfix_soft_delayed.eml", sent)).counted_as_hard);
  EXPECT_TRUE(suppressed("ann@example.com"));
}

TEST_P(BouncesTest, ComplaintUnsubscribesFromEveryListOfTheAccountAndSuppresses) {
  auto ann = add_confirmed(app, account, news, "laura@outlook.example");
  add_confirmed(app, account, offers, "laura@outlook.example");
  std::int64_t other = t.create_account("Other Ltd", "other@example.org");
  std::int64_t other_list = make_list(app, other, "Elsewhere");
  auto elsewhere = add_confirmed(app, other, other_list, "laura@outlook.example");
  auto sent = send_campaign(news).at("laura@outlook.example");

  // Microsoft's reports go to the feedback address; the VERP address is in the original.
  auto r = handle(report("mail_arf/microsoft_jmrp_abuse.eml", sent), "fbl@bounces.example.org");
  EXPECT_EQ(r.outcome, InboundOutcome::complaint);
  EXPECT_EQ(r.delivery_id, sent.delivery_id);
  auto now = statuses(ann.subscriber_id);
  EXPECT_EQ(now[news], "unsubscribed");
  EXPECT_EQ(now[offers], "unsubscribed");
  EXPECT_TRUE(suppressed("laura@outlook.example"));
  EXPECT_FALSE(suppressed("laura@outlook.example", other));
  EXPECT_EQ(delivery_status(sent.delivery_id), "sent");

  // Each consent record says why it ended.
  auto rec = required(services::find_subscriber(app, account, ann.subscriber_id), "record");
  for (const auto& s : rec.subscriptions) {
    ASSERT_FALSE(s.events.empty());
    const auto& last = s.events.back();
    EXPECT_EQ(last.kind, services::ConsentKind::unsubscribe);
    EXPECT_NE(last.source.find("Complaint"), std::string::npos);
  }
  auto in_other = required(services::find_subscriber(app, other, elsewhere.subscriber_id), "o");
  EXPECT_EQ(in_other.subscriptions.at(0).subscription.status,
            services::SubscriptionStatus::confirmed);

  auto b = bounces_of(ann.subscriber_id);
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].kind, services::BounceKind::complaint);
  // A second copy of the report changes nothing more.
  EXPECT_EQ(handle(report("mail_arf/microsoft_jmrp_abuse.eml", sent)).outcome,
            InboundOutcome::complaint);
  EXPECT_EQ(bounces_of(ann.subscriber_id).events.size(), 1u);
  auto counts = required(services::campaign_bounce_counts(app, account, last_campaign), "counts");
  EXPECT_EQ(counts.complaints, 1);
}

TEST_P(BouncesTest, AComplaintQuotingOnlyOurMessageIdIsFound) {
  auto niaj = add_confirmed(app, account, news, "niaj@mailbox.example");
  auto sent = send_campaign(news).at("niaj@mailbox.example");
  std::string text = report("mail_arf/rfc5965_headers_only_abuse.eml", sent);
  // No VERP address anywhere: only the Message-ID of what was sent names the delivery.
  replace_all(text, "Original-Mail-From: <" + sent.verp + ">\n", "");
  replace_all(text, "smtp.mail=" + sent.verp, "smtp.mail=elsewhere@example.org");
  ASSERT_EQ(text.find(sent.verp), std::string::npos);
  auto r = handle(text, "fbl@bounces.example.org");
  EXPECT_EQ(r.outcome, InboundOutcome::complaint);
  EXPECT_EQ(r.delivery_id, sent.delivery_id);
  EXPECT_EQ(statuses(niaj.subscriber_id)[news], "unsubscribed");

  // A Message-ID whose MAC is wrong names nothing.
  auto bob = add_confirmed(app, account, news, "bob@mailbox.example");
  auto to_bob = send_campaign(news).at("bob@mailbox.example");
  std::string forged = report("mail_arf/rfc5965_headers_only_abuse.eml", to_bob);
  replace_all(forged, "Original-Mail-From: <" + to_bob.verp + ">\n", "");
  replace_all(forged, "smtp.mail=" + to_bob.verp, "smtp.mail=elsewhere@example.org");
  std::string bad_id = to_bob.message_id;
  bad_id[bad_id.find('@') - 1] = bad_id[bad_id.find('@') - 1] == '0' ? '1' : '0';
  replace_all(forged, to_bob.message_id, bad_id);
  EXPECT_EQ(handle(forged).outcome, InboundOutcome::unmatched);
  EXPECT_EQ(statuses(bob.subscriber_id)[news], "confirmed");
}

TEST_P(BouncesTest, JunkIsCountedAndChangesNothing) {
  auto ann = add_confirmed(app, account, news, "ann@example.com");
  auto sent = send_campaign(news).at("ann@example.com");
  for (const char* name :
       {"mail_dsn/other_spam.eml", "mail_dsn/other_out_of_office_outlook.eml",
        "mail_dsn/other_human_reply.eml", "mail_dsn/other_plain_text_bounce.eml"}) {
    auto r = handle(report(name, sent), sent.verp);
    EXPECT_TRUE(r.outcome == InboundOutcome::not_a_report ||
                r.outcome == InboundOutcome::auto_reply)
        << name;
  }
  EXPECT_EQ(handle("").outcome, InboundOutcome::not_a_report);
  EXPECT_EQ(delivery_status(sent.delivery_id), "sent");
  EXPECT_EQ(statuses(ann.subscriber_id)[news], "confirmed");
  EXPECT_EQ(suppression_entries(), 0);
  EXPECT_TRUE(bounces_of(ann.subscriber_id).events.empty());
  std::int64_t counted = 0;
  for (const auto& tally : required(services::inbound_tallies(app, app.now()), "tallies")) {
    counted += tally.count;
  }
  EXPECT_EQ(counted, 5);
}

TEST_P(BouncesTest, AForgedVerpAddressChangesNothing) {
  auto ann = add_confirmed(app, account, news, "ann@example.com");
  auto bob = add_confirmed(app, account, news, "bob@example.com");
  auto sent = send_campaign(news);
  Sent forged = sent.at("ann@example.com");
  // The right delivery id with a MAC changed in one digit, and another delivery's MAC.
  char& last = forged.verp[forged.verp.find('@') - 1];
  last = last == 'a' ? 'b' : 'a';
  forged.message_id = "unknown@example.org";
  Sent borrowed = sent.at("ann@example.com");
  std::string bob_verp = sent.at("bob@example.com").verp;
  borrowed.verp = "b-" + std::to_string(sent.at("ann@example.com").delivery_id) +
                  bob_verp.substr(bob_verp.rfind('-'));
  borrowed.message_id = "unknown@example.org";

  for (const Sent& s : {forged, borrowed}) {
    auto r = handle(report("mail_dsn/postfix_hard_user_unknown.eml", s), s.verp);
    EXPECT_EQ(r.outcome, InboundOutcome::unmatched) << s.verp;
    EXPECT_EQ(r.delivery_id, 0);
    EXPECT_EQ(handle(report("mail_arf/yahoo_abuse.eml", s)).outcome, InboundOutcome::unmatched);
  }
  EXPECT_EQ(delivery_status(sent.at("ann@example.com").delivery_id), "sent");
  EXPECT_EQ(statuses(ann.subscriber_id)[news], "confirmed");
  EXPECT_EQ(statuses(bob.subscriber_id)[news], "confirmed");
  EXPECT_EQ(suppression_entries(), 0);
  EXPECT_TRUE(bounces_of(ann.subscriber_id).events.empty());
}

TEST_P(BouncesTest, MailToTheUnsubscribeAddressUnsubscribes) {
  auto ann = add_confirmed(app, account, news, "ann@example.com");
  auto ann_offers = add_confirmed(app, account, offers, "ann@example.com");
  auto request_to = [](const std::string& mailbox) {
    return "From: ann@example.com\nTo: " + mailbox +
           "\nSubject: unsubscribe\nMessage-ID: <req.1@example.com>\n\n";
  };
  std::string mailbox = services::unsubscribe_mailbox(app, ann.subscription_id);
  auto r = handle(request_to(mailbox), mailbox);
  EXPECT_EQ(r.outcome, InboundOutcome::unsubscribe_request);
  auto now = statuses(ann.subscriber_id);
  EXPECT_EQ(now[news], "unsubscribed");
  EXPECT_EQ(now[offers], "confirmed") << "only the list whose header it was";
  EXPECT_TRUE(suppressed("ann@example.com"));

  // Someone guessing at the address of the other subscription names nothing.
  std::string guessed =
      "u-" + std::to_string(ann_offers.subscription_id) + "-0123456789abcdef@x.org";
  EXPECT_EQ(handle(request_to(guessed), guessed).outcome, InboundOutcome::not_a_report);
  EXPECT_EQ(statuses(ann.subscriber_id)[offers], "confirmed");
}

TEST_P(BouncesTest, CampaignCountsTellHardSoftAndComplaintsApart) {
  for (const char* a : {"a@example.net", "b@example.net", "c@example.net", "d@example.net"}) {
    add_confirmed(app, account, news, a);
  }
  auto sent = send_campaign(news);
  handle(report("mail_dsn/postfix_hard_user_unknown.eml", sent.at("a@example.net")));
  // Delayed, then returned: counted once, as hard.
  handle(report("mail_dsn/postfix_soft_delayed.eml", sent.at("b@example.net")));
  handle(report("mail_dsn/exim_hard_no_such_user.eml", sent.at("b@example.net")));
  handle(report("mail_dsn/gmail_soft_over_quota.eml", sent.at("c@example.net")));
  handle(report("mail_arf/yahoo_abuse.eml", sent.at("d@example.net")));
  auto campaign = required(services::campaign_bounce_counts(app, account, last_campaign), "counts");
  EXPECT_EQ(campaign.hard, 2);
  EXPECT_EQ(campaign.soft, 1);
  EXPECT_EQ(campaign.complaints, 1);
  // Another account sees nothing of it.
  std::int64_t other = t.create_account("Other Ltd", "other@example.org");
  auto none = required(services::campaign_bounce_counts(app, other, last_campaign), "none");
  EXPECT_EQ(none.hard + none.soft + none.complaints, 0);
}

SM_INSTANTIATE_FOR_ENGINES(BouncesTest);

}  // namespace
}  // namespace sm::testing
