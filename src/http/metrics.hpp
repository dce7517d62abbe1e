// Process metrics in the Prometheus text exposition format (version 0.0.4).
//
// The server records every answered request by method, route PATTERN and status, with a
// latency histogram per method and route; raw paths never become labels (they carry tokens
// and would grow without bound). Other layers register their own counters and gauges.
//
// Thread safety: every member may be called from any thread. Recording a request takes a
// shared (reader) lock to find the route's series, then only atomic increments; the
// exclusive lock is taken once per new route and by gauge()/counter() registration.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace sm::http {

// A value that only goes up. Thread-safe.
class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (open connections, queue depth). Thread-safe.
class Gauge {
 public:
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

class Metrics {
 public:
  // Upper bounds in seconds: the Prometheus client libraries' default buckets.
  static constexpr std::array<double, 11> kLatencyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                             0.5,   1.0,  2.5,   5.0,  10.0};

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Records one answered request. `route` is the matched pattern, or "" when none matched.
  void observe_request(Method method, std::string_view route, int status,
                       std::chrono::nanoseconds latency);

  // The counter or gauge called `name` (a Prometheus metric name), created on first use with
  // `help`. The reference stays valid as long as this Metrics; look it up once and keep it,
  // because the look-up takes the exclusive lock.
  Counter& counter(std::string_view name, std::string_view help);
  Gauge& gauge(std::string_view name, std::string_view help);

  // Everything, in the text exposition format, series sorted by name and labels.
  std::string render() const;

 private:
  struct RouteSeries;
  template <class T>
  struct Named {
    std::string help;
    std::unique_ptr<T> value;
  };

  RouteSeries& series(Method method, std::string_view route);
  template <class F>
  void for_each_series(F&& f) const;  // REQUIRES: mu_ held
  void render_requests(std::string& out) const;
  void render_latency(std::string& out) const;

  mutable std::shared_mutex mu_;
  using RouteMap = std::map<std::string, std::unique_ptr<RouteSeries>, std::less<>>;
  std::map<std::string, RouteMap, std::less<>> routes_;  // method name -> route pattern
  std::map<std::string, Named<Counter>, std::less<>> counters_;
  std::map<std::string, Named<Gauge>, std::less<>> gauges_;
};

}  // namespace sm::http
