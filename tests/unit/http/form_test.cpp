#include "http/form.hpp"

#include <gtest/gtest.h>

namespace sm::http {
namespace {

FormFields parsed(std::string_view body) {
  Result<FormFields> r = parse_form(body);
  EXPECT_TRUE(r.ok()) << body;
  return r.ok() ? r.value() : FormFields{};
}

TEST(Form, DecodesPlusAndPercentEscapes) {
  FormFields f = parsed("name=J%C3%B6rg+M%C3%BCller&email=a%40example.org&empty=");
  EXPECT_EQ(f.get("name"),
            "J\xC3\xB6rg M\xC3\xBC"
            "ller");
  EXPECT_EQ(f.get("email"), "a@example.org");
  EXPECT_TRUE(f.has("empty"));
  EXPECT_EQ(f.get("empty"), "");
  EXPECT_FALSE(f.has("absent"));
  EXPECT_EQ(f.get("absent"), "");
}

TEST(Form, KeepsOrderAndRepeatedNames) {
  FormFields f = parsed("list=2&x=1&list=5&list=3");
  EXPECT_EQ(f.get("list"), "2");
  EXPECT_EQ(f.get_all("list"), (std::vector<std::string>{"2", "5", "3"}));
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f.all()[1].first, "x");
}

TEST(Form, SkipsEmptyPiecesAndAcceptsNameWithoutEquals) {
  FormFields f = parsed("&a=1&&flag&");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_TRUE(f.has("flag"));
  EXPECT_EQ(f.get("flag"), "");
  EXPECT_TRUE(parsed("").empty());
}

TEST(Form, ValueMayContainEquals) { EXPECT_EQ(parsed("t=a=b%3D").get("t"), "a=b="); }

TEST(Form, RefusesInvalidEscapes) {
  for (std::string_view body : {"a=%", "a=%4", "a=%zz", "%g0=1", "a=1&b=%2"}) {
    Result<FormFields> r = parse_form(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, Errc::invalid_input);
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(Form, RefusesInvalidUtf8) {
  for (std::string_view body :
       {"a=%C3%28", "a=%FF", "a=%C0%AF", "a=%ED%A0%80", "%80=x", "a=%F4%90%80%80", "a=%E2%82"}) {
    Result<FormFields> r = parse_form(body);
    EXPECT_FALSE(r.ok()) << body;
  }
  EXPECT_TRUE(parse_form("a=%F0%9F%98%80&b=%E2%82%AC").ok());
}

TEST(Form, RefusesTooManyFields) {
  std::string body;
  for (int i = 0; i < 1001; ++i) body += "f=" + std::to_string(i) + "&";
  EXPECT_FALSE(parse_form(body).ok());
  EXPECT_TRUE(parse_form(body, FormLimits{.max_fields = 2000}).ok());
  EXPECT_FALSE(parse_form("a=1&b=2&c=3", FormLimits{.max_fields = 2}).ok());
  EXPECT_TRUE(parse_form("a=1&b=2", FormLimits{.max_fields = 2}).ok());
}

TEST(Query, UsesTheSameRules) {
  Result<FormFields> q = parse_query("page=2&q=a+b%2Bc");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->get("page"), "2");
  EXPECT_EQ(q->get("q"), "a b+c");
  EXPECT_FALSE(parse_query("q=%").ok());
}

TEST(Form, EncodeThenParseGivesTheSameFields) {
  FormFields f;
  f.add("a b", "x&y=z+%");
  f.add("\xE2\x82\xAC", "");
  std::string encoded = encode_form(f);
  EXPECT_EQ(encoded, "a%20b=x%26y%3Dz%2B%25&%E2%82%AC=");
  Result<FormFields> back = parse_form(encoded);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->all(), f.all());
}

}  // namespace
}  // namespace sm::http
