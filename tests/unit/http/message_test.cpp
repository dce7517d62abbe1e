#include "http/message.hpp"

#include <gtest/gtest.h>

#include "http/cookie.hpp"
#include "http/security_headers.hpp"
#include "http/target.hpp"

namespace sm::http {
namespace {

TEST(Headers, NamesCompareCaseInsensitively) {
  Headers h;
  h.add("Content-Type", "text/plain");
  EXPECT_EQ(h.get("content-type"), "text/plain");
  EXPECT_EQ(h.get("CONTENT-TYPE"), "text/plain");
  EXPECT_TRUE(h.has("cOnTeNt-TyPe"));
  EXPECT_EQ(h.get("Content-Length"), "");
}

TEST(Headers, SetReplacesEveryValueOfTheName) {
  Headers h;
  h.add("Vary", "a");
  h.add("vary", "b");
  h.set("VARY", "c");
  ASSERT_EQ(h.all().size(), 1u);
  EXPECT_EQ(h.get("Vary"), "c");
}

TEST(Cookie, ParsesPairsTrimmingSpacesAndQuotes) {
  auto cookies = parse_cookie_header(" a=1;b = \"two\" ; junk; =x; c=");
  ASSERT_EQ(cookies.size(), 3u);
  EXPECT_EQ(cookies[0].first, "a");
  EXPECT_EQ(cookies[1].second, "two");
  EXPECT_EQ(cookies[2].first, "c");
  EXPECT_EQ(cookies[2].second, "");
  EXPECT_EQ(find_cookie("x=1; sid=abc", "sid"), "abc");
  EXPECT_FALSE(find_cookie("x=1; sidx=abc", "sid").has_value());
}

TEST(Cookie, RequestLooksAtEveryCookieHeader) {
  Request req;
  req.headers.add("Cookie", "theme=dark");
  req.headers.add("cookie", "sid=s3cr3t");
  EXPECT_EQ(req.cookie("sid"), "s3cr3t");
  EXPECT_EQ(req.cookie("theme"), "dark");
  EXPECT_FALSE(req.cookie("absent").has_value());
}

TEST(SessionCookie, IsHttpOnlyLaxAndHasNoExpiry) {
  std::string c = session_cookie("sid", "abc", false);
  EXPECT_EQ(c, "sid=abc; Path=/; HttpOnly; SameSite=Lax");
  EXPECT_EQ(c.find("Expires"), std::string::npos);
  EXPECT_EQ(c.find("Max-Age"), std::string::npos);
  EXPECT_EQ(session_cookie("sid", "abc", true), "sid=abc; Path=/; HttpOnly; SameSite=Lax; Secure");
}

TEST(SessionCookie, ClearingExpiresItAtOnce) {
  EXPECT_EQ(session_cookie("sid", "", true, true),
            "sid=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure");
}

TEST(Request, DoNotTrackFromDntOrGpc) {
  Request req;
  EXPECT_FALSE(req.do_not_track());
  req.headers.add("DNT", "0");
  EXPECT_FALSE(req.do_not_track());
  req.headers.add("Sec-GPC", " 1");
  EXPECT_TRUE(req.do_not_track());
}

TEST(Response, FactoriesSetTypeAndStatus) {
  EXPECT_EQ(Response::html("<p>").headers.get("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(Response::json("{}", 201).status, 201);
  Response see = Response::see_other("/done");
  EXPECT_EQ(see.status, 303);
  EXPECT_EQ(see.headers.get("Location"), "/done");
  Response nf = Response::not_found_text();
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.body, "Not Found.\n");
}

TEST(Response, ProblemIsEscapedJson) {
  Response p = Response::problem(422, "Bad \"field\"", "line\nbreak \\");
  EXPECT_EQ(p.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(p.body,
            "{\"type\":\"about:blank\",\"title\":\"Bad \\\"field\\\"\",\"status\":422,"
            "\"detail\":\"line\\u000abreak \\\\\"}");
}

TEST(Method, NamesRoundTrip) {
  for (Method m : {Method::get, Method::head, Method::post, Method::put, Method::patch, Method::del,
                   Method::options}) {
    EXPECT_EQ(method_from_name(method_name(m)), m);
  }
  EXPECT_EQ(method_from_name("get"), Method::other);
  EXPECT_EQ(method_from_name("BREW"), Method::other);
}

TEST(SecurityHeaders, AddedWhenAbsentKeptWhenSet) {
  Headers h;
  h.set("Content-Security-Policy", "sandbox");
  add_security_headers(h, false);
  EXPECT_EQ(h.get("Content-Security-Policy"), "sandbox");
  EXPECT_EQ(h.get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(h.get("Referrer-Policy"), "same-origin");
  EXPECT_FALSE(h.has("Strict-Transport-Security"));

  Headers fresh;
  add_security_headers(fresh, true);
  EXPECT_EQ(fresh.get("Content-Security-Policy"), kDefaultCsp);
  EXPECT_EQ(fresh.get("Strict-Transport-Security"), "max-age=31536000");
}

Request with_target(std::string target) {
  Request req;
  req.target = std::move(target);
  return req;
}

TEST(Target, SplitsPathAndQueryAndDecodesThePathOnly) {
  Request req = with_target("/s/a%20b+c?x=%20&y");
  ASSERT_TRUE(parse_target(req).ok());
  EXPECT_EQ(req.path, "/s/a b+c");
  EXPECT_EQ(req.query, "x=%20&y");
}

TEST(Target, RefusesNulControlsBadEscapesAndNonOriginForm) {
  for (std::string t : {"/a%00b", "/a%0a", "/a%", "/a%zz", "http://x/", "*", "", "/%1"}) {
    Request req = with_target(t);
    EXPECT_FALSE(parse_target(req).ok()) << t;
  }
}

}  // namespace
}  // namespace sm::http
