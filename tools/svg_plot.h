// Line charts as standalone SVG, for `ringlm bench --plot`: one or more charts stacked in one
// image, each with its axes (linear or logarithmic), ticks, a legend, and on log-log charts the
// least-squares slope of every series (the exponent k of y ~ x^k).
#pragma once

#include <string>
#include <vector>

namespace ringlm_cli {

struct PlotSeries {
  std::string name;
  std::vector<double> x, y;  // same length; points with a non-positive value on a log axis are skipped
};

struct PlotChart {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  std::vector<PlotSeries> series;
};

// The slope of log(y) against log(x) by least squares; NaN with fewer than two usable points.
double log_log_slope(const PlotSeries& s);

// The SVG document: the charts one below the other.
std::string render_svg(const std::vector<PlotChart>& charts);

// Writes the SVG to `path` (through the CLI's output-file rules); false after printing why.
bool write_svg(const char* tool, const std::string& path, const std::vector<PlotChart>& charts);

}  // namespace ringlm_cli
