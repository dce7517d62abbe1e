#include "mail/dkim.hpp"

#include <gtest/gtest.h>

#include <sodium.h>

#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"
#include "mail/dkim_canonical.hpp"

namespace sm::mail {
namespace {

using dkim::HeaderField;

constexpr Millis kNow = 1796306709000;  // Thu, 03 Dec 2026 14:05:09 UTC

// RFC 8463 A.2: the example key pair.
constexpr const char* kRfc8463Seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
constexpr const char* kRfc8463Record =
    "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

std::vector<HeaderField> fields_of(std::string_view message) {
  auto split = dkim::split_message(message);
  EXPECT_TRUE(split.ok()) << (split.ok() ? "" : split.error().message);
  return split.ok() ? split->fields : std::vector<HeaderField>{};
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ":") + name;
  return out;
}

std::string sha256_base64(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return crypto::base64_encode(std::string(reinterpret_cast<char*>(digest), sizeof digest));
}

// The value of tag `name` in a folded DKIM-Signature field, with the folding removed.
std::string tag_value(const std::string& field, const std::string& name) {
  std::string unfolded;
  for (char c : field.substr(field.find(':') + 1)) {
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') unfolded += c;
  }
  const std::size_t at = (";" + unfolded).find(";" + name + "=");
  if (at == std::string::npos) return "(absent)";
  const std::size_t start = at + name.size() + 1;
  return unfolded.substr(start, unfolded.find(';', start) - start);
}

DkimKey rfc8463_key() {
  auto key = load_dkim_key(DkimAlgorithm::ed25519_sha256, "football.example.com", "brisbane",
                           kRfc8463Seed);
  EXPECT_TRUE(key.ok()) << (key.ok() ? "" : key.error().message);
  return *key;
}

// --- relaxed canonicalisation ---------------------------------------------------------------

TEST(DkimRelaxedHeader, Rfc6376Example) {
  const auto fields = fields_of("A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n");
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(dkim::relaxed_header(fields[0]), "a:X\r\n");
  EXPECT_EQ(dkim::relaxed_header(fields[1]), "b:Y Z\r\n");
}

TEST(DkimRelaxedHeader, UnfoldsAndCompressesEveryRun) {
  const auto fields = fields_of(
      "Subject:   Two\t \twords \r\n   and\r\n\ta fold\t\r\nX-Empty:\r\nX-Blank:   \t\r\n\r\n");
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(dkim::relaxed_header(fields[0]), "subject:Two words and a fold\r\n");
  EXPECT_EQ(dkim::relaxed_header(fields[1]), "x-empty:\r\n");
  EXPECT_EQ(dkim::relaxed_header(fields[2]), "x-blank:\r\n");
}

TEST(DkimRelaxedHeader, KeepsTheCaseOfTheValue) {
  const auto fields = fields_of("MIME-Version: 1.0\r\nContent-Type: Text/Plain; A=B\r\n\r\n");
  EXPECT_EQ(dkim::relaxed_header(fields[0]), "mime-version:1.0\r\n");
  EXPECT_EQ(dkim::relaxed_header(fields[1]), "content-type:Text/Plain; A=B\r\n");
}

TEST(DkimRelaxedBody, Rfc6376Example) {
  EXPECT_EQ(dkim::relaxed_body(" C \r\nD \t E\r\n\r\n\r\n"), " C\r\nD E\r\n");
}

TEST(DkimRelaxedBody, EmptyBodyStaysEmpty) {
  // RFC 6376 3.4.4: unlike simple canonicalisation, relaxed adds no CRLF to an empty body.
  EXPECT_EQ(dkim::relaxed_body(""), "");
  EXPECT_EQ(dkim::relaxed_body("\r\n"), "");
  EXPECT_EQ(dkim::relaxed_body("\r\n \t\r\n\r\n"), "");
}

TEST(DkimRelaxedBody, DropsTrailingEmptyLinesButKeepsInnerOnes) {
  EXPECT_EQ(dkim::relaxed_body("a\r\n\r\n\r\nb\r\n\r\n \r\n\t\r\n"), "a\r\n\r\n\r\nb\r\n");
}

TEST(DkimRelaxedBody, TrailingWhitespaceAndMissingFinalCrlf) {
  EXPECT_EQ(dkim::relaxed_body("line one \t\r\nline  two"), "line one\r\nline two\r\n");
  EXPECT_EQ(dkim::relaxed_body("=\r\n"), "=\r\n");  // a QP soft break is just text here
}

// --- splitting -------------------------------------------------------------------------------

TEST(DkimSplitMessage, GroupsFoldedLinesAndFindsTheBody) {
  auto split =
      dkim::split_message("To: a@example.org,\r\n b@example.org\r\nSubject: x\r\n\r\nHi\r\n");
  ASSERT_TRUE(split.ok());
  ASSERT_EQ(split->fields.size(), 2u);
  EXPECT_EQ(split->fields[0].name, "To");
  EXPECT_EQ(split->fields[0].raw, "To: a@example.org,\r\n b@example.org\r\n");
  EXPECT_EQ(split->fields[1].raw, "Subject: x\r\n");
  EXPECT_EQ(split->body, "Hi\r\n");
}

TEST(DkimSplitMessage, MessageWithoutBody) {
  auto split = dkim::split_message("From: a@example.org\r\n");
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->fields.size(), 1u);
  EXPECT_EQ(split->body, "");
}

TEST(DkimSplitMessage, RefusesWhatARelayWouldRewrite) {
  for (const char* bad :
       {"From: a@example.org\nSubject: x\r\n\r\n", "From: a@example.org\r\n\r\nbare\rcr\r\n",
        " From: x\r\n\r\n", "From a@example.org\r\n\r\n"}) {
    auto split = dkim::split_message(bad);
    ASSERT_FALSE(split.ok()) << bad;
    EXPECT_EQ(split.error().code, Errc::invalid_input);
    EXPECT_NE(split.error().message.find("cannot be DKIM-signed"), std::string::npos);
  }
}

// --- header selection ------------------------------------------------------------------------

constexpr const char* kHeaders =
    "Date: Thu, 03 Dec 2026 14:05:09 +0000\r\n"
    "From: News <news@example.org>\r\n"
    "To: jane@example.net\r\n"
    "Reply-To: help@example.org\r\n"
    "Subject: Hello\r\n"
    "Message-ID: <1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "List-Unsubscribe: <https://example.org/u/1>, <mailto:u@example.org>\r\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    "List-Id: News <news.example.org>\r\n"
    "X-Campaign: 7\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n";

TEST(DkimSignedHeaders, ListsPresentFieldsInOrderAndOversigns) {
  EXPECT_EQ(joined(dkim::signed_header_names(fields_of(kHeaders))),
            "from:from:to:subject:date:message-id:mime-version:content-type:list-unsubscribe:"
            "list-unsubscribe:list-unsubscribe-post:list-unsubscribe-post:list-id");
}

TEST(DkimSignedHeaders, OversignsAbsentListHeadersAndCountsRepeats) {
  const auto names = dkim::signed_header_names(
      fields_of("from: a@example.org\r\nFROM: b@example.org\r\nTo: c@example.org\r\n"
                "To: d@example.org\r\n\r\n"));
  EXPECT_EQ(joined(names), "from:from:from:to:to:list-unsubscribe:list-unsubscribe-post");
}

TEST(DkimCanonicalHeaders, TakesOccurrencesFromTheBottomUp) {
  const auto fields = fields_of("To: first\r\nSubject: s\r\nTo:  second \r\n\r\n");
  EXPECT_EQ(dkim::canonical_headers(fields, {"to"}), "to:second\r\n");
  EXPECT_EQ(dkim::canonical_headers(fields, {"to", "to", "to", "subject"}),
            "to:second\r\nto:first\r\nsubject:s\r\n");
  EXPECT_EQ(dkim::canonical_headers(fields, {"list-id"}), "");
}

// --- keys ------------------------------------------------------------------------------------

TEST(DkimKeys, Ed25519RecordOfTheRfc8463Key) {
  EXPECT_EQ(rfc8463_key().dns_record(), kRfc8463Record);
}

TEST(DkimKeys, GeneratedEd25519KeyLoadsAndMatchesItsRecord) {
  const DkimKeyPair pair = generate_ed25519_key();
  EXPECT_EQ(pair.private_text.size(), 44u);  // base64 of 32 bytes
  ASSERT_EQ(pair.dns_record.rfind("v=DKIM1; k=ed25519; p=", 0), 0u) << pair.dns_record;
  EXPECT_EQ(pair.dns_record.size(), std::string("v=DKIM1; k=ed25519; p=").size() + 44);
  auto key = load_dkim_key(DkimAlgorithm::ed25519_sha256, "example.org", "ed1", pair.private_text);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->dns_record(), pair.dns_record);
  EXPECT_NE(generate_ed25519_key().private_text, pair.private_text);
}

TEST(DkimKeys, GeneratedRsaKeyIsPemWithASubjectPublicKeyInfoRecord) {
  auto pair = generate_rsa_key(2048);
  ASSERT_TRUE(pair.ok()) << pair.error().message;
  EXPECT_EQ(pair->private_text.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  // "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A" opens the DER SubjectPublicKeyInfo of every RSA-2048 key.
  EXPECT_EQ(pair->dns_record.rfind("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A", 0), 0u)
      << pair->dns_record;
  auto key = load_dkim_key(DkimAlgorithm::rsa_sha256, "example.org", "rsa1", pair->private_text);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->dns_record(), pair->dns_record);
}

TEST(DkimKeys, RefusesWrongKeysNamesAndSizes) {
  const std::string rsa_pem = generate_rsa_key(2048)->private_text;
  const std::string seed = generate_ed25519_key().private_text;
  struct Case {
    DkimAlgorithm algorithm;
    const char* domain;
    const char* selector;
    std::string text;
  };
  for (const Case& c : {Case{DkimAlgorithm::ed25519_sha256, "example.org", "s", rsa_pem},
                        Case{DkimAlgorithm::ed25519_sha256, "example.org", "s", "c2hvcnQ="},
                        Case{DkimAlgorithm::rsa_sha256, "example.org", "s", seed},
                        Case{DkimAlgorithm::rsa_sha256, "example.org", "s", ""},
                        Case{DkimAlgorithm::ed25519_sha256, "exa mple.org", "s", seed},
                        Case{DkimAlgorithm::ed25519_sha256, "example..org", "s", seed},
                        Case{DkimAlgorithm::ed25519_sha256, "example.org", "s;x", seed},
                        Case{DkimAlgorithm::ed25519_sha256, "", "s", seed}}) {
    auto key = load_dkim_key(c.algorithm, c.domain, c.selector, c.text);
    ASSERT_FALSE(key.ok()) << c.domain << " " << c.selector;
    EXPECT_EQ(key.error().code, Errc::invalid_input);
    // The sentence is shown to the account holder; the key must never be echoed in it.
    EXPECT_EQ(key.error().message.find(c.text.empty() ? "\x01" : c.text), std::string::npos);
    EXPECT_EQ(key.error().detail.find(c.text.empty() ? "\x01" : c.text), std::string::npos);
  }
  EXPECT_FALSE(generate_rsa_key(1024).ok());
}

TEST(DkimKeys, Ed25519SignsTheSha256OfTheData) {
  // RFC 8463 3: the Ed25519 message is the 32-byte hash, so a plain Ed25519 verification of
  // the hash must pass and one of the data itself must not.
  const DkimKey key = rfc8463_key();
  auto signature = key.sign("some header data");
  ASSERT_TRUE(signature.ok());
  const std::string record_key = std::string(kRfc8463Record).substr(22);
  std::string public_key(32, '\0');
  std::size_t length = 0;
  ASSERT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(public_key.data()), 32,
                              record_key.data(), record_key.size(), nullptr, &length, nullptr,
                              sodium_base64_VARIANT_ORIGINAL),
            0);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>("some header data"), 16);
  EXPECT_TRUE(
      crypto::verify(public_key, std::string(reinterpret_cast<char*>(digest), 32), *signature));
  EXPECT_FALSE(crypto::verify(public_key, "some header data", *signature));
}

// --- the signature field ---------------------------------------------------------------------

TEST(DkimSign, FieldIsFoldedAndCarriesTheTags) {
  const std::string message = std::string(kHeaders) + "Hi Jane,  \r\nbye.\r\n\r\n\r\n";
  auto field = dkim_sign(rfc8463_key(), message, kNow);
  ASSERT_TRUE(field.ok()) << field.error().message;
  EXPECT_EQ(field->rfind("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;", 0), 0u);
  ASSERT_GE(field->size(), 2u);
  EXPECT_EQ(field->substr(field->size() - 2), "\r\n");
  std::size_t start = 0;
  for (std::size_t end; (end = field->find("\r\n", start)) != std::string::npos; start = end + 2) {
    EXPECT_LE(end - start, 78u) << *field;
    if (start > 0) {
      EXPECT_EQ((*field)[start], ' ') << "a continuation line starts with WSP";
    }
  }
  EXPECT_EQ(tag_value(*field, "d"), "football.example.com");
  EXPECT_EQ(tag_value(*field, "s"), "brisbane");
  EXPECT_EQ(tag_value(*field, "t"), "1796306709");
  EXPECT_EQ(tag_value(*field, "h"),
            "from:from:to:subject:date:message-id:mime-version:content-type:list-unsubscribe:"
            "list-unsubscribe:list-unsubscribe-post:list-unsubscribe-post:list-id");
  EXPECT_EQ(tag_value(*field, "bh"), sha256_base64("Hi Jane,\r\nbye.\r\n"));
  EXPECT_EQ(tag_value(*field, "b").size(), 88u);  // base64 of a 64-byte Ed25519 signature
}

TEST(DkimSign, EmptyBodyHashesTheEmptyString) {
  auto field = dkim_sign(rfc8463_key(), "From: a@example.org\r\n\r\n", kNow);
  ASSERT_TRUE(field.ok());
  EXPECT_EQ(tag_value(*field, "bh"), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(DkimSign, OneFieldPerKeyInOrder) {
  auto rsa_pair = generate_rsa_key(2048);
  ASSERT_TRUE(rsa_pair.ok());
  auto rsa = load_dkim_key(DkimAlgorithm::rsa_sha256, "example.org", "r", rsa_pair->private_text);
  ASSERT_TRUE(rsa.ok());
  const std::vector<DkimKey> keys = {rfc8463_key(), *rsa};
  auto fields = dkim_sign(keys, std::string(kHeaders) + "Hi\r\n", kNow);
  ASSERT_TRUE(fields.ok()) << fields.error().message;
  const std::size_t second = fields->find("\r\nDKIM-Signature: ");
  ASSERT_NE(second, std::string::npos);
  EXPECT_EQ(fields->find("DKIM-Signature: ", second + 3), std::string::npos);
  const std::string rsa_field = fields->substr(second + 2);
  EXPECT_EQ(tag_value(rsa_field, "a"), "rsa-sha256");
  EXPECT_EQ(tag_value(rsa_field, "b").size(), 344u);  // base64 of a 256-byte signature
  EXPECT_EQ(tag_value(fields->substr(0, second + 2), "bh"), tag_value(rsa_field, "bh"));
}

TEST(DkimSign, RefusesAMessageWithoutFrom) {
  auto field = dkim_sign(rfc8463_key(), "To: a@example.org\r\n\r\nHi\r\n", kNow);
  ASSERT_FALSE(field.ok());
  EXPECT_NE(field.error().message.find("no From header"), std::string::npos);
}

TEST(DkimSign, OneKeySignsFromManyThreadsAtOnce) {
  auto rsa_pair = generate_rsa_key(2048);
  ASSERT_TRUE(rsa_pair.ok());
  auto rsa = load_dkim_key(DkimAlgorithm::rsa_sha256, "example.org", "r", rsa_pair->private_text);
  ASSERT_TRUE(rsa.ok());
  const std::vector<DkimKey> keys = {rfc8463_key(), *rsa};
  const std::string message = std::string(kHeaders) + "Hi\r\n";
  const std::string expected = *dkim_sign(keys, message, kNow);  // both schemes are deterministic

  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) result = *dkim_sign(keys, message, kNow);
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

}  // namespace
}  // namespace sm::mail
