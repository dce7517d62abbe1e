#include "http/percent_encoding.hpp"

#include <gtest/gtest.h>

namespace sm::http {
namespace {

TEST(PercentDecode, PlusIsLiteralInPathsAndSpaceInForms) {
  EXPECT_EQ(percent_decode("a+b%2B"), "a+b+");
  EXPECT_EQ(percent_decode("a+b%2B", PlusIs::space), "a b+");
  EXPECT_EQ(percent_decode("%e2%82%ac"), "\xE2\x82\xAC");
}

TEST(PercentDecode, RefusesTruncatedOrNonHexEscapes) {
  EXPECT_FALSE(percent_decode("%").has_value());
  EXPECT_FALSE(percent_decode("ab%4").has_value());
  EXPECT_FALSE(percent_decode("%x1").has_value());
  EXPECT_FALSE(percent_decode("%1x").has_value());
}

TEST(PercentEncode, LeavesOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("Az09-._~ /?&=+%\xFF"), "Az09-._~%20%2F%3F%26%3D%2B%25%FF");
}

TEST(Utf8, AcceptsWellFormedAndRefusesTheRest) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(valid_utf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(valid_utf8("\xE0\x80\xAF"));      // overlong three-byte
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(valid_utf8("\x80"));              // lone continuation
}

}  // namespace
}  // namespace sm::http
