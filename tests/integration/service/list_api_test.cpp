// /api/v1/lists and /api/v1/fields through the router in-process, on both engines: every
// method, problem+json errors naming the member, and another account's ids answering 404.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "api/routes.hpp"
#include "http/router.hpp"
#include "services/api_keys.hpp"
#include "test_app.hpp"

namespace sm::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ListApiTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  ListApiTest() : t_(GetParam()) {
    api::add_list_api(router_, t_.app());
    mine_ = services::create_api_key(t_.app(), t_.create_account("Mine", "a@mine.test"), "k")->key;
    theirs_ =
        services::create_api_key(t_.app(), t_.create_account("Theirs", "b@theirs.test"), "k")->key;
  }

  // The reply to `m path` with `body` as JSON under `key`; 404 text when no route matches.
  http::Response call(http::Method m, const std::string& path, const json& body = nullptr,
                      const std::string& key = "") {
    http::Request req;
    req.method = m;
    req.path = path;
    req.target = path;
    req.body = body.is_null() ? "" : body.dump();
    req.headers.set("Authorization", "Bearer " + (key.empty() ? mine_ : key));
    req.headers.set("Content-Type", "application/json");
    auto match = router_.match(req);
    if (match.handler == nullptr) return http::Response::not_found_text();
    return (*match.handler)(req);
  }

  static json body_of(const http::Response& r) { return json::parse(r.body, nullptr, false); }

  TestApp t_;
  http::Router router_;
  std::string mine_;
  std::string theirs_;
};

TEST_P(ListApiTest, CreatesReadsUpdatesAndDeletesLists) {
  auto made =
      call(http::Method::post, "/api/v1/lists", {{"name", "News"}, {"description", "Weekly."}});
  ASSERT_EQ(made.status, 201) << made.body;
  json l = body_of(made);
  EXPECT_EQ(l["name"], "News");
  EXPECT_EQ(l["description"], "Weekly.");
  EXPECT_EQ(l["public_id"].get<std::string>().size(), 12u);
  EXPECT_EQ(l["subscribe_url"], "http://127.0.0.1:8080/s/" + l["public_id"].get<std::string>());
  const std::string path = "/api/v1/lists/" + std::to_string(l["id"].get<std::int64_t>());

  auto all = body_of(call(http::Method::get, "/api/v1/lists"));
  ASSERT_EQ(all["lists"].size(), 1u);
  EXPECT_EQ(all["lists"][0]["counts"]["pending"], 0);

  auto patched = call(http::Method::patch, path, {{"name", "Daily news"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(body_of(patched)["name"], "Daily news");
  EXPECT_EQ(body_of(patched)["description"], "Weekly.");
  EXPECT_EQ(body_of(call(http::Method::get, path))["name"], "Daily news");

  EXPECT_EQ(call(http::Method::del, path).status, 204);
  EXPECT_EQ(call(http::Method::get, path).status, 404);
  EXPECT_EQ(call(http::Method::del, path).status, 404);
}

TEST_P(ListApiTest, ErrorsAreProblemsNamingTheMember) {
  auto no_name = call(http::Method::post, "/api/v1/lists", {{"description", "x"}});
  EXPECT_EQ(no_name.status, 422);
  EXPECT_EQ(no_name.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(body_of(no_name)["field"], "name");
  auto bad_type = call(http::Method::post, "/api/v1/lists", {{"name", 5}});
  EXPECT_EQ(body_of(bad_type)["field"], "name");
  auto tag = call(http::Method::post, "/api/v1/lists",
                  {{"name", "N"}, {"confirm_body", "{{confirm_url}} {{shoe_size}}"}});
  EXPECT_EQ(tag.status, 422);
  EXPECT_EQ(body_of(tag)["field"], "confirm_body");
  EXPECT_THAT(body_of(tag)["detail"].get<std::string>(), HasSubstr("{{shoe_size}}"));
  EXPECT_EQ(call(http::Method::post, "/api/v1/lists", json::array()).status, 422);
  EXPECT_EQ(call(http::Method::get, "/api/v1/lists", nullptr, "sm_wrong").status, 401);
}

TEST_P(ListApiTest, AnotherAccountsIdsAnswer404) {
  auto l = body_of(call(http::Method::post, "/api/v1/lists", {{"name", "Mine"}}));
  auto f = body_of(call(http::Method::post, "/api/v1/fields", {{"key", "city"}, {"label", "C"}}));
  const std::string list = "/api/v1/lists/" + std::to_string(l["id"].get<std::int64_t>());
  const std::string field = "/api/v1/fields/" + std::to_string(f["id"].get<std::int64_t>());
  EXPECT_EQ(call(http::Method::get, list, nullptr, theirs_).status, 404);
  EXPECT_EQ(call(http::Method::patch, list, {{"name", "x"}}, theirs_).status, 404);
  EXPECT_EQ(call(http::Method::del, list, nullptr, theirs_).status, 404);
  EXPECT_EQ(call(http::Method::del, field, nullptr, theirs_).status, 404);
  EXPECT_TRUE(body_of(call(http::Method::get, "/api/v1/lists", nullptr, theirs_))["lists"].empty());
  EXPECT_EQ(call(http::Method::get, list).status, 200);
  EXPECT_EQ(call(http::Method::get, "/api/v1/lists/nope").status, 404);
}

TEST_P(ListApiTest, DeclaresListsAndRemovesFields) {
  auto made =
      call(http::Method::post, "/api/v1/fields",
           {{"key", "size"}, {"label", "Size"}, {"type", "choice"}, {"choices", {"S", "M", "L"}}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(body_of(made)["type"], "choice");
  EXPECT_EQ(body_of(made)["choices"].size(), 3u);

  auto health =
      call(http::Method::post, "/api/v1/fields", {{"key", "health_notes"}, {"label", "Notes"}});
  EXPECT_EQ(health.status, 422);
  EXPECT_EQ(body_of(health)["field"], "key");
  EXPECT_THAT(body_of(health)["detail"].get<std::string>(), HasSubstr("article 9"));
  auto bad = call(http::Method::post, "/api/v1/fields",
                  {{"key", "k"}, {"label", "K"}, {"type", "colour"}});
  EXPECT_EQ(body_of(bad)["field"], "type");

  auto all = body_of(call(http::Method::get, "/api/v1/fields"));
  ASSERT_EQ(all["fields"].size(), 1u);
  const std::string path = "/api/v1/fields/" + std::to_string(all["fields"][0]["id"].get<int>());
  EXPECT_EQ(call(http::Method::del, path).status, 204);
  EXPECT_TRUE(body_of(call(http::Method::get, "/api/v1/fields"))["fields"].empty());
}

SM_INSTANTIATE_FOR_ENGINES(ListApiTest);

}  // namespace
}  // namespace sm::testing
