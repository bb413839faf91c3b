// The OpenMetrics 1.0.0 text format, which prometheus-cpp cannot write, over
// the same MetricFamily list as the Prometheus text format:
//   # HELP (when there is help), # TYPE, and # UNIT when the unit is a
//   suffix of the family name;
//   counters as family "x" with samples "x_total" (ContainerSSH's names
//   already end in _total, which the family name leaves off);
//   histograms as x_bucket{le="..."} (cumulative, +Inf last), x_sum, x_count;
//   label values and help escaped; numbers as Go's client writes them
//   ("1.0", "+Inf"); the last line "# EOF".
#pragma once

#include "exposition.hpp"

#include <string>

namespace metrics_plugin {

std::string openmetrics_text(const Exposition& exposition);

}  // namespace metrics_plugin
