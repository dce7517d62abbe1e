#include "core/email_address.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sm {
namespace {

std::string normalized(std::string_view input) {
  auto a = parse_email_address(input);
  EXPECT_TRUE(a.ok()) << input << ": " << (a.ok() ? "" : a.error().message);
  return a.ok() ? a->normalized() : "";
}

std::string refusal(std::string_view input) {
  auto a = parse_email_address(input);
  EXPECT_FALSE(a.ok()) << input << " was accepted";
  if (a.ok()) return "";
  EXPECT_EQ(a.error().code, Errc::invalid_input);
  EXPECT_EQ(a.error().field, "email");
  EXPECT_FALSE(a.error().message.empty());
  return a.error().message;
}

// A domain of exactly `octets` octets (at least 5) made of labels of up to 63 octets, ending
// in "com".
std::string domain_of(std::size_t octets) {
  std::string d = "com";
  while (d.size() < octets) {
    std::size_t room = octets - d.size();  // for one or more labels, each with its dot
    std::size_t n = std::min<std::size_t>(63, room - 1);
    if (room - (n + 1) == 1) --n;  // never leave room for a dot alone
    d = std::string(n, 'x') + "." + d;
  }
  return d;
}

TEST(EmailAddress, AcceptsCommonAddresses) {
  for (const char* ok :
       {"jane@example.com", "jane.doe@example.co.uk", "j@x.io", "jane+news@example.com",
        "o'brien@example.ie", "a_b-c@sub.example.org", "!#$%&'*+-/=?^_`{|}~@example.com",
        "1234@123.example", "x@a-b.example", "x@xn--bcher-kva.example",
        "user@localhost.localdomain", "x@example.c0m"}) {
    EXPECT_TRUE(parse_email_address(ok).ok()) << ok;
  }
}

TEST(EmailAddress, TrimsSurroundingSpacesOnly) {
  auto a = parse_email_address("  \tJane@Example.com \t");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->display(), "Jane@Example.com");
  EXPECT_EQ(a->ascii(), "Jane@Example.com");
  EXPECT_EQ(a->normalized(), "jane@example.com");
  EXPECT_EQ(a->domain(), "example.com");
  EXPECT_EQ(refusal("jane @example.com"), "An email address cannot contain spaces. Remove them.");
  EXPECT_EQ(refusal("jane@exa mple.com"), "An email address cannot contain spaces. Remove them.");
}

TEST(EmailAddress, ComparesCaseInsensitively) {
  auto a = parse_email_address("JANE@EXAMPLE.COM");
  auto b = parse_email_address("jane@example.com");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(*a == *b);
  EXPECT_FALSE(*a == *parse_email_address("jane2@example.com"));
}

TEST(EmailAddress, RefusesLineBreaksAndControlCharacters) {
  const std::string message = "An email address cannot contain line breaks or control characters.";
  EXPECT_EQ(refusal("jane@example.com\r\nBcc: x@y.z"), message);
  EXPECT_EQ(refusal("jane@example.com\n"), message);
  EXPECT_EQ(refusal("jane\r@example.com"), message);
  EXPECT_EQ(refusal(std::string("jane\0@example.com", 17)), message);
  EXPECT_EQ(refusal("ja\x7fne@example.com"), message);
  EXPECT_EQ(refusal("ja\x01ne@example.com"), message);
  EXPECT_EQ(refusal("ja\tne@example.com"), message);
  EXPECT_EQ(refusal("\"ja\nne\"@example.com"), message);
}

TEST(EmailAddress, NeedsExactlyOneAt) {
  EXPECT_NE(refusal("").find("Enter an email address"), std::string::npos);
  EXPECT_NE(refusal("   ").find("Enter an email address"), std::string::npos);
  EXPECT_NE(refusal("jane.example.com").find("no @"), std::string::npos);
  EXPECT_NE(refusal("jane@doe@example.com").find("more than one @"), std::string::npos);
  EXPECT_NE(refusal("@example.com").find("before the @ is missing"), std::string::npos);
  EXPECT_NE(refusal("jane@").find("domain after the @ is missing"), std::string::npos);
}

TEST(EmailAddress, RefusesBadDotsInTheLocalPart) {
  for (const char* bad : {".jane@example.com", "jane.@example.com", "ja..ne@example.com"}) {
    EXPECT_NE(refusal(bad).find("two dots in a row"), std::string::npos) << bad;
  }
}

TEST(EmailAddress, RefusesCharactersOutsideAtext) {
  EXPECT_NE(refusal("ja,ne@example.com").find("cannot contain ','"), std::string::npos);
  EXPECT_NE(refusal("ja(ne)@example.com").find("cannot contain '('"), std::string::npos);
  EXPECT_NE(refusal("ja\"ne@example.com").find("cannot contain '\"'"), std::string::npos);
  EXPECT_NE(refusal("ja\\ne@example.com").find("cannot contain"), std::string::npos);
  EXPECT_NE(refusal("jäne@example.com").find("accents"), std::string::npos);
  EXPECT_NE(refusal("<jane@example.com>").find("cannot contain '<'"), std::string::npos);
}

TEST(EmailAddress, AcceptsQuotedLocalParts) {
  auto a = parse_email_address("\"Jane Doe\"@example.com");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->display(), "\"Jane Doe\"@example.com");
  EXPECT_EQ(a->normalized(), "\"jane doe\"@example.com");

  EXPECT_EQ(normalized("\"jane@home\"@example.com"), "\"jane@home\"@example.com");
  EXPECT_EQ(normalized("\"a\\\"b\"@example.com"), "\"a\\\"b\"@example.com");
  EXPECT_EQ(normalized("\"a\\\\b\"@example.com"), "\"a\\\\b\"@example.com");
  EXPECT_EQ(normalized("\"..\"@example.com"), "\"..\"@example.com");
  // A quoted part that needs no quotes names the same mailbox as the bare one.
  EXPECT_EQ(normalized("\"Jane\"@example.com"), "jane@example.com");
  EXPECT_EQ(normalized("\"j\\ane\"@example.com"), "jane@example.com");
}

TEST(EmailAddress, RefusesBrokenQuotedLocalParts) {
  EXPECT_NE(refusal("\"jane@example.com").find("no closing one"), std::string::npos);
  EXPECT_NE(refusal("\"jane\\\"@example.com").find("no closing one"), std::string::npos);
  EXPECT_NE(refusal("\"jane\"x@example.com").find("straight away"), std::string::npos);
  EXPECT_NE(refusal("\"jane\"").find("no @"), std::string::npos);
  EXPECT_NE(refusal("\"jane\"@a@example.com").find("more than one @"), std::string::npos);
  EXPECT_NE(refusal("\"\"@example.com").find("empty pair of double quotes"), std::string::npos);
  EXPECT_NE(refusal("\"jäne\"@example.com").find("accents"), std::string::npos);
  EXPECT_NE(refusal("x\"jane\"@example.com").find("cannot contain"), std::string::npos);
}

TEST(EmailAddress, LocalPartBoundaryIs64Octets) {
  EXPECT_TRUE(parse_email_address(std::string(64, 'a') + "@example.com").ok());
  EXPECT_NE(refusal(std::string(65, 'a') + "@example.com").find("at most 64"), std::string::npos);
  std::string quoted = "\"" + std::string(62, ' ') + "\"@example.com";
  EXPECT_TRUE(parse_email_address(quoted).ok());
  EXPECT_FALSE(parse_email_address("\"" + std::string(63, ' ') + "\"@example.com").ok());
}

TEST(EmailAddress, WholeAddressBoundaryIs254Octets) {
  std::string local(64, 'a');
  std::string at254 = local + "@" + domain_of(254 - 65);
  ASSERT_EQ(at254.size(), 254u);
  EXPECT_TRUE(parse_email_address(at254).ok());
  std::string at255 = local + "@" + domain_of(255 - 65);
  ASSERT_EQ(at255.size(), 255u);
  EXPECT_NE(refusal(at255).find("at most 254"), std::string::npos);
  EXPECT_NE(refusal(std::string(5000, 'a') + "@example.com").find("too long"), std::string::npos);
}

TEST(EmailAddress, DomainRules) {
  EXPECT_NE(refusal("jane@localhost").find("needs a dot"), std::string::npos);
  EXPECT_NE(refusal("jane@example.com.").find("two dots in a row"), std::string::npos);
  EXPECT_NE(refusal("jane@.example.com").find("two dots in a row"), std::string::npos);
  EXPECT_NE(refusal("jane@example..com").find("two dots in a row"), std::string::npos);
  EXPECT_NE(refusal("jane@-example.com").find("hyphen"), std::string::npos);
  EXPECT_NE(refusal("jane@example-.com").find("hyphen"), std::string::npos);
  EXPECT_NE(refusal("jane@example.-com").find("hyphen"), std::string::npos);
  EXPECT_NE(refusal("jane@exa_mple.com").find("letters, digits, hyphens"), std::string::npos);
  EXPECT_NE(refusal("jane@example.123").find("not a number"), std::string::npos);
  EXPECT_NE(refusal("jane@1.2.3.4").find("not a number"), std::string::npos);
  EXPECT_TRUE(parse_email_address("jane@" + std::string(63, 'x') + ".com").ok());
  EXPECT_NE(refusal("jane@" + std::string(64, 'x') + ".com").find("at most 63"), std::string::npos);
}

TEST(EmailAddress, RefusesAddressLiterals) {
  for (const char* bad : {"jane@[192.0.2.1]", "jane@[IPv6:2001:db8::1]"}) {
    EXPECT_NE(refusal(bad).find("IP address in square brackets"), std::string::npos) << bad;
  }
}

TEST(EmailAddress, ConvertsInternationalDomainsToALabels) {
  auto a = parse_email_address("Jane@Bücher.example");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->display(), "Jane@Bücher.example");
  EXPECT_EQ(a->ascii(), "Jane@xn--bcher-kva.example");
  EXPECT_EQ(a->normalized(), "jane@xn--bcher-kva.example");
  EXPECT_EQ(a->domain(), "xn--bcher-kva.example");

  EXPECT_EQ(normalized("x@münchen.de"), "x@xn--mnchen-3ya.de");
  EXPECT_EQ(normalized("x@例え.テスト"), "x@xn--r8jz45g.xn--zckzah");
  EXPECT_EQ(normalized("x@fass.de"), "x@fass.de");
  // Non-transitional processing keeps ß instead of mapping it to "ss".
  EXPECT_EQ(normalized("x@faß.de"), "x@xn--fa-hia.de");
}

TEST(EmailAddress, ShowsALabelDomainsInUnicode) {
  auto a = parse_email_address("jane@XN--BCHER-KVA.example");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->display(), "jane@bücher.example");
  EXPECT_EQ(a->ascii(), "jane@XN--BCHER-KVA.example");
  EXPECT_EQ(a->normalized(), "jane@xn--bcher-kva.example");
  EXPECT_TRUE(*a == *parse_email_address("jane@bücher.example"));
}

TEST(EmailAddress, RefusesInvalidInternationalDomains) {
  EXPECT_FALSE(parse_email_address("x@xn--.example").ok());
  EXPECT_NE(refusal("x@xn--a.example").find("international"), std::string::npos);
  EXPECT_FALSE(parse_email_address("x@\xff\xfe.example").ok());
  EXPECT_FALSE(parse_email_address("x@bü_cher.example").ok());
  EXPECT_NE(refusal("x@xn--zz-zzzzz.example").find("international"), std::string::npos);
}

TEST(EmailAddress, MapsInternationalDomainsLikeBrowsers) {
  // UTS 46 drops a zero width space and lowercases: the same mailbox as the plain spelling.
  auto a = parse_email_address("x@B\xc3\xbc\xe2\x80\x8b.example");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->normalized(), normalized("x@bü.example"));
}

TEST(EmailAddress, InternationalDomainCountsInALabelOctets) {
  // 64 + 1 + 189 octets once converted; the Unicode form is shorter.
  std::string idn_label = "bücher";  // xn--bcher-kva: 13 octets
  std::string rest = domain_of(254 - 65 - 14);
  std::string fits = std::string(64, 'a') + "@" + idn_label + "." + rest;
  auto a = parse_email_address(fits);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->ascii().size(), 254u);
  std::string over = std::string(64, 'a') + "@" + idn_label + "." + domain_of(254 - 65 - 13);
  EXPECT_NE(refusal(over).find("international domain name is converted"), std::string::npos);
}

TEST(EmailAddress, AcceptedFormsReparseToTheSameNormalizedForm) {
  for (const char* input : {"Jane@Bücher.example", "\"A b\"@x.example", "\"A\"@x.example",
                            "x@XN--BCHER-KVA.EXAMPLE", "x@faß.de"}) {
    auto a = parse_email_address(input);
    ASSERT_TRUE(a.ok()) << input;
    for (const std::string& form : {a->display(), a->ascii(), a->normalized()}) {
      auto again = parse_email_address(form);
      ASSERT_TRUE(again.ok()) << form;
      EXPECT_EQ(again->normalized(), a->normalized()) << form;
    }
  }
}

}  // namespace
}  // namespace sm
