// The SSRF-safe fetcher against hostile targets: loopback in every spelling libcurl accepts,
// private, link-local, CGNAT, multicast and reserved addresses, IPv6 forms that carry IPv4,
// names that resolve inside (dnsmasq on loopback), redirects that lead inside, and schemes
// and ports that are not allowed. For each, the fetch is refused and nothing is connected to:
// loopback listeners count every connection they accept, and a hook sees every address
// libcurl would open a socket for (it also refuses them, so a broken rule could never reach
// beyond this machine). Then the positive side with loopback allowed: pages, redirects, the
// size and time limits.
#include <gmock/gmock.h>

#include <chrono>

#include "loopback_web.hpp"
#include "services/safe_fetch.hpp"

namespace sm::testing {
namespace {

using services::FetchPolicy;
using services::IpAddress;
using ::testing::HasSubstr;

class HostileTargets : public ::testing::Test {
 protected:
  HostileTargets()
      : dns_(dir_, {{"loop.test", "127.0.0.1"},
                    {"ten.test", "10.0.0.1"},
                    {"meta.test", "169.254.169.254"},
                    {"six.test", "::1"},
                    {"mapped.test", "::ffff:127.0.0.1"},
                    {"ula.test", "fd00::1"},
                    {"mixed.test", "93.184.216.34"},
                    {"mixed.test", "10.0.0.1"}}) {
    policy_.allowed_ports = {static_cast<std::uint16_t>(web4_.port()),
                             static_cast<std::uint16_t>(web6_.port()), 80, 443};
    policy_.dns_server = dns_.server();
    policy_.before_connect = [this](const IpAddress& ip) {
      dialled_.push_back(ip.text());
      return false;  // never connect, even if a rule were broken
    };
  }

  std::string p4() const { return std::to_string(web4_.port()); }
  std::string p6() const { return std::to_string(web6_.port()); }

  ScratchDir dir_;
  LoopbackWeb web4_;
  LoopbackWeb web6_{true};
  AddressDns dns_;
  FetchPolicy policy_;
  std::vector<std::string> dialled_;
};

TEST_F(HostileTargets, EveryOneIsRefusedAndNothingIsConnectedTo) {
  const std::vector<std::string> targets = {
      "http://127.0.0.1:" + p4() + "/",
      "http://[::1]:" + p6() + "/",
      "http://0x7f000001:" + p4() + "/",
      "http://2130706433:" + p4() + "/",
      "http://017700000001:" + p4() + "/",
      "http://127.1:" + p4() + "/",
      "http://0177.0.0.1:" + p4() + "/",
      "http://%31%32%37.0.0.1:" + p4() + "/",
      "http://127.0.0.2:" + p4() + "/",
      "https://127.0.0.1:" + p4() + "/",
      "http://0.0.0.0:" + p4() + "/",
      "http://0:" + p4() + "/",
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.1/",
      "http://10.255.255.254/",
      "http://172.16.0.1/",
      "http://172.31.255.255/",
      "http://192.168.1.1/",
      "http://100.64.0.1/",
      "http://100.127.255.254/",
      "http://224.0.0.1/",
      "http://255.255.255.255/",
      "http://192.0.2.1/",
      "http://[::ffff:127.0.0.1]:" + p4() + "/",
      "http://[::ffff:7f00:1]:" + p4() + "/",
      "http://[::ffff:169.254.169.254]/",
      "http://[::127.0.0.1]:" + p4() + "/",
      "http://[::]:" + p6() + "/",
      "http://[fe80::1]/",
      "http://[fe80::1%25lo]:" + p6() + "/",
      "http://[fc00::1]/",
      "http://[fd12:3456::1]/",
      "http://[ff02::1]/",
      "http://[64:ff9b::a00:1]/",
      "http://[2002:7f00:1::1]/",
      "http://[2001:db8::1]/",
      "http://loop.test:" + p4() + "/",
      "http://LOOP.test:" + p4() + "/",
      "http://ten.test/",
      "http://meta.test/",
      "http://six.test:" + p6() + "/",
      "http://mapped.test:" + p4() + "/",
      "http://ula.test/",
      "http://mixed.test/",
  };
  ASSERT_GE(targets.size(), 20u);
  for (const auto& url : targets) {
    auto r = services::safe_fetch(policy_, url);
    ASSERT_FALSE(r.ok()) << url << " was fetched";
    EXPECT_EQ(r.error().code, Errc::invalid_input) << url << ": " << r.error().message;
    EXPECT_EQ(r.error().field, "verification_page") << url;
    EXPECT_THAT(r.error().message, HasSubstr("Smartmessages does not connect to")) << url;
  }
  EXPECT_TRUE(dialled_.empty()) << "a socket was asked for " << dialled_.front();
  EXPECT_EQ(web4_.connections(), 0);
  EXPECT_EQ(web6_.connections(), 0);
}

TEST_F(HostileTargets, SchemesCredentialsPortsAndOddNamesAreRefusedBeforeAnyLookUp) {
  const std::vector<std::pair<std::string, std::string>> targets = {
      {"ftp://loop.test:" + p4() + "/", "https:// or http://"},
      {"file:///etc/passwd", "https:// or http://"},
      {"gopher://loop.test:" + p4() + "/", "https:// or http://"},
      {"dict://loop.test:" + p4() + "/", "https:// or http://"},
      {"http://user:secret@loop.test:" + p4() + "/", "user name or password"},
      {"http://loop.test:22/", "port 22"},
      {"http://example.org:8080/", "port 8080"},
      {"http://xn--caf-dma.test\xe2\x80\x8b:" + p4() + "/", "letters a-z"},
      {"http://caf\xc3\xa9.test/", "letters a-z"},
      {"http://\xe2\x91\xa0\xe2\x91\xa1\xe2\x91\xa6.0.0.1/", "letters a-z"},
      {"example.org/about", "Write it in full"},
      {"", "not a web address"},
  };
  for (const auto& [url, why] : targets) {
    auto r = services::safe_fetch(policy_, url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << url;
    EXPECT_THAT(r.error().message, HasSubstr(why)) << url;
  }
  EXPECT_TRUE(dialled_.empty());
  EXPECT_EQ(web4_.connections(), 0);
}

// Loopback allowed (as tests need it): a page on loopback may be fetched, but every redirect
// into the inside is refused before it is followed.
class Redirects : public HostileTargets {
 protected:
  Redirects() {
    policy_.allow_loopback = true;
    policy_.before_connect = [this](const IpAddress& ip) {
      dialled_.push_back(ip.text());
      return ip.text() == "127.0.0.1";  // only the test's own server
    };
  }
};

TEST_F(Redirects, EachHopIsCheckedLikeTheFirst) {
  LoopbackWeb elsewhere;  // a loopback port the policy does not allow
  const std::vector<std::string> inside = {
      "http://10.0.0.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://ten.test/",
      "http://mixed.test/",
      "http://[::ffff:127.0.0.1]:" + p4() + "/page",
      "http://[fd00::1]/",
      "http://127.0.0.1:" + std::to_string(elsewhere.port()) + "/",
      "file:///etc/passwd",
      "gopher://127.0.0.1:" + p4() + "/",
  };
  for (const auto& target : inside) {
    web4_.redirect("/start", target);
    dialled_.clear();
    const int before = web4_.connections();
    auto r = services::safe_fetch(policy_, "http://127.0.0.1:" + p4() + "/start");
    ASSERT_FALSE(r.ok()) << target;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << target;
    EXPECT_THAT(r.error().message, HasSubstr("redirects to another address")) << target;
    EXPECT_EQ(web4_.connections(), before + 1) << target;  // the first hop only
    EXPECT_EQ(dialled_, std::vector<std::string>{"127.0.0.1"}) << target;
  }
  EXPECT_EQ(elsewhere.connections(), 0);
}

TEST_F(Redirects, AtMostThreeAreFollowed) {
  const std::string base = "http://127.0.0.1:" + p4();
  web4_.redirect("/r1", base + "/r2", 301);
  web4_.redirect("/r2", "/r3", 302);  // relative, resolved against the hop
  web4_.redirect("/r3", base + "/page", 307);
  web4_.page("/page", "<p>here</p>");
  auto three = services::safe_fetch(policy_, base + "/r1");
  ASSERT_TRUE(three.ok()) << three.error().message;
  EXPECT_EQ(three->status, 200);
  EXPECT_EQ(three->redirects, 3);
  EXPECT_EQ(three->url, base + "/page");
  EXPECT_EQ(three->body, "<p>here</p>");

  web4_.redirect("/r0", base + "/r1", 308);
  const int before = web4_.connections();
  auto four = services::safe_fetch(policy_, base + "/r0");
  ASSERT_FALSE(four.ok());
  EXPECT_THAT(four.error().message, HasSubstr("more than 3 times"));
  EXPECT_EQ(web4_.connections(), before + 4);  // the page itself was never asked for
}

TEST_F(Redirects, NamesArePinnedToTheAddressChecked) {
  web4_.page("/about", "<a href=\"x\">x</a>");
  auto r = services::safe_fetch(policy_, "http://loop.test:" + p4() + "/about");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(dialled_, std::vector<std::string>{"127.0.0.1"});

  // ::1 is loopback too, but this policy's hook refuses it: the socket callback has the
  // last word even after every rule passed.
  dialled_.clear();
  auto six = services::safe_fetch(policy_, "http://six.test:" + p6() + "/");
  ASSERT_FALSE(six.ok());
  EXPECT_EQ(dialled_, std::vector<std::string>{"::1"});
  EXPECT_EQ(web6_.connections(), 0);
}

TEST_F(Redirects, APageOverOneMegabyteIsRefused) {
  web4_.page("/big", std::string(1024 * 1024 + 1, 'a'));
  web4_.page("/fits", std::string(1024 * 1024, 'a'));
  auto big = services::safe_fetch(policy_, "http://127.0.0.1:" + p4() + "/big");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, Errc::unavailable);
  EXPECT_THAT(big.error().message, HasSubstr("larger than 1 MB"));
  auto fits = services::safe_fetch(policy_, "http://127.0.0.1:" + p4() + "/fits");
  ASSERT_TRUE(fits.ok()) << fits.error().message;
  EXPECT_EQ(fits->body.size(), 1024u * 1024u);

  // Without a Content-Length the limit holds while reading.
  web4_.answer("/stream",
               "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(2 * 1024 * 1024, 'b'));
  auto stream = services::safe_fetch(policy_, "http://127.0.0.1:" + p4() + "/stream");
  ASSERT_FALSE(stream.ok());
  EXPECT_THAT(stream.error().message, HasSubstr("larger than 1 MB"));
}

TEST_F(Redirects, ASiteThatNeverAnswersStopsAtTheTimeLimit) {
  web4_.answer("/hang", LoopbackWeb::kHang);
  policy_.timeout = std::chrono::milliseconds(1500);
  const auto start = std::chrono::steady_clock::now();
  auto r = services::safe_fetch(policy_, "http://127.0.0.1:" + p4() + "/hang");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_THAT(r.error().message, HasSubstr("did not answer within"));
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_GE(took, std::chrono::milliseconds(1400));
}

TEST(FetchPolicy, ComesFromTheSettingsWithSafeDefaults) {
  Config c;
  auto p = services::fetch_policy(c);
  EXPECT_EQ(p.allowed_ports, (std::vector<std::uint16_t>{80, 443}));
  EXPECT_FALSE(p.allow_loopback);
  EXPECT_EQ(p.max_redirects, 3);
  EXPECT_EQ(p.max_bytes, 1024u * 1024u);
  EXPECT_EQ(p.timeout, std::chrono::seconds(10));
}

}  // namespace
}  // namespace sm::testing
