// Sending domains on both engines: adding one makes two DKIM keys whose published records
// verify a message signed with the stored keys (checked by python3-dkim and libopendkim), the
// private keys are sealed in the database, names are normalised to A-labels, and bad domains,
// duplicates and another account's ids are refused.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "integration/mail/python_tools.hpp"
#include "mail/mime.hpp"
#include "services/sending_domains.hpp"
#include "support/free_port.hpp"
#include "support/opendkim_verify.hpp"
#include "test_app.hpp"

namespace sm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class SendingDomainsTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  SendingDomainsTest() : t_(GetParam()) { account_ = t_.create_account(); }

  services::SendingDomain add(const std::string& domain) {
    auto d = services::add_sending_domain(t_.app(), account_, domain);
    if (!d.ok()) throw std::runtime_error("add: " + d.error().message);
    return *d;
  }

  // The records of `d` by name, as dkim_verify.py and opendkim_verify() read them.
  nlohmann::json records_by_name(const services::SendingDomain& d) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& r : services::dns_records(t_.app(), d)) out[r.name] = r.value;
    return out;
  }

  TestApp t_;
  std::int64_t account_ = 0;
};

TEST_P(SendingDomainsTest, AddingADomainMakesRecordsThatVerifyItsSignatures) {
  auto d = add("  News.Example.ORG ");
  EXPECT_EQ(d.domain, "news.example.org");
  EXPECT_FALSE(d.verified());
  EXPECT_EQ(d.ed25519_selector, "sm-ed-202612");
  EXPECT_EQ(d.rsa_selector, "sm-rsa-202612");

  auto records = services::dns_records(t_.app(), d);
  ASSERT_EQ(records.size(), 3u) << "no relay: DKIM twice and DMARC, SPF as advice";
  EXPECT_EQ(records[0].name, "sm-ed-202612._domainkey.news.example.org");
  EXPECT_THAT(records[0].value, StartsWith("v=DKIM1; k=ed25519; p="));
  EXPECT_EQ(records[1].name, "sm-rsa-202612._domainkey.news.example.org");
  EXPECT_THAT(records[1].value, StartsWith("v=DKIM1; k=rsa; p="));
  EXPECT_EQ(records[2].name, "_dmarc.news.example.org");
  EXPECT_EQ(records[2].value, "v=DMARC1; p=none; rua=mailto:privacy@example.org");
  EXPECT_TRUE(services::spf_advice(t_.app()).has_value());

  auto keys = services::domain_signing_keys(t_.app(), account_, d.id);
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->ed25519.dns_record(), d.ed25519_record);
  EXPECT_EQ(keys->rsa.dns_record(), d.rsa_record);
  EXPECT_EQ(keys->rsa.selector(), d.rsa_selector);

  mail::Message m;
  m.from = {"news@news.example.org", "News"};
  m.to = {{"jane@example.net", "Jane"}};
  m.subject = "Hello";
  m.text_body = "A tiny message.\n";
  auto mime = mail::render(m, t_.app().now());
  ASSERT_TRUE(mime.ok());
  std::vector<mail::DkimKey> both = {keys->ed25519, keys->rsa};
  auto fields = mail::dkim_sign(both, *mime, t_.app().now());
  ASSERT_TRUE(fields.ok());

  const auto message = t_.dir().path() / "signed.eml";
  const auto published = t_.dir().path() / "records.json";
  write_text(message, *fields + *mime);
  write_text(published, records_by_name(d).dump());
  auto verdict =
      run_command("/usr/bin/python3 " + source_dir() + "/tests/support/dkim_verify.py '" +
                  message.string() + "' '" + published.string() + "'");
  EXPECT_EQ(verdict.exit_code, 0) << verdict.output;
  EXPECT_THAT(verdict.output, HasSubstr("0 pass a=ed25519-sha256 d=news.example.org"));
  EXPECT_THAT(verdict.output, HasSubstr("1 pass a=rsa-sha256 d=news.example.org"));

  const auto second = opendkim_verify(*fields + *mime, records_by_name(d));
  EXPECT_TRUE(second.all_verified()) << second.summary();
  ASSERT_EQ(second.signatures.size(), 2u) << second.summary();
  EXPECT_EQ(second.signatures[0].algorithm, "ed25519-sha256");
  EXPECT_EQ(second.signatures[0].selector, "sm-ed-202612");
  EXPECT_EQ(second.signatures[1].algorithm, "rsa-sha256");
  EXPECT_EQ(second.signatures[1].selector, "sm-rsa-202612");
}

TEST_P(SendingDomainsTest, PrivateKeysAreSealedInTheDatabase) {
  add("example.org");
  auto lease = t_.app().db->acquire();
  ASSERT_TRUE(lease.ok());
  auto rows =
      (*lease)->run("SELECT ed25519_private_sealed, rsa_private_sealed FROM sending_domains");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string& sealed = rows->front().text(i);
    EXPECT_GT(sealed.size(), 40u);
    EXPECT_THAT(sealed, ::testing::Not(HasSubstr("PRIVATE KEY")));
    auto raw = crypto::base64url_decode(sealed);
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw->find("PRIVATE KEY"), std::string::npos);
  }
}

TEST_P(SendingDomainsTest, InternationalisedDomainsAreStoredAsALabels) {
  auto d = add("B\xC3\xBC\x63her.Example");  // "Bücher.Example"
  EXPECT_EQ(d.domain, "xn--bcher-kva.example");
  auto keys = services::domain_signing_keys(t_.app(), account_, d.id);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->ed25519.domain(), "xn--bcher-kva.example");
  auto again = services::add_sending_domain(t_.app(), account_, "xn--bcher-kva.example");
  EXPECT_EQ(again.error().code, Errc::conflict);
}

TEST_P(SendingDomainsTest, BadDomainsAreRefusedWithSentences) {
  const std::string long_label(64, 'a');
  std::string too_long;
  for (int i = 0; i < 5; ++i) too_long += std::string(60, 'b') + ".";
  too_long += "org";
  for (const std::string& bad :
       {std::string(""), std::string("   "), std::string("example"), std::string("example.org."),
        std::string("news@example.org"), std::string("https://example.org"),
        std::string("192.168.1.1"), std::string("[::1]"), std::string("exa mple.org"),
        std::string("a..org"), std::string(".example.org"), std::string("-bad.example.org"),
        std::string("under_score.example.org"), long_label + ".org", too_long}) {
    auto r = services::add_sending_domain(t_.app(), account_, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << bad;
    EXPECT_EQ(r.error().field, "domain") << bad;
    EXPECT_THAT(r.error().message, ::testing::EndsWith(".")) << bad;
  }
  EXPECT_THAT(services::normalize_sending_domain("me@example.org").error().message,
              HasSubstr("after @"));
  auto list = services::account_sending_domains(t_.app(), account_);
  EXPECT_TRUE(list->empty());
}

TEST_P(SendingDomainsTest, DuplicatesAnotherAccountAndDelete) {
  auto d = add("example.org");
  auto dup = services::add_sending_domain(t_.app(), account_, "EXAMPLE.org");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, Errc::conflict);
  EXPECT_THAT(dup.error().message, HasSubstr("already has example.org"));

  auto other = t_.create_account("Other Ltd", "owner@other.test");
  EXPECT_EQ(services::find_sending_domain(t_.app(), other, d.id).error().code, Errc::not_found);
  EXPECT_EQ(services::domain_signing_keys(t_.app(), other, d.id).error().code, Errc::not_found);
  EXPECT_EQ(services::delete_sending_domain(t_.app(), other, d.id).error().code, Errc::not_found);
  // The same domain in another account is that account's business.
  EXPECT_TRUE(services::add_sending_domain(t_.app(), other, "example.org").ok());

  EXPECT_TRUE(services::delete_sending_domain(t_.app(), account_, d.id).ok());
  EXPECT_EQ(services::find_sending_domain(t_.app(), account_, d.id).error().code, Errc::not_found);
  EXPECT_EQ(services::delete_sending_domain(t_.app(), account_, d.id).error().code,
            Errc::not_found);
}

TEST_P(SendingDomainsTest, SpfNamesTheRelayWhenOneIsSet) {
  t_.app().config.mail_smtp_url = "smtps://user:secret@relay.example.net:465";
  auto d = add("example.org");
  auto records = services::dns_records(t_.app(), d);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[2].name, "example.org");
  EXPECT_EQ(records[2].value, "v=spf1 a:relay.example.net ~all");
  EXPECT_FALSE(services::spf_advice(t_.app()).has_value());
  t_.app().config.mail_smtp_url = "smtp://127.0.0.1:2525";
  EXPECT_EQ(services::dns_records(t_.app(), d)[2].value, "v=spf1 ip4:127.0.0.1 ~all");
}

// dnsmasq on a loopback port serving `records` (name → value) as TXT, split in 255-byte
// character-strings as DNS providers publish long DKIM keys, and answering NXDOMAIN for other
// names in `zones` (without upstream servers it would refuse them). Stopped by its pid file.
class LoopbackDns {
 public:
  LoopbackDns(const ScratchDir& dir, const std::vector<services::DnsRecord>& records,
              const std::vector<std::string>& zones)
      : port_(free_loopback_port()), pid_file_((dir.path() / "dnsmasq.pid").string()) {
    const auto conf = dir.path() / "dnsmasq.conf";
    std::string text;
    for (const auto& z : zones) text += "local=/" + z + "/\n";
    for (const auto& r : records) {
      text += "txt-record=" + r.name;
      for (std::size_t i = 0; i < r.value.size(); i += 255) {
        text += ",\"" + r.value.substr(i, 255) + "\"";
      }
      text += "\n";
    }
    write_text(conf, text);
    auto started = run_command("/usr/sbin/dnsmasq --port=" + std::to_string(port_) +
                               " --listen-address=127.0.0.1 --bind-interfaces --no-resolv "
                               "--no-hosts --conf-file='" +
                               conf.string() + "' --pid-file='" + pid_file_ + "'");
    if (started.exit_code != 0) throw std::runtime_error("dnsmasq: " + started.output);
  }
  ~LoopbackDns() { run_command("kill \"$(cat '" + pid_file_ + "')\""); }

  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  std::string pid_file_;
};

TEST_P(SendingDomainsTest, ACheckFindsPublishedRecordsAndVerifies) {
  auto published = add("example.org");
  auto unpublished = add("example.net");
  LoopbackDns dns(t_.dir(), services::dns_records(t_.app(), published),
                  {"example.org", "example.net"});
  t_.app().config.dns_server = dns.server();

  auto checked = services::check_sending_domain(t_.app(), account_, published.id);
  ASSERT_TRUE(checked.ok()) << checked.error().message << " " << checked.error().detail;
  EXPECT_TRUE(checked->verified());
  EXPECT_EQ(checked->last_check_result, "Both DKIM records were found.");
  auto stored = services::find_sending_domain(t_.app(), account_, published.id);
  EXPECT_TRUE(stored->verified());
  EXPECT_EQ(stored->last_checked_at, t_.app().now());

  auto missing = services::check_sending_domain(t_.app(), account_, unpublished.id);
  ASSERT_TRUE(missing.ok()) << missing.error().detail;
  EXPECT_FALSE(missing->verified());
  EXPECT_THAT(missing->last_check_result, HasSubstr("._domainkey.example.net was not found"));
  EXPECT_THAT(missing->last_check_result, HasSubstr("no DMARC record"));
  EXPECT_EQ(
      services::check_sending_domain(t_.app(), t_.create_account("O", "o@o.test"), published.id)
          .error()
          .code,
      Errc::not_found);
}

SM_INSTANTIATE_FOR_ENGINES(SendingDomainsTest);

}  // namespace
}  // namespace sm::testing
