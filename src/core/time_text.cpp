#include "core/time_text.hpp"

#include <cstdint>
#include <cstdio>
#include <ctime>

namespace sm {
namespace {

// The number written in `text` at [at, at + digits), or -1 when any of them is not a digit.
int digits_at(std::string_view text, std::size_t at, std::size_t digits) {
  if (at + digits > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Parsed {
  Millis at = 0;
  std::size_t end = 0;  // where the date-time stopped
};

// "YYYY-MM-DDTHH:MM" with optional ":SS" and fraction, read as UTC.
std::optional<Parsed> date_time(std::string_view t, bool seconds_required) {
  const int year = digits_at(t, 0, 4);
  const int month = digits_at(t, 5, 2);
  const int day = digits_at(t, 8, 2);
  const int hour = digits_at(t, 11, 2);
  const int minute = digits_at(t, 14, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || t.size() < 16 || t[4] != '-' ||
      t[7] != '-' || t[13] != ':' || (t[10] != 'T' && t[10] != 't' && t[10] != ' ')) {
    return std::nullopt;
  }
  if (day > days_in_month(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return std::nullopt;
  }
  std::size_t i = 16;
  int second = 0;
  Millis fraction = 0;
  if (i < t.size() && t[i] == ':') {
    second = digits_at(t, i + 1, 2);
    if (second < 0 || second > 60) return std::nullopt;  // 60: a leap second, read as 59+1
    i += 3;
    if (i < t.size() && t[i] == '.') {
      Millis scale = 100;
      std::size_t first = ++i;
      for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
        fraction += (t[i] - '0') * scale;
        scale /= 10;
      }
      if (i == first) return std::nullopt;
    }
  } else if (seconds_required) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(year, month, day);
  const Millis at = (((days * 24 + hour) * 60 + minute) * 60 + second) * kSecond + fraction;
  return Parsed{at, i};
}

std::string format(Millis when, const char* pattern) {
  const auto t = static_cast<std::time_t>(when / 1000 - (when % 1000 < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, pattern, &tm);
  return buf;
}

}  // namespace

std::optional<Millis> parse_rfc3339(std::string_view text) {
  auto parsed = date_time(text, true);
  if (!parsed) return std::nullopt;
  std::string_view zone = text.substr(parsed->end);
  if (zone == "Z" || zone == "z") return parsed->at;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') {
    return std::nullopt;
  }
  const int hours = digits_at(zone, 1, 2);
  const int minutes = digits_at(zone, 4, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return std::nullopt;
  const Millis offset = (hours * 60 + minutes) * kMinute;
  return zone[0] == '+' ? parsed->at - offset : parsed->at + offset;
}

std::optional<Millis> parse_datetime_local(std::string_view text) {
  auto parsed = date_time(text, false);
  if (!parsed || parsed->end != text.size()) return std::nullopt;
  return parsed->at;
}

std::string format_rfc3339(Millis when) { return format(when, "%Y-%m-%dT%H:%M:%SZ"); }

std::string format_datetime_local(Millis when) { return format(when, "%Y-%m-%dT%H:%M"); }

}  // namespace sm
