#include "http/multipart.hpp"

#include <gmock/gmock.h>

namespace sm::http {
namespace {

constexpr char kBody[] =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
    "token\r\n"
    "--XyZ\r\n"
    "content-disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".csv\"\r\n"
    "Content-Type: text/csv\r\n\r\n"
    "email\r\na@x.org\r\n\r\n"
    "--XyZ--\r\n";

TEST(Multipart, SplitsTextAndFileParts) {
  auto parts = parse_multipart(kBody, "XyZ");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "csrf");
  EXPECT_FALSE((*parts)[0].is_file);
  EXPECT_EQ((*parts)[0].data, "token");
  const MultipartPart* file = find_part(*parts, "file");
  ASSERT_NE(file, nullptr);
  EXPECT_TRUE(file->is_file);
  EXPECT_EQ(file->filename, "a \"b\".csv");
  EXPECT_EQ(file->content_type, "text/csv");
  EXPECT_EQ(file->data, "email\r\na@x.org\r\n");
}

TEST(Multipart, ReadsTheBoundaryQuotedOrNot) {
  EXPECT_EQ(*multipart_boundary("multipart/form-data; boundary=XyZ"), "XyZ");
  EXPECT_EQ(*multipart_boundary("Multipart/Form-Data; boundary=\"a b\""), "a b");
  EXPECT_FALSE(multipart_boundary("application/x-www-form-urlencoded").ok());
  EXPECT_FALSE(multipart_boundary("multipart/form-data").ok());
}

TEST(Multipart, RefusesCutShortBodiesAndTooManyParts) {
  std::string body(kBody);
  EXPECT_FALSE(parse_multipart(body.substr(0, body.size() - 12), "XyZ").ok());
  EXPECT_FALSE(parse_multipart(kBody, "XyZ", {.max_parts = 1, .max_header_bytes = 512}).ok());
  auto nameless = parse_multipart("--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--", "B");
  ASSERT_FALSE(nameless.ok());
  EXPECT_THAT(nameless.error().message, ::testing::HasSubstr("Choose the file again"));
}

}  // namespace
}  // namespace sm::http
