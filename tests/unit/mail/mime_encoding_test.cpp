#include "mail/mime_encoding.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace sm::mail {
namespace {

std::vector<std::string> split_crlf(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find("\r\n", start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

int hex_value(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }

// An independent decoder, so the tests check what a receiving client would see.
std::string decode_quoted_printable(const std::string& qp) {
  std::string out;
  for (std::size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] != '=') {
      out += qp[i];
    } else if (qp.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else {
      out += static_cast<char>(hex_value(qp[i + 1]) * 16 + hex_value(qp[i + 2]));
      i += 2;
    }
  }
  return out;
}

std::string decode_word(const std::string& word) {
  EXPECT_TRUE(word.starts_with("=?UTF-8?") && word.ends_with("?=")) << word;
  const char kind = word[8];
  const std::string payload = word.substr(10, word.size() - 12);
  std::string out;
  if (kind == 'B') {
    out.resize(payload.size());
    std::size_t len = 0;
    sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), payload.data(),
                      payload.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL);
    out.resize(len);
    return out;
  }
  for (std::size_t i = 0; i < payload.size(); ++i) {
    if (payload[i] == '_') {
      out += ' ';
    } else if (payload[i] == '=') {
      out += static_cast<char>(hex_value(payload[i + 1]) * 16 + hex_value(payload[i + 2]));
      i += 2;
    } else {
      out += payload[i];
    }
  }
  return out;
}

std::vector<std::string> split_words(const std::string& encoded) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start <= encoded.size()) {
    std::size_t end = encoded.find(' ', start);
    if (end == std::string::npos) end = encoded.size();
    words.push_back(encoded.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

TEST(QuotedPrintable, KeepsPlainTextAndUsesCrlf) {
  EXPECT_EQ(encode_quoted_printable("Hello, world.\nSecond line\n"),
            "Hello, world.\r\nSecond line\r\n");
}

TEST(QuotedPrintable, NormalisesEveryKindOfLineEnd) {
  EXPECT_EQ(encode_quoted_printable("a\nb\r\nc\rd"), "a\r\nb\r\nc\r\nd");
  EXPECT_EQ(encode_quoted_printable("\n\n"), "\r\n\r\n");
  EXPECT_EQ(encode_quoted_printable(""), "");
}

TEST(QuotedPrintable, EncodesEqualsSign) {
  EXPECT_EQ(encode_quoted_printable("a=b"), "a=3Db");
  EXPECT_EQ(encode_quoted_printable("=?UTF-8?"), "=3D?UTF-8?");
}

TEST(QuotedPrintable, EncodesWhitespaceOnlyAtLineEnd) {
  EXPECT_EQ(encode_quoted_printable("a b\tc"), "a b\tc");
  EXPECT_EQ(encode_quoted_printable("trailing \nnext"), "trailing=20\r\nnext");
  EXPECT_EQ(encode_quoted_printable("tab\t"), "tab=09");
  EXPECT_EQ(encode_quoted_printable("  \n"), " =20\r\n");
}

TEST(QuotedPrintable, EncodesUtf8AndControlBytes) {
  EXPECT_EQ(encode_quoted_printable("caf\xC3\xA9"), "caf=C3=A9");
  EXPECT_EQ(encode_quoted_printable(std::string("a\0b", 3)), "a=00b");
  EXPECT_EQ(encode_quoted_printable("\x7F"), "=7F");
}

TEST(QuotedPrintable, Line76LongStaysWhole) {
  const std::string line(76, 'x');
  EXPECT_EQ(encode_quoted_printable(line), line);
}

TEST(QuotedPrintable, LongLinesGetSoftBreaks) {
  const std::string line(77, 'x');
  EXPECT_EQ(encode_quoted_printable(line), std::string(75, 'x') + "=\r\nxx");
}

TEST(QuotedPrintable, SoftBreaksNeverSplitAnEscape) {
  std::string first;
  for (int i = 0; i < 200; ++i) first += (i % 3 == 0) ? "\xC3\xA9" : "a=";
  first += ' ';
  const std::string third = std::string(300, ' ') + "end";
  const std::string text = first + "\nshort \n" + third;
  const std::string qp = encode_quoted_printable(text);
  for (const std::string& line : split_crlf(qp)) {
    EXPECT_LE(line.size(), kQuotedPrintableLineLimit) << line;
    const std::size_t last_eq = line.rfind('=');
    if (last_eq != std::string::npos && last_eq + 1 != line.size()) {
      EXPECT_LE(last_eq + 3, line.size()) << "escape split across lines: " << line;
    }
    EXPECT_FALSE(line.ends_with(" ")) << "whitespace before a hard line end: " << line;
  }
  const std::string expected = first + "\r\nshort \r\n" + third;
  EXPECT_TRUE(decode_quoted_printable(qp) == expected) << qp;
}

TEST(Utf8, AcceptsWellFormedAndRefusesTheRest) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(
      is_valid_utf8("Gr\xC3\xBC\xC3\x9F"
                    "e \xE2\x82\xAC \xF0\x9F\x93\xA7"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(EncodedWords, MostlyAsciiTextUsesQ) {
  const std::string encoded = encode_words("Hello J\xC3\xB6rg, your invoice");
  EXPECT_EQ(encoded, "=?UTF-8?Q?Hello_J=C3=B6rg=2C_your_invoice?=");
}

TEST(EncodedWords, MostlyNonAsciiTextUsesB) {
  const std::string text = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E";  // three CJK characters
  const std::string encoded = encode_words(text);
  EXPECT_EQ(encoded, "=?UTF-8?B?5pel5pys6Kqe?=");
  EXPECT_EQ(decode_word(encoded), text);
}

TEST(EncodedWords, LongTextSplitsIntoShortWordsOfWholeCharacters) {
  for (const std::string unit : {"\xC3\xA9t\xC3\xA9 ", "\xE2\x82\xAC", "\xF0\x9F\x93\xA7x"}) {
    std::string text;
    for (int i = 0; i < 60; ++i) text += unit;
    std::string decoded;
    const auto words = split_words(encode_words(text));
    EXPECT_GT(words.size(), 1u);
    for (const std::string& word : words) {
      EXPECT_LE(word.size(), 75u) << word;
      const std::string part = decode_word(word);
      EXPECT_TRUE(is_valid_utf8(part)) << "a character was split: " << word;
      decoded += part;
    }
    EXPECT_EQ(decoded, text);
  }
}

TEST(EncodedWords, QFormOnlyUsesCharactersAllowedInAPhrase) {
  const std::string text = std::string(100, 'a') + "\"(),.:;<>@[]\\ ?_=\xC3\xA9";
  std::string decoded;
  for (const std::string& word : split_words(encode_words(text))) {
    ASSERT_EQ(word.substr(0, 10), "=?UTF-8?Q?");
    for (char c : word.substr(10, word.size() - 12)) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) ||
                  std::string("!*+-/=_").find(c) != std::string::npos)
          << c;
    }
    decoded += decode_word(word);
  }
  EXPECT_EQ(decoded, text);
}

TEST(DisplayName, PlainAtomsStayAsTheyAre) {
  EXPECT_EQ(encode_display_name("Jane Doe"), "Jane Doe");
  EXPECT_EQ(encode_display_name("O'Brien"), "O'Brien");
}

TEST(DisplayName, SpecialsAreQuoted) {
  EXPECT_EQ(encode_display_name("Doe, Jane"), "\"Doe, Jane\"");
  EXPECT_EQ(encode_display_name("J. Doe"), "\"J. Doe\"");
  EXPECT_EQ(encode_display_name("Say \"hi\" \\o/"), "\"Say \\\"hi\\\" \\\\o/\"");
  EXPECT_EQ(encode_display_name("two  spaces"), "\"two  spaces\"");
}

TEST(DisplayName, NonAsciiAndEncodedWordLookalikesAreEncoded) {
  EXPECT_EQ(encode_display_name("Zo\xC3\xAB"), "=?UTF-8?Q?Zo=C3=AB?=");
  const std::string lookalike = encode_display_name("=?UTF-8?Q?x?=");
  EXPECT_TRUE(lookalike.starts_with("=?UTF-8?")) << lookalike;
  EXPECT_EQ(decode_word(lookalike), "=?UTF-8?Q?x?=");
}

TEST(Folding, ShortHeaderIsOneLine) {
  EXPECT_EQ(fold_header("Subject", "Hello", false), "Subject: Hello\r\n");
  EXPECT_EQ(fold_header("X-Empty", "", false), "X-Empty:\r\n");
}

TEST(Folding, LongHeaderFoldsBeforeWhitespaceAndUnfoldsToTheOriginal) {
  std::string value;
  for (int i = 0; i < 40; ++i) value += "word" + std::to_string(i) + (i % 5 ? " " : "  ");
  const std::string folded = fold_header("Subject", value, false);
  const auto lines = split_crlf(folded);
  EXPECT_GT(lines.size(), 1u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), kHeaderLineTarget) << lines[i];
    if (i > 0) {
      EXPECT_EQ(lines[i][0], ' ');
    }
    EXPECT_FALSE(lines[i].find_first_not_of(' ') == std::string::npos) << "blank line";
  }
  std::string unfolded;
  for (const auto& line : lines) unfolded += line;
  EXPECT_EQ(unfolded, "Subject: " + value);
}

TEST(Folding, AWordLongerThanTheTargetGetsItsOwnLine) {
  const std::string word(120, 'x');
  EXPECT_EQ(fold_header("Subject", "a " + word + " b", false),
            "Subject: a\r\n " + word + "\r\n b\r\n");
}

TEST(Folding, StructuredHeadersDoNotFoldInsideQuotedStrings) {
  const std::string name = "\"" + std::string(30, 'a') + " " + std::string(30, 'b') + " c\"";
  const std::string value = name + " <x@example.org>, " + name + " <y@example.org>";
  for (const auto& line : split_crlf(fold_header("To", value, true))) {
    EXPECT_EQ(std::count(line.begin(), line.end(), '"') % 2, 0)
        << "a quoted-string was folded: " << line;
  }
}

TEST(LongestLine, IgnoresLineEnds) {
  EXPECT_EQ(longest_line("ab\r\nabcd\r\nabc"), 4u);
  EXPECT_EQ(longest_line(""), 0u);
}

}  // namespace
}  // namespace sm::mail
