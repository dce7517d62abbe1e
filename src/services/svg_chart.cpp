#include "services/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/html_escape.hpp"

namespace sm {
namespace {

constexpr double kWidth = 640;
constexpr const char* kColours[] = {"#0f6b66", "#b45309", "#1d4f91",
                                    "#7c3aed", "#b42318", "#4f5d68"};
constexpr std::size_t kColourCount = std::size(kColours);

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Shortens a label to `max` characters (UTF-8 aware: never cuts inside a character).
std::string shorten(const std::string& s, std::size_t max) {
  std::size_t chars = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80 && ++chars > max) break;
  }
  if (i >= s.size()) return s;
  return s.substr(0, i) + "\u2026";
}

std::string series_class(std::size_t i) { return "chart-s" + std::to_string(i % kColourCount + 1); }
const char* series_colour(std::size_t i) { return kColours[i % kColourCount]; }

// The smallest 1, 2 or 5 times a power of ten at or above `v` (1 for nothing).
double nice_ceiling(double v) {
  if (v <= 0) return 1;
  double magnitude = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= v) return m * magnitude;
  }
  return 10 * magnitude;
}

double largest(const std::vector<ChartSeries>& series) {
  double top = 0;
  for (const auto& s : series) {
    for (double v : s.values) top = std::max(top, v);
  }
  return top;
}

std::string open_svg(const ChartText& t, double height) {
  return "<svg class=\"chart\" viewBox=\"0 0 " + num(kWidth) + " " + num(height) +
         "\" role=\"img\" aria-labelledby=\"" + html_escape(t.id) + "-title\" aria-describedby=\"" +
         html_escape(t.id) +
         "-desc\" font-family=\"system-ui, sans-serif\" font-size=\"12\"><title id=\"" +
         html_escape(t.id) + "-title\">" + html_escape(t.title) + "</title><desc id=\"" +
         html_escape(t.id) + "-desc\">" + html_escape(t.description) + "</desc>";
}

std::string text_at(double x, double y, const std::string& anchor, const std::string& content) {
  return "<text class=\"chart-text\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" +
         anchor + "\" fill=\"#4f5d68\">" + html_escape(content) + "</text>";
}

std::string swatch(double x, double y, std::size_t i) {
  return "<rect class=\"" + series_class(i) + "\" x=\"" + num(x) + "\" y=\"" + num(y) +
         "\" width=\"12\" height=\"12\" rx=\"2\" fill=\"" + series_colour(i) + "\"/>";
}

// Series names side by side along the top.
std::string legend(const std::vector<ChartSeries>& series, double y) {
  std::string out;
  double x = 56;
  for (std::size_t i = 0; i < series.size(); ++i) {
    out += swatch(x, y - 10, i) + text_at(x + 18, y, "start", series[i].name);
    x += 30 + 7.5 * static_cast<double>(series[i].name.size());
  }
  return out;
}

// The value axis: grid lines every `step` (1, 2 or 5 times a power of ten, whole numbers for
// counts) up to `top`, the first multiple of `step` at or above the largest value.
struct Scale {
  double step = 1;
  double top = 1;
};

Scale scale_for(double largest_value, bool percent) {
  Scale s;
  s.step = nice_ceiling(largest_value / 4);
  if (!percent) s.step = std::max(1.0, s.step);
  s.top = std::max(s.step, s.step * std::ceil(largest_value / s.step));
  if (percent) s.top = std::min(1.0, s.top);
  return s;
}

// Horizontal grid lines with their values on the left of the plot area.
std::string y_grid(double left, double right, double top, double bottom, const Scale& scale,
                   bool percent) {
  std::string out;
  int lines = static_cast<int>(std::lround(scale.top / scale.step));
  for (int i = 0; i <= lines; ++i) {
    double value = scale.step * i;
    double y = bottom - (bottom - top) * value / scale.top;
    out += "<line class=\"chart-grid\" x1=\"" + num(left) + "\" x2=\"" + num(right) + "\" y1=\"" +
           num(y) + "\" y2=\"" + num(y) + "\" stroke=\"#d3dcdf\"/>";
    out += text_at(left - 6, y + 4, "end", chart_number(value, percent));
  }
  return out;
}

std::string no_data(double height) {
  return text_at(kWidth / 2, height / 2, "middle", "No data yet");
}

}  // namespace

std::string chart_number(double value, bool percent) {
  char buf[48];
  if (percent) {
    std::snprintf(buf, sizeof buf, "%.1f%%", value * 100);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.0f", std::max(0.0, value));
  std::string digits = buf;
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string line_chart_svg(const ChartText& text, const std::vector<std::string>& labels,
                           const std::vector<ChartSeries>& series) {
  const double height = 260, left = 56, right = kWidth - 16, top = 36, bottom = height - 40;
  std::string out = open_svg(text, height) + legend(series, 20);
  Scale scale = scale_for(largest(series), false);
  out += y_grid(left, right, top, bottom, scale, false);
  std::size_t n = labels.size();
  if (n == 0 || largest(series) <= 0) return out + no_data(height) + "</svg>";

  auto x_of = [&](std::size_t i) {
    return n == 1 ? (left + right) / 2 : left + (right - left) * static_cast<double>(i) / (n - 1);
  };
  auto y_of = [&](double v) { return bottom - (bottom - top) * std::max(0.0, v) / scale.top; };
  // The first label starts at its point and the last ends at it, so neither leaves the box.
  std::size_t step = (n + 7) / 8;
  for (std::size_t i = 0; i < n; i += step) {
    bool first = i == 0 && n > 1, last = i + 1 == n && n > 1;
    out += text_at(x_of(i), bottom + 18, first ? "start" : last ? "end" : "middle", labels[i]);
  }

  for (std::size_t s = 0; s < series.size(); ++s) {
    std::string points;
    for (std::size_t i = 0; i < n && i < series[s].values.size(); ++i) {
      points += num(x_of(i)) + "," + num(y_of(series[s].values[i])) + " ";
    }
    // Later series are dashed, so a line drawn over another still shows both.
    std::string dash = s > 0 ? "\" stroke-dasharray=\"7 4" : "";
    out += "<polyline class=\"" + series_class(s) +
           "\" fill=\"none\" stroke-width=\"2.5\" stroke=\"" + series_colour(s) + dash +
           "\" points=\"" + points + "\"/>";
    if (n > 60) continue;
    for (std::size_t i = 0; i < n && i < series[s].values.size(); ++i) {
      out += "<circle class=\"" + series_class(s) + "\" cx=\"" + num(x_of(i)) + "\" cy=\"" +
             num(y_of(series[s].values[i])) + "\" r=\"3\" fill=\"" + series_colour(s) +
             "\"><title>" +
             html_escape(series[s].name + ", " + labels[i] + ": " +
                         chart_number(series[s].values[i])) +
             "</title></circle>";
    }
  }
  return out + "</svg>";
}

std::string bar_chart_svg(const ChartText& text, const std::vector<std::string>& labels,
                          const std::vector<ChartSeries>& series, bool percent) {
  const double bar = 14, gap = 12, left = 216, right = kWidth - 72;
  const double top = series.size() > 1 ? 32 : 8;
  const double group = bar * static_cast<double>(series.size()) + gap;
  const double height =
      top + group * static_cast<double>(std::max<std::size_t>(1, labels.size())) + 8;
  std::string out = open_svg(text, height);
  if (series.size() > 1) out += legend(series, 20);
  // Bars are as long as their value against the scale; the labels hold the numbers.
  double max = scale_for(largest(series), percent).top;
  if (labels.empty() || largest(series) <= 0) return out + no_data(height) + "</svg>";

  for (std::size_t g = 0; g < labels.size(); ++g) {
    double y0 = top + group * static_cast<double>(g);
    double middle = y0 + bar * static_cast<double>(series.size()) / 2 + 4;
    out += text_at(left - 8, middle, "end", shorten(labels[g], 28));
    for (std::size_t s = 0; s < series.size(); ++s) {
      double v = g < series[s].values.size() ? std::max(0.0, series[s].values[g]) : 0;
      double w = (right - left) * std::min(1.0, v / max);
      double y = y0 + bar * static_cast<double>(s);
      out += "<rect class=\"" + series_class(s) + "\" x=\"" + num(left) + "\" y=\"" + num(y) +
             "\" width=\"" + num(std::max(w, 1.0)) + "\" height=\"" + num(bar - 2) + "\" fill=\"" +
             series_colour(s) + "\"><title>" +
             html_escape(series[s].name + ", " + labels[g] + ": " + chart_number(v, percent)) +
             "</title></rect>";
      out += text_at(left + w + 6, y + bar - 4, "start", chart_number(v, percent));
    }
  }
  return out + "</svg>";
}

std::string stacked_bar_svg(const ChartText& text, const std::vector<ChartSeries>& parts) {
  const double left = 8, right = kWidth - 8, rows = static_cast<double>((parts.size() + 1) / 2);
  const double height = 56 + 22 * rows;
  std::string out = open_svg(text, height);
  double total = 0;
  for (const auto& p : parts) total += p.values.empty() ? 0 : std::max(0.0, p.values[0]);
  if (total <= 0) return out + no_data(height) + "</svg>";

  double x = left;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    double v = parts[i].values.empty() ? 0 : std::max(0.0, parts[i].values[0]);
    double w = (right - left) * v / total;
    if (w > 0) {
      out += "<rect class=\"" + series_class(i) + "\" x=\"" + num(x) + "\" y=\"8\" width=\"" +
             num(w) + "\" height=\"28\" fill=\"" + series_colour(i) + "\"><title>" +
             html_escape(parts[i].name + ": " + chart_number(v)) + "</title></rect>";
    }
    x += w;
    double lx = left + (i % 2) * (kWidth / 2);
    double ly = 60 + 22 * static_cast<double>(i / 2);
    out += swatch(lx, ly - 10, i) + text_at(lx + 18, ly, "start",
                                            parts[i].name + ": " + chart_number(v) + " (" +
                                                chart_number(v / total, true) + ")");
  }
  return out + "</svg>";
}

}  // namespace sm
