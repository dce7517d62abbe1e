#include "core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sm::log {

void init(std::string_view level) {
  auto logger = spdlog::stderr_logger_mt("smartmessages");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

bool allow(std::string_view key, int per_minute) {
  struct Window {
    std::int64_t minute = 0;
    int count = 0;
  };
  static std::mutex mu;
  static std::unordered_map<std::string, Window> windows;

  using namespace std::chrono;
  auto minute = duration_cast<minutes>(steady_clock::now().time_since_epoch()).count();
  std::lock_guard lock(mu);
  auto& w = windows[std::string(key)];
  if (w.minute != minute) w = Window{minute, 0};
  return ++w.count <= per_minute;
}

}  // namespace sm::log
