// The server in-process on an ephemeral port, driven over real loopback sockets.
#include "http/server.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <future>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/form.hpp"
#include "http/security_headers.hpp"
#include "integration/http/raw_client.hpp"

namespace sm::http {
namespace {

using namespace std::chrono_literals;
using sm::testing::RawClient;
using sm::testing::RawResponse;

constexpr std::size_t kEchoLimit = 4096;

// A handler that holds its request until the test releases it.
struct SlowGate {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
};

Router test_router(SlowGate& gate) {
  Router r;
  r.get("/hello", [](Request&) { return Response::text("hello"); });
  r.get("/csp", [](Request&) {
    Response res = Response::html("<p>preview</p>");
    res.headers.set("Content-Security-Policy", "sandbox");
    return res;
  });
  r.get("/items/{id}", [](Request& req) { return Response::text(req.param("id")); });
  r.get("/ip", [](Request& req) { return Response::text(req.remote_ip); });
  r.get("/throw", [](Request&) -> Response { throw std::runtime_error("boom"); });
  r.get(
      "/pixel", [](Request&) { return Response::text("px"); },
      RouteOptions{.max_body_bytes = 0, .run_inline = true});
  r.post(
      "/echo",
      [](Request& req) {
        Result<FormFields> form = parse_form(req.body);
        return Response::text(form ? form->get("a") : "invalid", form ? 200 : 400);
      },
      RouteOptions{.max_body_bytes = kEchoLimit});
  r.get("/slow", [&gate](Request&) {
    gate.entered.set_value();
    gate.released.wait_for(10s);
    return Response::text("finally");
  });
  return r;
}

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    options.port = 0;
    router_ = test_router(gate_);
    server_ = std::make_unique<Server>(options, router_, metrics_);
    Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    running_ = std::async(std::launch::async, [this] { server_->run(); });
  }

  void TearDown() override {
    if (!server_) return;
    server_->stop();
    gate_.release.set_value();
    ASSERT_EQ(running_.wait_for(15s), std::future_status::ready);
  }

  std::uint16_t port() const { return server_->port(); }

  std::optional<RawResponse> get(const std::string& target) {
    RawClient c(port());
    c.send("GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    return c.read_response();
  }

  // Bounded polling for state the server reports only through its metrics.
  bool wait_for_gauge(std::string_view line, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (metrics_.render().find(line) != std::string::npos) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  SlowGate gate_;
  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
  std::future<void> running_;
};

void expect_security_headers(const RawResponse& r) {
  EXPECT_EQ(r.header("content-security-policy"), kDefaultCsp);
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.header("referrer-policy"), "same-origin");
}

TEST_F(ServerTest, AnswersWithSecurityHeaders) {
  start();
  auto r = get("/hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  expect_security_headers(*r);
  EXPECT_EQ(r->header("strict-transport-security"), "");
}

TEST_F(ServerTest, HstsWhenEnabled) {
  start(ServerOptions{.hsts = true});
  auto r = get("/hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("strict-transport-security"), "max-age=31536000");
}

TEST_F(ServerTest, HandlerMayChooseItsOwnPolicy) {
  start();
  auto r = get("/csp");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("content-security-policy"), "sandbox");
  EXPECT_EQ(r->header("x-content-type-options"), "nosniff");
}

TEST_F(ServerTest, PathParametersArePercentDecoded) {
  start();
  auto r = get("/items/a%20b");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "a b");
  auto ip = get("/ip");
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->body, "127.0.0.1");
  auto px = get("/pixel");
  ASSERT_TRUE(px);
  EXPECT_EQ(px->body, "px");
}

TEST_F(ServerTest, MalformedRequestIs400AndServerKeepsServing) {
  start();
  for (std::string bad :
       {"GARBAGE\r\n\r\n", "GET /hello HTTP/9\r\n\r\n", "GET /a%00b HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n"}) {
    RawClient c(port());
    c.send(bad);
    auto r = c.read_response();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    expect_security_headers(*r);
  }
  auto ok = get("/hello");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServerTest, UnknownRouteIsPlain404) {
  start();
  auto r = get("/nowhere");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r->body, "Not Found.\n");
}

TEST_F(ServerTest, HugeHeaderIs431) {
  start();
  RawClient c(port());
  c.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
}

TEST_F(ServerTest, BodyOverRouteLimitIs413) {
  start();
  RawClient c(port());
  std::string body(kEchoLimit + 1, 'x');
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body);
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServerTest, ChunkedBodyOverRouteLimitIs413) {
  start();
  RawClient c(port());
  std::string chunk(3000, 'x');
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nbb8\r\n" + chunk +
         "\r\nbb8\r\n" + chunk + "\r\n0\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServerTest, FormBodyReachesHandler) {
  start();
  RawClient c(port());
  std::string body = "a=J%C3%B6rg+M&b=2";
  c.send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded"
      "\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "J\xC3\xB6rg M");
}

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// libcurl sends "Expect: 100-continue" for bodies over 1 KB and waits for the interim answer.
TEST_F(ServerTest, CurlPostWithExpectContinue) {
  start();
  std::string body = "a=" + std::string(2000, 'z');
  std::string url = "http://127.0.0.1:" + std::to_string(port()) + "/echo";
  std::string received;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 5000L);  // fail if we never say 100
  auto started = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  ASSERT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(received, std::string(2000, 'z'));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(ServerTest, HeadHasLengthButNoBodyAndConnectionStaysUsable) {
  start();
  RawClient c(port());
  c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  auto head = c.read_response(5000ms, /*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "5");
  c.send("GET /items/7 HTTP/1.1\r\nHost: t\r\n\r\n");
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "7");  // so no stray body bytes were sent after the HEAD answer
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  start();
  RawClient c(port());
  c.send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "GET, HEAD");
}

TEST_F(ServerTest, KeepAliveAndPipelining) {
  start();
  RawClient c(port());
  c.send("GET /items/1 HTTP/1.1\r\nHost: t\r\n\r\nGET /items/2 HTTP/1.1\r\nHost: t\r\n\r\n");
  auto first = c.read_response();
  auto second = c.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "1");
  EXPECT_EQ(second->body, "2");
  c.send("GET /items/3 HTTP/1.1\r\nHost: t\r\n\r\n");
  auto third = c.read_response();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->body, "3");
}

TEST_F(ServerTest, HandlerExceptionIs500PlainPage) {
  start();
  auto r = get("/throw");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "Internal Server Error.\n");
  expect_security_headers(*r);
  auto ok = get("/hello");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServerTest, SlowlorisIsCutOffByTheRequestDeadline) {
  start(ServerOptions{.request_timeout = 1000ms});
  RawClient c(port());
  std::string request = "GET /hello HTTP/1.1\r\nHost: t\r\nX-Pad: " + std::string(100, 'p');
  auto started = std::chrono::steady_clock::now();
  bool closed = false;
  // One byte, then wait up to 200 ms for the server to hang up, and so on: each byte would
  // reset a per-read timeout, but not a whole-request deadline.
  for (char byte : request) {
    if (!c.send(std::string_view(&byte, 1)) || c.wait_closed(200ms)) {
      closed = true;
      break;
    }
    if (std::chrono::steady_clock::now() - started > 5s) break;
  }
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(ServerTest, SilentConnectionIsClosedByTheRequestDeadline) {
  start(ServerOptions{.request_timeout = 300ms});
  RawClient c(port());
  EXPECT_TRUE(c.wait_closed(3s));
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  start(ServerOptions{.idle_timeout = 300ms});
  RawClient c(port());
  c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(c.read_response());
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.wait_closed(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
}

TEST_F(ServerTest, ThousandIdleSocketsDoNotStarveANewClient) {
  start();
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 1000; ++i) {
    idle.push_back(std::make_unique<RawClient>(port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  auto started = std::chrono::steady_clock::now();
  RawClient c(port());
  c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read_response(1000ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST_F(ServerTest, ConnectionsOverTheCapAreClosed) {
  start(ServerOptions{.max_connections = 2});
  RawClient a(port());
  RawClient b(port());
  ASSERT_TRUE(wait_for_gauge("http_open_connections 2\n", 3s));
  RawClient over(port());
  EXPECT_TRUE(over.wait_closed(3s));
  a.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = a.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, StopLetsTheRequestInFlightFinish) {
  start();
  RawClient c(port());
  c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_EQ(gate_.entered.get_future().wait_for(5s), std::future_status::ready);
  RawClient idle(port());
  ASSERT_TRUE(wait_for_gauge("http_open_connections 2\n", 3s));

  server_->stop();
  EXPECT_TRUE(idle.wait_closed(3s));  // an idle connection goes at once
  EXPECT_EQ(running_.wait_for(100ms), std::future_status::timeout);

  gate_.release.set_value();
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "finally");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_EQ(running_.wait_for(5s), std::future_status::ready);
  server_.reset();  // already stopped; TearDown has nothing left to do
}

TEST_F(ServerTest, SecondServerOnTheSamePortFailsClearly) {
  start();
  Router router;
  Metrics metrics;
  ServerOptions options;
  options.port = port();
  Server second(options, router, metrics);
  Status started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, Errc::unavailable);
  EXPECT_NE(started.error().message.find(std::to_string(port())), std::string::npos);
}

TEST_F(ServerTest, MetricsCountByRoutePattern) {
  start();
  ASSERT_TRUE(get("/items/abc"));
  ASSERT_TRUE(get("/nowhere/secret"));
  std::string text = metrics_.render();
  EXPECT_NE(text.find("http_requests_total{method=\"GET\",route=\"/items/{id}\",status=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("route=\"unmatched\",status=\"404\"} 1"), std::string::npos);
  EXPECT_EQ(text.find("abc"), std::string::npos);
  EXPECT_EQ(text.find("secret"), std::string::npos);
}

TEST_F(ServerTest, AccessLogNamesPatternNeverPathQueryOrIp) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  start();
  ASSERT_TRUE(get("/items/tok3n?email=someone%40example.org"));
  server_->stop();
  gate_.release.set_value();
  ASSERT_EQ(running_.wait_for(5s), std::future_status::ready);
  server_.reset();
  spdlog::set_default_logger(previous);

  std::string log = captured.str();
  EXPECT_NE(log.find("http method=GET route=/items/{id} status=200 ms="), std::string::npos) << log;
  EXPECT_EQ(log.find("tok3n"), std::string::npos);
  EXPECT_EQ(log.find("example.org"), std::string::npos);
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("http method=") == std::string::npos) continue;
    EXPECT_EQ(line.find("127.0.0.1"), std::string::npos) << line;  // the client's address
  }
}

}  // namespace
}  // namespace sm::http
