// The fetcher's pure rules: which addresses are refused, how URLs are read (as libcurl reads
// them: numeric spellings of 127.0.0.1 become 127.0.0.1), and how a page's link is found.
#include <gmock/gmock.h>

#include <chrono>

#include "services/safe_fetch.hpp"
#include "services/site_verification.hpp"

namespace sm::services {
namespace {

using ::testing::HasSubstr;

std::optional<std::string> why(const char* address, bool allow_loopback = false) {
  auto ip = parse_ip_literal(address);
  EXPECT_TRUE(ip.has_value()) << address;
  return refused_address(*ip, allow_loopback);
}

TEST(RefusedAddress, InsideAddressesAreRefusedWithAReason) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"127.0.0.1", "loopback"},
      {"127.255.0.9", "loopback"},
      {"::1", "loopback"},
      {"10.0.0.1", "private"},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"192.168.0.1", "private"},
      {"100.64.0.1", "carrier-grade"},
      {"100.127.255.255", "carrier-grade"},
      {"169.254.169.254", "link-local"},
      {"fe80::1", "link-local"},
      {"febf::1", "link-local"},
      {"0.0.0.0", "unspecified"},
      {"0.1.2.3", "unspecified"},
      {"::", "unspecified"},
      {"224.0.0.251", "multicast"},
      {"239.255.255.250", "multicast"},
      {"ff02::1", "multicast"},
      {"fc00::1", "unique-local"},
      {"fdff::1", "unique-local"},
      {"::ffff:127.0.0.1", "IPv4-mapped"},
      {"::ffff:8.8.8.8", "IPv4-mapped"},
      {"::127.0.0.1", "IPv4-compatible"},
      {"64:ff9b::a00:1", "NAT64"},
      {"2002:7f00:1::", "6to4"},
      {"2001::1", "special purposes"},
      {"2001:db8::1", "documentation"},
      {"192.0.2.5", "documentation"},
      {"198.18.0.1", "special purposes"},
      {"240.0.0.1", "special purposes"},
      {"255.255.255.255", "special purposes"},
      {"fec0::1", "site-local"},
      {"100::1", "special purposes"},
      {"4000::1", "special purposes"},
  };
  for (const auto& [address, reason] : cases) {
    auto r = why(address);
    ASSERT_TRUE(r.has_value()) << address << " was allowed";
    EXPECT_THAT(*r, HasSubstr(reason)) << address;
  }
}

TEST(RefusedAddress, PublicAddressesAreAllowed) {
  for (const char* a : {"93.184.216.34", "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1",
                        "100.63.255.255", "100.128.0.1", "169.253.255.255", "11.0.0.1",
                        "2606:4700::1111", "2a00:1450:4001::1", "2001:4860:4860::8888"}) {
    EXPECT_FALSE(why(a).has_value()) << a << ": " << why(a).value_or("");
  }
}

TEST(RefusedAddress, TheLoopbackSettingAllowsOnlyLoopback) {
  EXPECT_FALSE(why("127.0.0.1", true).has_value());
  EXPECT_FALSE(why("::1", true).has_value());
  EXPECT_TRUE(why("::ffff:127.0.0.1", true).has_value());
  EXPECT_TRUE(why("10.0.0.1", true).has_value());
  EXPECT_TRUE(why("169.254.169.254", true).has_value());
  EXPECT_TRUE(why("0.0.0.0", true).has_value());
}

TEST(ParseFetchTarget, ReadsHostsAsLibcurlDoes) {
  FetchPolicy p;
  p.allowed_ports = {80, 443, 8080};
  for (const char* url :
       {"http://0x7f000001/", "http://2130706433/", "http://017700000001/", "http://127.1/",
        "http://0177.0.0.1/", "http://%31%32%37.0.0.1/", "HTTP://127.0.0.1:80/"}) {
    auto t = parse_fetch_target(p, url);
    ASSERT_TRUE(t.ok()) << url << ": " << t.error().message;
    EXPECT_EQ(t->host, "127.0.0.1") << url;
    ASSERT_TRUE(t->literal.has_value()) << url;
    EXPECT_EQ(t->literal->text(), "127.0.0.1") << url;
    EXPECT_EQ(t->port, 80) << url;
  }
  auto six = parse_fetch_target(p, "http://[::FFFF:7f00:1]:8080/a");
  ASSERT_TRUE(six.ok());
  EXPECT_EQ(six->host, "::ffff:7f00:1");
  EXPECT_EQ(six->literal->text(), "::ffff:127.0.0.1");
  EXPECT_EQ(six->port, 8080);

  auto named = parse_fetch_target(p, "https://WWW.Example.ORG/a/../about#team");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->host, "www.example.org");
  EXPECT_FALSE(named->literal.has_value());
  EXPECT_EQ(named->port, 443);
  EXPECT_EQ(named->scheme, "https");
  EXPECT_EQ(named->url, "https://WWW.Example.ORG/about");  // the fragment is never sent
}

TEST(ParseFetchTarget, RefusesWhatMayNotBeFetched) {
  FetchPolicy p;
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"ftp://example.org/", "https:// or http://"},
      {"file:///etc/passwd", "https:// or http://"},
      {"javascript:alert(1)", "not a web address"},
      {"http://a:b@example.org/", "user name or password"},
      {"http://a@example.org/", "user name or password"},
      {"http://example.org:8080/", "only port 80, 443"},
      {"https://example.org:22/", "port 22"},
      {"http://ex ample.org/", "not a web address"},
      {"http://example.org:99999/", "not a web address"},
      {"http://ex_ample.org/", "letters a-z"},
  };
  for (const auto& [url, reason] : cases) {
    auto t = parse_fetch_target(p, url);
    ASSERT_FALSE(t.ok()) << url;
    EXPECT_EQ(t.error().field, "verification_page");
    EXPECT_THAT(t.error().message, HasSubstr(reason)) << url;
  }
}

TEST(PageLinksTo, FindsAnAnchorWithExactlyThatHref) {
  const std::string link = "https://lists.example.net/verify/42";
  EXPECT_TRUE(page_links_to("<p>Our <a href=\"" + link + "\">mailing lists</a></p>", link));
  EXPECT_TRUE(page_links_to("<a class=x href=' " + link + "\n'>x</a>", link));
  EXPECT_TRUE(page_links_to("<A HREF=\"https://lists.example.net/verify/&#52;2\">x</A>", link));
  EXPECT_TRUE(page_links_to("<div><div><ul><li><a href=\"" + link + "\">deep</a>", link));
  EXPECT_FALSE(page_links_to("<p>" + link + "</p>", link));  // text is not a link
  EXPECT_FALSE(page_links_to("<a href=\"" + link + "0\">x</a>", link));
  EXPECT_FALSE(page_links_to("<a href=\"" + link + "/\">x</a>", link));
  EXPECT_FALSE(page_links_to("<link href=\"" + link + "\">", link));
  EXPECT_FALSE(page_links_to("<!-- <a href=\"" + link + "\">x</a> -->", link));
  EXPECT_FALSE(page_links_to("<a data-href=\"" + link + "\">x</a>", link));
  EXPECT_FALSE(page_links_to("", link));
  EXPECT_FALSE(page_links_to(std::string(100000, '<'), link));
}

TEST(PageLinksTo, APageNestedTooDeeplyIsNotParsedAndTakesNoTime) {
  const std::string link = "https://lists.example.net/verify/42";
  const std::string anchor = "<a href=\"" + link + "\">x</a>";
  std::string ok;
  for (int i = 0; i < 200; ++i) ok += "<div><span>x</span>";  // 201 deep at most
  for (int i = 0; i < 200; ++i) ok += "</div>";
  EXPECT_TRUE(page_links_to(ok + anchor, link));

  std::string plenty;  // thousands of elements that close themselves are no depth at all
  for (int i = 0; i < 5000; ++i) plenty += "<p>text<br><li>item<img src=x>";
  EXPECT_FALSE(html_nests_too_deeply(plenty));
  EXPECT_TRUE(page_links_to(plenty + anchor, link));

  std::string hostile;
  for (int i = 0; i < 200000; ++i) hostile += "<div>";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(html_nests_too_deeply(hostile + anchor));
  EXPECT_FALSE(page_links_to(hostile + anchor, link));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace sm::services
