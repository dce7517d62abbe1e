#include "http/router.hpp"

#include <gtest/gtest.h>

namespace sm::http {
namespace {

Handler named(std::string name) {
  return [name](Request&) { return Response::text(name); };
}

Request request(Method method, std::string path) {
  Request req;
  req.method = method;
  req.path = std::move(path);
  return req;
}

std::string run(const Router::Match& m, Request& req) {
  return m.handler ? (*m.handler)(req).body : "<none>";
}

TEST(Router, MatchesLiteralAndParameterSegments) {
  Router router;
  router.get("/", named("root"));
  router.get("/s/{list}", named("subscribe"));
  router.get("/s/{list}/confirm/{token}", named("confirm"));

  Request root = request(Method::get, "/");
  EXPECT_EQ(run(router.match(root), root), "root");

  Request confirm = request(Method::get, "/s/news/confirm/abc");
  Router::Match m = router.match(confirm);
  EXPECT_EQ(run(m, confirm), "confirm");
  EXPECT_EQ(m.pattern, "/s/{list}/confirm/{token}");
  EXPECT_EQ(confirm.route, "/s/{list}/confirm/{token}");
  EXPECT_EQ(confirm.param("list"), "news");
  EXPECT_EQ(confirm.param("token"), "abc");
  EXPECT_EQ(confirm.param("absent"), "");
}

TEST(Router, ParameterNeedsOneNonEmptySegment) {
  Router router;
  router.get("/s/{list}", named("subscribe"));
  for (std::string path : {"/s/", "/s", "/s/a/b", "/s/a/", "/s/..", "/s/."}) {
    Request req = request(Method::get, path);
    EXPECT_EQ(router.match(req).handler, nullptr) << path;
  }
}

TEST(Router, LiteralSegmentBeatsParameterWhateverTheOrder) {
  Router router;
  router.get("/s/{id}", named("param"));
  router.get("/s/new", named("literal"));
  Request req = request(Method::get, "/s/new");
  EXPECT_EQ(run(router.match(req), req), "literal");
  Request other = request(Method::get, "/s/x");
  EXPECT_EQ(run(router.match(other), other), "param");
}

TEST(Router, HeadMatchesGet) {
  Router router;
  router.get("/page", named("page"));
  Request req = request(Method::head, "/page");
  EXPECT_EQ(run(router.match(req), req), "page");
}

TEST(Router, OtherMethodOnKnownPathIsMethodNotAllowedWithAllowList) {
  Router router;
  router.get("/form", named("show"));
  router.post("/form", named("submit"));
  router.add(Method::del, "/thing/{id}", named("delete"));

  Request put = request(Method::put, "/form");
  Router::Match m = router.match(put);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.method_not_allowed);
  EXPECT_EQ(m.allowed, (std::vector<Method>{Method::get, Method::head, Method::post}));

  Request missing = request(Method::get, "/nothing");
  Router::Match none = router.match(missing);
  EXPECT_EQ(none.handler, nullptr);
  EXPECT_FALSE(none.method_not_allowed);
}

TEST(Router, TrailingSlashIsADifferentPath) {
  Router router;
  router.get("/a", named("a"));
  Request req = request(Method::get, "/a/");
  EXPECT_EQ(router.match(req).handler, nullptr);
}

TEST(Router, OptionsTravelWithTheMatch) {
  Router router;
  router.post("/upload", named("upload"), RouteOptions{.max_body_bytes = 10, .run_inline = true});
  Request req = request(Method::post, "/upload");
  Router::Match m = router.match(req);
  ASSERT_NE(m.options, nullptr);
  EXPECT_EQ(m.options->max_body_bytes, 10u);
  EXPECT_TRUE(m.options->run_inline);
}

}  // namespace
}  // namespace sm::http
