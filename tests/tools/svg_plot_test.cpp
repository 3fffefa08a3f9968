// The bench plots' SVG writer: the fitted log-log slope, and what a rendered chart holds.
#include <cmath>
#include <string>

#include <doctest/doctest.h>
#include "tools/svg_plot.h"

using ringlm_cli::log_log_slope;
using ringlm_cli::PlotChart;
using ringlm_cli::PlotSeries;

namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("svg plot: the log-log slope of y = c x^k is k") {
  PlotSeries square{"square", {10, 20, 40, 80}, {300, 1200, 4800, 19200}};
  CHECK(log_log_slope(square) == doctest::Approx(2.0));
  PlotSeries flat{"flat", {16, 32, 64}, {0.2, 0.2, 0.2}};
  CHECK(log_log_slope(flat) == doctest::Approx(0.0));
  PlotSeries with_zero{"zero skipped", {0, 10, 100}, {5, 1, 10}};  // x = 0 has no logarithm
  CHECK(log_log_slope(with_zero) == doctest::Approx(1.0));
  CHECK(std::isnan(log_log_slope(PlotSeries{"one point", {3}, {4}})));
  CHECK(std::isnan(log_log_slope(PlotSeries{"same x", {5, 5}, {1, 2}})));
}

TEST_CASE("svg plot: every chart, series, point and slope is drawn") {
  PlotChart loglog{"cost", "context", "ms", true, true,
                   {PlotSeries{"cached", {32, 64, 128}, {0.1, 0.1, 0.1}},
                    PlotSeries{"recompute", {32, 64, 128}, {1, 2, 4}}}};
  PlotChart linear{"memory <&>", "depth", "MiB", true, false, {PlotSeries{"rss", {100, 1000, -5}, {10, 10, 10}}}};
  const std::string svg = ringlm_cli::render_svg({loglog, linear});
  CHECK(svg.rfind("<svg ", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(svg.find("height=\"800\"") != std::string::npos);  // two charts stacked
  CHECK(count(svg, "<polyline") == 3);
  CHECK(count(svg, "<circle") == 8);  // the point at x = -5 has no place on a log axis
  CHECK(svg.find("recompute (slope 1.00)") != std::string::npos);
  CHECK(svg.find("cached (slope 0.00)") != std::string::npos);
  CHECK(svg.find("rss (slope") == std::string::npos);  // slopes only on log-log charts
  CHECK(svg.find("memory &lt;&amp;&gt;") != std::string::npos);
}
