// Double opt-in, the consent record, receipts, unsubscribing and the maintenance of pending
// subscriptions, through the services on both engines.
#include <gmock/gmock.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "core/crypto.hpp"
#include "core/email_address.hpp"
#include "services/csv_export.hpp"
#include "services/csv_reader.hpp"
#include "services/lists.hpp"
#include "services/maintenance.hpp"
#include "services/subscriptions.hpp"
#include "services/suppression.hpp"
#include "test_app.hpp"

namespace sm::testing {
namespace {

using services::ConsentKind;
using services::SubscriptionStatus;
using ::testing::HasSubstr;

class SubscribeTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  SubscribeTest() : t_(GetParam()) {
    account_ = t_.create_account();
    list_ = make_list("Garden news");
  }

  services::MailingList make_list(const std::string& name, std::int64_t account = 0) {
    services::ListForm f{name, "Monthly tips for your garden.", "", ""};
    auto made = services::create_list(app(), account ? account : account_, f);
    if (!made.ok()) throw std::runtime_error("list: " + made.error().message);
    return *made;
  }

  services::App& app() { return t_.app(); }

  services::Evidence signup_evidence() {
    return {"192.0.2.10", "TestBrowser/1.0", "https://example.org/news",
            "http://127.0.0.1:8080/s/" + list_.public_id};
  }

  Status sign_up(const std::string& email, const services::MailingList* list = nullptr) {
    services::FormSignup s;
    s.email = email;
    return services::subscribe_by_form(app(), list ? *list : list_, s, signup_evidence());
  }

  // The text of the newest message in the outbox, quoted-printable soft breaks removed.
  std::string last_message() {
    auto files = t_.outbox();
    if (files.empty()) throw std::runtime_error("the outbox is empty");
    std::ifstream in(files.back(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = std::regex_replace(s.str(), std::regex("=\r?\n"), "");
    return std::regex_replace(text, std::regex("=3D"), "=");
  }

  std::string confirm_token() {
    std::smatch m;
    std::string text = last_message();
    if (!std::regex_search(text, m, std::regex("/confirm/([A-Za-z0-9_-]+)"))) {
      throw std::runtime_error("no confirmation link in:\n" + text);
    }
    return m[1];
  }

  // Signs up and confirms `email`; returns the confirmed subscription.
  services::SubscriptionView subscribe_confirmed(const std::string& email) {
    if (auto s = sign_up(email); !s.ok()) throw std::runtime_error(s.error().message);
    auto v = services::confirm_subscription(app(), confirm_token(), confirm_evidence());
    if (!v.ok()) throw std::runtime_error("confirm: " + v.error().message);
    return *v;
  }

  services::Evidence confirm_evidence() {
    return {"198.51.100.7", "ConfirmBrowser/2.0", "https://mail.example.net/", ""};
  }

  std::int64_t subscriber_of(std::int64_t subscription_id) {
    auto page = services::list_members(app(), account_, list_.id, std::nullopt, 100, 0);
    for (const auto& m : page->members) {
      if (m.subscription.id == subscription_id) return m.subscriber_id;
    }
    return 0;
  }

  bool suppressed(const std::string& email) {
    auto a = parse_email_address(email);
    auto lease = app().db->acquire();
    auto r = services::check_suppressed(app(), **lease, account_, *a);
    return r.ok() && *r;
  }

  TestApp t_;
  std::int64_t account_ = 0;
  services::MailingList list_;
};

TEST_P(SubscribeTest, TheExportCarriesAReceiptThatStillVerifies) {
  subscribe_confirmed("reader@example.net");
  std::stringstream csv;
  ASSERT_TRUE(services::export_subscribers(app(), account_, list_.id, csv).ok());

  // Read the export back the way another provider's importer would.
  services::CsvReader reader(csv);
  services::CsvReader::Record header, row;
  ASSERT_TRUE(*reader.next(header));
  ASSERT_TRUE(*reader.next(row));
  auto column = std::find(header.begin(), header.end(), "consent_receipt");
  ASSERT_NE(column, header.end());
  const std::string receipt = row.at(column - header.begin());

  auto facts = services::verify_receipt(receipt, app().keys->signing_public_key_bytes());
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ((*facts)["list_id"], list_.id);
  std::string tampered = receipt;
  ASSERT_NE(tampered.find("list_id"), std::string::npos);
  tampered[tampered.find("list_id") + 1] ^= 1;  // "list_id" becomes "lhst_id"
  EXPECT_FALSE(services::verify_receipt(tampered, app().keys->signing_public_key_bytes()).ok());
}

TEST_P(SubscribeTest, FormSignUpIsPendingAndSendsTheConfirmationEmail) {
  ASSERT_TRUE(sign_up("Reader@Example.net").ok());
  auto page = services::list_members(app(), account_, list_.id, std::nullopt, 10, 0);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->members.size(), 1u);
  EXPECT_EQ(page->members[0].subscription.status, SubscriptionStatus::pending);
  ASSERT_EQ(t_.outbox().size(), 1u);
  std::string mail = last_message();
  EXPECT_THAT(mail, HasSubstr("/confirm/"));
  EXPECT_THAT(mail, HasSubstr("1 High Street, Leeds LS1 1AA"));
}

TEST_P(SubscribeTest, AGetOfTheConfirmationLinkChangesNothing) {
  ASSERT_TRUE(sign_up("reader@example.net").ok());
  std::string token = confirm_token();
  for (int i = 0; i < 3; ++i) {
    auto v = services::check_confirmation(app(), token);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(v->subscription.status, SubscriptionStatus::pending);
    EXPECT_EQ(v->list.name, "Garden news");
  }
  auto page = services::list_members(app(), account_, list_.id, SubscriptionStatus::pending, 10, 0);
  EXPECT_EQ(page->total, 1);
}

TEST_P(SubscribeTest, ConsentRecordIsCompleteAfterConfirmation) {
  auto v = subscribe_confirmed("reader@example.net");
  EXPECT_EQ(v.subscription.status, SubscriptionStatus::confirmed);
  auto rec = services::find_subscriber(app(), account_, v.subscription.subscriber_id);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_EQ(rec->subscriptions.size(), 1u);
  const auto& events = rec->subscriptions[0].events;
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, ConsentKind::signup);
  EXPECT_EQ(events[0].evidence.ip_address, "192.0.2.10");
  EXPECT_EQ(events[0].evidence.user_agent, "TestBrowser/1.0");
  EXPECT_EQ(events[0].evidence.referrer, "https://example.org/news");
  EXPECT_THAT(events[0].evidence.form_url, HasSubstr("/s/" + list_.public_id));
  EXPECT_THAT(events[0].form_wording, HasSubstr("Monthly tips for your garden."));
  EXPECT_EQ(events[0].form_digest, crypto::sha256_hex(events[0].form_wording));
  EXPECT_EQ(events[1].kind, ConsentKind::confirmation_email);
  EXPECT_THAT(events[1].message, HasSubstr("Subject: "));
  EXPECT_THAT(events[1].message, HasSubstr("/confirm/"));
  EXPECT_EQ(events[2].kind, ConsentKind::confirmation);
  // The web layer passes the evidence whatever DNT says; the record keeps all of it.
  EXPECT_EQ(events[2].evidence.ip_address, "198.51.100.7");
  EXPECT_EQ(events[2].evidence.user_agent, "ConfirmBrowser/2.0");
  EXPECT_EQ(events[2].evidence.referrer, "https://mail.example.net/");
  EXPECT_EQ(events[2].occurred_at, kTestStart);
  ASSERT_EQ(rec->subscriptions[0].receipts.size(), 1u);
}

TEST_P(SubscribeTest, AReceiptVerifiesAndOneChangedByteDoesNot) {
  auto v = subscribe_confirmed("reader@example.net");
  auto rec = services::find_subscriber(app(), account_, v.subscription.subscriber_id);
  const auto& receipt = rec->subscriptions[0].receipts.at(0);
  std::string file = receipt.file_text();
  auto key = app().keys->signing_public_key_bytes();
  auto facts = services::verify_receipt(file, key);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ((*facts)["address_sha256"], crypto::sha256_hex("reader@example.net"));
  EXPECT_EQ((*facts)["list_public_id"], list_.public_id);
  EXPECT_EQ((*facts)["subscription_id"], v.subscription.id);

  std::string changed = file;
  auto at = changed.find("\\\"list_id\\\":") + 12;
  changed[at] = changed[at] == '9' ? '8' : '9';
  EXPECT_FALSE(services::verify_receipt(changed, key).ok());
  auto other = crypto::signing_keypair_from_seed(std::string(32, 'k'));
  EXPECT_FALSE(services::verify_receipt(file, other.public_key).ok());
}

TEST_P(SubscribeTest, TheSameReplyForKnownAndUnknownAddresses) {
  subscribe_confirmed("reader@example.net");
  std::size_t sent = t_.outbox().size();
  EXPECT_TRUE(sign_up("READER@example.net").ok());
  EXPECT_TRUE(sign_up("stranger@example.net").ok());
  EXPECT_EQ(t_.outbox().size(), sent + 1);  // only the stranger gets a confirmation email
}

TEST_P(SubscribeTest, AFilledHoneypotStoresNothing) {
  services::FormSignup s;
  s.email = "bot@example.net";
  s.honeypot_filled = true;
  EXPECT_TRUE(services::subscribe_by_form(app(), list_, s, signup_evidence()).ok());
  EXPECT_TRUE(t_.outbox().empty());
  EXPECT_EQ(services::list_members(app(), account_, list_.id, std::nullopt, 10, 0)->total, 0);
}

TEST_P(SubscribeTest, AnInvalidAddressIsRefusedWithAReason) {
  auto s = sign_up("not an address");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().field, "email");
  EXPECT_FALSE(s.error().message.empty());
}

TEST_P(SubscribeTest, AtMostThreeConfirmationEmailsPerAddressPerDay) {
  std::int64_t other = t_.create_account("Other Ltd", "other@example.org");
  std::vector<services::MailingList> lists = {list_, make_list("B"), make_list("C"),
                                              make_list("D", other)};
  for (const auto& l : lists) EXPECT_TRUE(sign_up("reader@example.net", &l).ok());
  EXPECT_EQ(t_.outbox().size(), 3u);
  t_.clock().advance(kDay + kMinute);
  auto outcomes = services::run_maintenance(app());
  EXPECT_TRUE(sign_up("reader@example.net", &lists[3]).ok());
  EXPECT_EQ(t_.outbox().size(), 4u);
}

TEST_P(SubscribeTest, PendingSubscriptionsExpireAfterSevenDays) {
  ASSERT_TRUE(sign_up("reader@example.net").ok());
  std::string token = confirm_token();
  t_.clock().advance(6 * kDay);
  services::run_maintenance(app());
  EXPECT_EQ(services::list_members(app(), account_, list_.id, std::nullopt, 10, 0)->total, 1);
  t_.clock().advance(kDay + kMinute);
  auto removed = services::expire_pending_subscriptions(app());
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(services::list_members(app(), account_, list_.id, std::nullopt, 10, 0)->total, 0);
  EXPECT_FALSE(services::check_confirmation(app(), token).ok());
  auto lease = app().db->acquire();
  auto left = (*lease)->run("SELECT COUNT(*) FROM subscribers WHERE account_id = $1", {account_});
  EXPECT_EQ(left->front().integer(0), 0);
}

TEST_P(SubscribeTest, UnsubscribingSuppressesAndAGetChangesNothing) {
  auto v = subscribe_confirmed("reader@example.net");
  std::string token = services::unsubscribe_token(app(), v.subscription);
  auto seen = services::check_unsubscribe_token(app(), token);
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->subscription.status, SubscriptionStatus::confirmed);
  EXPECT_FALSE(suppressed("reader@example.net"));

  auto done = services::unsubscribe(app(), token, confirm_evidence());
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->subscription.status, SubscriptionStatus::unsubscribed);
  EXPECT_TRUE(suppressed("reader@example.net"));
  EXPECT_TRUE(services::unsubscribe(app(), token, confirm_evidence()).ok());  // again: fine
  EXPECT_FALSE(services::check_unsubscribe_token(app(), token + "x").ok());
}

TEST_P(SubscribeTest, ASuppressedAddressIsRefusedToTheAccountHolder) {
  auto v = subscribe_confirmed("reader@example.net");
  ASSERT_TRUE(services::unsubscribe(app(), services::unsubscribe_token(app(), v.subscription),
                                    confirm_evidence())
                  .ok());
  services::NewSubscriber p{"reader@example.net", {}, true, "Paper form", "consent"};
  auto added = services::add_subscriber(app(), account_, list_.id, p, {});
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, Errc::conflict);
  EXPECT_THAT(added.error().message, HasSubstr("Only the person"));
  p.confirmed = false;
  EXPECT_EQ(services::add_subscriber(app(), account_, list_.id, p, {}).error().code,
            Errc::conflict);
  auto summary = services::suppression_summary(app(), account_);
  EXPECT_EQ(summary->refused_attempts, 2);
}

TEST_P(SubscribeTest, TheOwnerLiftsASuppressionBySubscribingAgain) {
  auto v = subscribe_confirmed("reader@example.net");
  ASSERT_TRUE(services::unsubscribe(app(), services::unsubscribe_token(app(), v.subscription),
                                    confirm_evidence())
                  .ok());
  ASSERT_TRUE(sign_up("reader@example.net").ok());
  EXPECT_TRUE(suppressed("reader@example.net"));  // lifted only at confirmation
  auto again = services::confirm_subscription(app(), confirm_token(), confirm_evidence());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->subscription.status, SubscriptionStatus::confirmed);
  EXPECT_FALSE(suppressed("reader@example.net"));
}

TEST_P(SubscribeTest, PreferencesLeaveSomeLists) {
  auto second = make_list("Events");
  auto v = subscribe_confirmed("reader@example.net");
  ASSERT_TRUE(sign_up("reader@example.net", &second).ok());
  ASSERT_TRUE(services::confirm_subscription(app(), confirm_token(), confirm_evidence()).ok());
  std::string token = services::unsubscribe_token(app(), v.subscription);
  auto prefs = services::preferences(app(), token);
  ASSERT_TRUE(prefs.ok()) << prefs.error().message;
  EXPECT_EQ(prefs->lists.size(), 2u);
  ASSERT_TRUE(services::leave_lists(app(), token, {second.id}, confirm_evidence()).ok());
  prefs = services::preferences(app(), token);
  for (const auto& c : prefs->lists) {
    auto expected =
        c.list.id == second.id ? SubscriptionStatus::unsubscribed : SubscriptionStatus::confirmed;
    EXPECT_EQ(c.subscription->status, expected) << c.list.name;
  }
}

TEST_P(SubscribeTest, AddingAsConfirmedNeedsASourceAndRecordsIt) {
  services::NewSubscriber p{"crm@example.net", {}, true, "", "consent"};
  auto refused = services::add_subscriber(app(), account_, list_.id, p, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "source");
  p.source = "Signed up at the 2026 open day";
  auto added =
      services::add_subscriber(app(), account_, list_.id, p, {"192.0.2.1", "curl", "", ""});
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->status, SubscriptionStatus::confirmed);
  auto rec = services::find_subscriber(app(), account_, added->subscriber_id);
  ASSERT_EQ(rec->subscriptions.at(0).events.size(), 1u);
  EXPECT_EQ(rec->subscriptions[0].events[0].kind, ConsentKind::import);
  EXPECT_EQ(rec->subscriptions[0].events[0].source, "Signed up at the 2026 open day");
  EXPECT_TRUE(t_.outbox().empty());
}

TEST_P(SubscribeTest, AnotherAccountsSubscribersAreNotFound) {
  auto v = subscribe_confirmed("reader@example.net");
  std::int64_t other = t_.create_account("Other Ltd", "other@example.org");
  EXPECT_EQ(services::find_subscriber(app(), other, v.subscription.subscriber_id).error().code,
            Errc::not_found);
  EXPECT_FALSE(services::delete_subscriber(app(), other, v.subscription.subscriber_id).ok());
  EXPECT_FALSE(services::list_members(app(), other, list_.id, std::nullopt, 10, 0).ok());
  EXPECT_TRUE(services::delete_subscriber(app(), account_, v.subscription.subscriber_id).ok());
}

SM_INSTANTIATE_FOR_ENGINES(SubscribeTest);

}  // namespace
}  // namespace sm::testing
