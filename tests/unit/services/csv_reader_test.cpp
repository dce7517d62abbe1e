#include "services/csv_reader.hpp"

#include "services/csv_export.hpp"

#include <gmock/gmock.h>

#include <sstream>

namespace sm::services {
namespace {

using Records = std::vector<CsvReader::Record>;

Result<Records> read_all(const std::string& text, std::size_t chunk) {
  std::istringstream in(text);
  CsvReader reader(in, chunk);
  Records out;
  CsvReader::Record r;
  for (;;) {
    auto more = reader.next(r);
    if (!more.ok()) return more.take_error();
    if (!*more) return out;
    out.push_back(r);
  }
}

TEST(CsvReader, ReadsQuotedFieldsAcrossSmallChunks) {
  std::string text =
      "\xEF\xBB\xBF"
      "email,name\r\na@x.org,\"Smith, \"\"Jo\"\"\nline\"\nb@x.org,\n";
  for (std::size_t chunk : {1u, 3u, 7u, 4096u}) {
    auto r = read_all(text, chunk);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 3u) << chunk;
    EXPECT_EQ((*r)[0][0], "email");
    EXPECT_EQ((*r)[1][1], "Smith, \"Jo\"\nline");
    EXPECT_EQ((*r)[2], (CsvReader::Record{"b@x.org", ""}));
  }
}

TEST(CsvReader, RefusesInvalidUtf8WithTheRecordNumber) {
  auto r = read_all("a\nb\n\xC3\x28\n", 2);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("Record 3 "));
}

TEST(CsvReader, RefusesAnUnclosedQuote) {
  auto r = read_all("a\n\"b\n", 64);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("Record 2 "));
}

TEST(CsvReader, ChecksUtf8Strictly) {
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // cut short
}

TEST(CsvCell, QuotesAsRfc4180AndNeutralisesFormulas) {
  EXPECT_EQ(csv_cell("plain"), "plain");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("=1+1"), "'=1+1");
  EXPECT_EQ(csv_cell("+1"), "'+1");
  EXPECT_EQ(csv_cell("-1"), "'-1");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_cell("\tx"), "'\tx");
  EXPECT_EQ(csv_cell("\rx"), "\"'\rx\"");
  EXPECT_EQ(csv_cell("a=b"), "a=b");
}

}  // namespace
}  // namespace sm::services
