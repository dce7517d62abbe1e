// Charts drawn on the server as inline SVG, for the report pages: no JavaScript, nothing from
// another origin, readable without the style sheet. Each chart is an <svg role="img"> with a
// <title> and a <desc> naming what it shows; the pages put the same numbers in a table next
// to it, so nothing depends on seeing the picture.
//
// Colours: every series has a class, chart-s1 ... chart-s6, with a presentation-attribute
// colour that static/app.css overrides for the dark theme; text is class chart-text and grid
// lines chart-grid. No style attributes (the CSP allows no inline styles). Labels are escaped.
//
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <vector>

namespace sm {

struct ChartSeries {
  std::string name;            // in the legend
  std::vector<double> values;  // one per label; negative values are drawn as 0
};

struct ChartText {
  std::string id;           // unique on the page; the title and desc ids derive from it
  std::string title;        // the accessible name
  std::string description;  // one sentence: what the axes are
};

// Values over time: one line per series, the labels along the bottom (at most 8 are shown).
std::string line_chart_svg(const ChartText& text, const std::vector<std::string>& labels,
                           const std::vector<ChartSeries>& series);

// Horizontal bars, one group per label with a bar per series. `percent`: values are 0..1
// and are written as percentages.
std::string bar_chart_svg(const ChartText& text, const std::vector<std::string>& labels,
                          const std::vector<ChartSeries>& series, bool percent = false);

// One bar split into parts (each series' first value), with a legend giving each count.
std::string stacked_bar_svg(const ChartText& text, const std::vector<ChartSeries>& parts);

// "1,234"; with percent, 0.1234 as "12.3%".
std::string chart_number(double value, bool percent = false);

}  // namespace sm
