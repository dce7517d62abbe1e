#include "http/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

namespace sm::http {
namespace {

constexpr int kFirstStatus = 100;
constexpr int kLastStatus = 599;

// Label values may hold any text; the format escapes backslash, quote and newline.
std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string route_labels(std::string_view method, std::string_view route) {
  if (route.empty()) route = "unmatched";
  return fmt::format("method=\"{}\",route=\"{}\"", method, escape_label(route));
}

void header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

// One method and route: counts by status and a cumulative-on-render latency histogram. Only
// atomics, so recording needs no lock once the series exists.
struct Metrics::RouteSeries {
  std::array<std::atomic<std::uint64_t>, kLastStatus - kFirstStatus + 1> by_status{};
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> buckets{};  // last: +Inf
  std::atomic<std::uint64_t> sum_ns{0};
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::RouteSeries& Metrics::series(Method method, std::string_view route) {
  std::string_view name = method_name(method);
  {
    std::shared_lock lock(mu_);
    auto by_method = routes_.find(name);
    if (by_method != routes_.end()) {
      auto it = by_method->second.find(route);
      if (it != by_method->second.end()) return *it->second;
    }
  }
  std::unique_lock lock(mu_);
  auto& slot = routes_[std::string(name)][std::string(route)];
  if (!slot) slot = std::make_unique<RouteSeries>();
  return *slot;
}

void Metrics::observe_request(Method method, std::string_view route, int status,
                              std::chrono::nanoseconds latency) {
  RouteSeries& s = series(method, route);
  int clamped = std::clamp(status, kFirstStatus, kLastStatus);
  s.by_status[clamped - kFirstStatus].fetch_add(1, std::memory_order_relaxed);

  double seconds = std::chrono::duration<double>(latency).count();
  std::size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  s.sum_ns.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0)),
                     std::memory_order_relaxed);
}

Counter& Metrics::counter(std::string_view name, std::string_view help) {
  std::unique_lock lock(mu_);
  auto& slot = counters_[std::string(name)];
  if (!slot.value) slot = Named<Counter>{std::string(help), std::make_unique<Counter>()};
  return *slot.value;
}

Gauge& Metrics::gauge(std::string_view name, std::string_view help) {
  std::unique_lock lock(mu_);
  auto& slot = gauges_[std::string(name)];
  if (!slot.value) slot = Named<Gauge>{std::string(help), std::make_unique<Gauge>()};
  return *slot.value;
}

template <class F>
void Metrics::for_each_series(F&& f) const {
  for (const auto& [method, by_route] : routes_) {
    for (const auto& [route, series] : by_route) f(route_labels(method, route), *series);
  }
}

void Metrics::render_requests(std::string& out) const {
  header(out, "http_requests_total", "Requests answered, by method, route pattern and status.",
         "counter");
  for_each_series([&](const std::string& labels, const RouteSeries& s) {
    for (std::size_t i = 0; i < s.by_status.size(); ++i) {
      std::uint64_t n = s.by_status[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out +=
          fmt::format("http_requests_total{{{},status=\"{}\"}} {}\n", labels, i + kFirstStatus, n);
    }
  });
}

void Metrics::render_latency(std::string& out) const {
  constexpr std::string_view name = "http_request_duration_seconds";
  header(out, name, "Time from the first byte of a request to its response being ready.",
         "histogram");
  for_each_series([&](const std::string& labels, const RouteSeries& s) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += s.buckets[i].load(std::memory_order_relaxed);
      out += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, labels, kLatencyBuckets[i],
                         cumulative);
    }
    cumulative += s.buckets.back().load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels, cumulative);
    double sum = static_cast<double>(s.sum_ns.load(std::memory_order_relaxed)) / 1e9;
    out += fmt::format("{}_sum{{{}}} {}\n", name, labels, sum);
    out += fmt::format("{}_count{{{}}} {}\n", name, labels, cumulative);
  });
}

std::string Metrics::render() const {
  std::shared_lock lock(mu_);
  std::string out;
  render_requests(out);
  render_latency(out);
  for (const auto& [name, c] : counters_) {
    header(out, name, c.help, "counter");
    out += fmt::format("{} {}\n", name, c.value->value());
  }
  for (const auto& [name, g] : gauges_) {
    header(out, name, g.help, "gauge");
    out += fmt::format("{} {}\n", name, g.value->value());
  }
  return out;
}

}  // namespace sm::http
