#include "cli/run_output.hpp"

#include "runtime/output/bottleneck.hpp"

namespace flow::cli {

void name_bottleneck(const Pipeline& pipeline, RunMetrics& metrics) {
  metrics.bottleneck = find_bottleneck(pipeline, metrics);
}

}  // namespace flow::cli
