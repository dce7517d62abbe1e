// Server-drawn charts: accessible, self-contained SVG with escaped labels, no style
// attributes or references elsewhere, and bars and lines where the numbers say.
#include "services/svg_chart.hpp"

#include <gtest/gtest.h>

namespace sm {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

void expect_self_contained(const std::string& svg) {
  EXPECT_EQ(svg.rfind("<svg class=\"chart\"", 0), 0u) << svg;
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
  EXPECT_EQ(svg.find("style="), std::string::npos) << "the CSP blocks style attributes";
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("href"), std::string::npos) << "nothing from anywhere else";
  EXPECT_EQ(svg.find("url("), std::string::npos);
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
}

TEST(SvgChart, LineChartHasTitleLegendAndOnePointPerValue) {
  std::string svg =
      line_chart_svg({"t", "Opens & clicks", "Per hour."}, {"09:00", "10:00", "11:00"},
                     {{"Opens", {3, 10, 0}}, {"Clicks", {1, 2, 0}}});
  expect_self_contained(svg);
  EXPECT_NE(svg.find("<title id=\"t-title\">Opens &amp; clicks</title>"), std::string::npos);
  EXPECT_NE(svg.find("aria-labelledby=\"t-title\" aria-describedby=\"t-desc\""), std::string::npos);
  EXPECT_EQ(count(svg, "<polyline"), 2u);
  EXPECT_EQ(count(svg, "<circle"), 6u);
  EXPECT_NE(svg.find("Opens, 10:00: 10"), std::string::npos);
  EXPECT_EQ(svg.find("No data yet"), std::string::npos);
}

TEST(SvgChart, EmptyDataSaysSo) {
  EXPECT_NE(line_chart_svg({"e", "E", "D"}, {}, {{"Opens", {}}}).find("No data yet"),
            std::string::npos);
  EXPECT_NE(bar_chart_svg({"e", "E", "D"}, {"a"}, {{"Clicks", {0}}}).find("No data yet"),
            std::string::npos);
  EXPECT_NE(stacked_bar_svg({"e", "E", "D"}, {{"Sent", {0}}}).find("No data yet"),
            std::string::npos);
}

TEST(SvgChart, BarsAreProportionalAndLabelsEscaped) {
  std::string svg = bar_chart_svg({"b", "Clicks per link", "D"},
                                  {"1. <evil>.example/", "2. b.example/"}, {{"Clicks", {10, 5}}});
  expect_self_contained(svg);
  EXPECT_NE(svg.find("1. &lt;evil&gt;.example/"), std::string::npos);
  EXPECT_EQ(svg.find("<evil>"), std::string::npos);
  // The scale is 10 wide for 10 clicks: the first bar fills it, the second half of it.
  EXPECT_NE(svg.find("width=\"352.0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("width=\"176.0\""), std::string::npos) << svg;
}

TEST(SvgChart, StackedBarSharesTheWidth) {
  std::string svg = stacked_bar_svg({"s", "States", "D"}, {{"Sent", {3}}, {"Failed", {1}}});
  expect_self_contained(svg);
  EXPECT_NE(svg.find("width=\"468.0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("width=\"156.0\""), std::string::npos);
  EXPECT_NE(svg.find("Sent: 3 (75.0%)"), std::string::npos);
}

TEST(SvgChart, Numbers) {
  EXPECT_EQ(chart_number(0), "0");
  EXPECT_EQ(chart_number(1234567), "1,234,567");
  EXPECT_EQ(chart_number(0.1234, true), "12.3%");
}

}  // namespace
}  // namespace sm
