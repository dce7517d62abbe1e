#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace sm::http {
namespace {

using std::chrono::milliseconds;

bool contains(const std::string& text, std::string_view line) {
  return text.find(line) != std::string::npos;
}

TEST(Metrics, CountsByMethodRouteAndStatus) {
  Metrics m;
  m.observe_request(Method::get, "/s/{id}", 200, milliseconds(3));
  m.observe_request(Method::get, "/s/{id}", 200, milliseconds(30));
  m.observe_request(Method::post, "/s/{id}", 303, milliseconds(700));
  m.observe_request(Method::get, "", 404, milliseconds(1));
  std::string text = m.render();

  EXPECT_TRUE(contains(text, "# TYPE http_requests_total counter\n"));
  EXPECT_TRUE(contains(text,
                       "http_requests_total{method=\"GET\",route=\"/s/{id}\","
                       "status=\"200\"} 2\n"));
  EXPECT_TRUE(contains(text,
                       "http_requests_total{method=\"POST\",route=\"/s/{id}\","
                       "status=\"303\"} 1\n"));
  EXPECT_TRUE(contains(text, "route=\"unmatched\",status=\"404\"} 1\n"));
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics m;
  m.observe_request(Method::get, "/a", 200, milliseconds(3));
  m.observe_request(Method::get, "/a", 200, milliseconds(30));
  m.observe_request(Method::get, "/a", 200, milliseconds(20000));
  std::string text = m.render();
  std::string prefix = "http_request_duration_seconds_bucket{method=\"GET\",route=\"/a\",";
  EXPECT_TRUE(contains(text, prefix + "le=\"0.005\"} 1\n"));
  EXPECT_TRUE(contains(text, prefix + "le=\"0.025\"} 1\n"));
  EXPECT_TRUE(contains(text, prefix + "le=\"0.05\"} 2\n"));
  EXPECT_TRUE(contains(text, prefix + "le=\"10\"} 2\n"));
  EXPECT_TRUE(contains(text, prefix + "le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(contains(text, "http_request_duration_seconds_count{method=\"GET\",route=\"/a\"} 3"));
  EXPECT_TRUE(
      contains(text, "http_request_duration_seconds_sum{method=\"GET\",route=\"/a\"} 20.033"));
}

TEST(Metrics, GaugesAndCountersAreRegisteredOnce) {
  Metrics m;
  Gauge& g = m.gauge("queue_depth", "Jobs waiting.");
  g.add(3);
  g.add(-1);
  EXPECT_EQ(&m.gauge("queue_depth", "ignored"), &g);
  m.counter("emails_sent_total", "Emails handed to the relay.").inc(5);
  std::string text = m.render();
  EXPECT_TRUE(contains(text,
                       "# HELP queue_depth Jobs waiting.\n# TYPE queue_depth gauge\n"
                       "queue_depth 2\n"));
  EXPECT_TRUE(contains(text, "# TYPE emails_sent_total counter\nemails_sent_total 5\n"));
}

TEST(Metrics, LabelValuesAreEscaped) {
  Metrics m;
  m.observe_request(Method::get, "/a\"b\\c\nd", 200, milliseconds(1));
  EXPECT_TRUE(contains(m.render(), "route=\"/a\\\"b\\\\c\\nd\""));
}

TEST(Metrics, ConcurrentRecordingLosesNothing) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < 1000; ++i) {
        m.observe_request(Method::get, "/r" + std::to_string(i % 3), 200, milliseconds(t));
      }
    });
  }
  for (auto& t : threads) t.join();
  std::string text = m.render();
  EXPECT_TRUE(contains(text, "route=\"/r0\",status=\"200\"} 1336\n"));
  EXPECT_TRUE(contains(text, "route=\"/r1\",status=\"200\"} 1332\n"));
}

}  // namespace
}  // namespace sm::http
