// svg_plot.h: line charts as SVG text.
#include "svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "devtools/devtools.h"

namespace ringlm_cli {

namespace {

constexpr double kWidth = 720, kChartHeight = 400;
constexpr double kLeft = 80, kRight = 20, kTop = 40, kBottom = 60;  // margins around the plot area
const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

// "1000" -> "1k"; tick labels stay short.
std::string tick_label(double v) {
  const double a = std::fabs(v);
  if (a >= 1e6) return format("%gM", v / 1e6);
  if (a >= 1e3) return format("%gk", v / 1e3);
  return format("%g", v);
}

bool usable(double v, bool log_axis) { return std::isfinite(v) && (!log_axis || v > 0); }

// One axis: the data range mapped onto [from, to] pixels, linear or by log10.
struct Scale {
  double lo = 0, hi = 1, from = 0, to = 1;
  bool log = false;

  double px(double v) const {
    const double t = log ? (std::log10(v) - lo) / (hi - lo) : (v - lo) / (hi - lo);
    return from + t * (to - from);
  }
  // Tick values: powers of ten (with 2 and 5 between when few) on a log axis, a 1-2-5 step on a linear one.
  std::vector<double> ticks() const {
    std::vector<double> out;
    if (log) {
      const bool dense = hi - lo < 2.5;
      for (double e = std::floor(lo); e <= std::ceil(hi); e += 1) {
        for (double m : {1.0, 2.0, 5.0}) {
          if (m != 1.0 && !dense) continue;
          const double v = m * std::pow(10.0, e);
          if (std::log10(v) >= lo - 1e-9 && std::log10(v) <= hi + 1e-9) out.push_back(v);
        }
      }
      return out;
    }
    const double raw = (hi - lo) / 6, mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
    for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      out.push_back(std::fabs(v) < step * 1e-6 ? 0.0 : v);  // no "-0" from rounding
    }
    return out;
  }
};

Scale scale_of(const PlotChart& c, bool x_axis, double from, double to) {
  Scale s;
  s.log = x_axis ? c.log_x : c.log_y;
  s.from = from;
  s.to = to;
  double lo = INFINITY, hi = -INFINITY;
  for (const PlotSeries& ser : c.series) {
    for (size_t i = 0; i < ser.x.size() && i < ser.y.size(); ++i) {
      if (!usable(ser.x[i], c.log_x) || !usable(ser.y[i], c.log_y)) continue;
      const double v = x_axis ? ser.x[i] : ser.y[i];
      lo = std::min(lo, s.log ? std::log10(v) : v);
      hi = std::max(hi, s.log ? std::log10(v) : v);
    }
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (!s.log && !x_axis) lo = std::min(lo, 0.0);  // linear y axes start at zero
  const double pad = s.log ? 0.1 : (hi - lo) * 0.05;
  s.lo = lo - (x_axis && !s.log ? 0 : pad);
  // Room above the data for the legend (one line per series) on y axes.
  s.hi = hi + pad + (x_axis ? 0 : (hi - lo + (s.log ? 0.5 : 0)) * 0.08 * static_cast<double>(c.series.size()));
  if (s.hi <= s.lo) s.hi = s.lo + 1;
  return s;
}

void chart_svg(const PlotChart& c, double top, std::string& out) {
  const double x0 = kLeft, x1 = kWidth - kRight, y0 = top + kChartHeight - kBottom, y1 = top + kTop;
  const Scale sx = scale_of(c, true, x0, x1), sy = scale_of(c, false, y0, y1);
  out += "<text x=\"" + format("%.1f", kWidth / 2) + "\" y=\"" + format("%.1f", top + 24) +
         "\" text-anchor=\"middle\" font-size=\"16\">" + escape(c.title) + "</text>\n";
  out += "<rect x=\"" + format("%.1f", x0) + "\" y=\"" + format("%.1f", y1) + "\" width=\"" + format("%.1f", x1 - x0) +
         "\" height=\"" + format("%.1f", y0 - y1) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  for (double t : sx.ticks()) {
    const double px = sx.px(t);
    out += "<line x1=\"" + format("%.1f", px) + "\" y1=\"" + format("%.1f", y1) + "\" x2=\"" + format("%.1f", px) +
           "\" y2=\"" + format("%.1f", y0) + "\" stroke=\"#ddd\"/>\n";
    out += "<text x=\"" + format("%.1f", px) + "\" y=\"" + format("%.1f", y0 + 18) +
           "\" text-anchor=\"middle\" font-size=\"12\">" + tick_label(t) + "</text>\n";
  }
  for (double t : sy.ticks()) {
    const double py = sy.px(t);
    out += "<line x1=\"" + format("%.1f", x0) + "\" y1=\"" + format("%.1f", py) + "\" x2=\"" + format("%.1f", x1) +
           "\" y2=\"" + format("%.1f", py) + "\" stroke=\"#ddd\"/>\n";
    out += "<text x=\"" + format("%.1f", x0 - 6) + "\" y=\"" + format("%.1f", py + 4) +
           "\" text-anchor=\"end\" font-size=\"12\">" + tick_label(t) + "</text>\n";
  }
  out += "<text x=\"" + format("%.1f", (x0 + x1) / 2) + "\" y=\"" + format("%.1f", y0 + 42) +
         "\" text-anchor=\"middle\" font-size=\"13\">" + escape(c.x_label) + "</text>\n";
  out += "<text transform=\"translate(" + format("%.1f", 22) + "," + format("%.1f", (y0 + y1) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">" + escape(c.y_label) + "</text>\n";
  for (size_t k = 0; k < c.series.size(); ++k) {
    const PlotSeries& s = c.series[k];
    const char* color = kColors[k % (sizeof kColors / sizeof kColors[0])];
    std::string points;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!usable(s.x[i], c.log_x) || !usable(s.y[i], c.log_y)) continue;
      const std::string p = format("%.1f", sx.px(s.x[i])) + "," + format("%.1f", sy.px(s.y[i]));
      points += (points.empty() ? "" : " ") + p;
      out += "<circle cx=\"" + p.substr(0, p.find(',')) + "\" cy=\"" + p.substr(p.find(',') + 1) + "\" r=\"3\" fill=\"" +
             color + "\"/>\n";
    }
    out += std::string("<polyline fill=\"none\" stroke=\"") + color + "\" stroke-width=\"2\" points=\"" + points + "\"/>\n";
    std::string label = s.name;
    const double slope = c.log_x && c.log_y ? log_log_slope(s) : NAN;
    // A flat line's slope can come out as a rounding error below zero: no "-0.00".
    if (std::isfinite(slope)) label += " (slope " + format("%.2f", std::fabs(slope) < 0.005 ? 0.0 : slope) + ")";
    const double ly = y1 + 18 + 18 * static_cast<double>(k);
    out += "<line x1=\"" + format("%.1f", x0 + 12) + "\" y1=\"" + format("%.1f", ly - 4) + "\" x2=\"" +
           format("%.1f", x0 + 36) + "\" y2=\"" + format("%.1f", ly - 4) + "\" stroke=\"" + color +
           "\" stroke-width=\"2\"/>\n";
    out += "<text x=\"" + format("%.1f", x0 + 42) + "\" y=\"" + format("%.1f", ly) + "\" font-size=\"12\">" +
           escape(label) + "</text>\n";
  }
}

}  // namespace

double log_log_slope(const PlotSeries& s) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
    if (!usable(s.x[i], true) || !usable(s.y[i], true)) continue;
    const double lx = std::log(s.x[i]), ly = std::log(s.y[i]);
    n += 1, sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly;
  }
  const double denom = n * sxx - sx * sx;
  return n < 2 || denom <= 0 ? NAN : (n * sxy - sx * sy) / denom;
}

std::string render_svg(const std::vector<PlotChart>& charts) {
  const double height = kChartHeight * static_cast<double>(charts.empty() ? 1 : charts.size());
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + format("%.0f", kWidth) + "\" height=\"" +
                    format("%.0f", height) + "\" viewBox=\"0 0 " + format("%.0f", kWidth) + " " + format("%.0f", height) +
                    "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  for (size_t i = 0; i < charts.size(); ++i) chart_svg(charts[i], kChartHeight * static_cast<double>(i), out);
  return out + "</svg>\n";
}

bool write_svg(const char* tool, const std::string& path, const std::vector<PlotChart>& charts) {
  const ringlm_devtools::Error e = ringlm_devtools::write_file(path, render_svg(charts));
  if (!e.ok()) {
    std::fprintf(stderr, "ringlm %s: %s\n", tool, e.message.c_str());
    return false;
  }
  std::fprintf(stderr, "ringlm %s: wrote %s\n", tool, path.c_str());
  return true;
}

}  // namespace ringlm_cli
