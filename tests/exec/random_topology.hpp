#pragma once
// Random valid pipelines for the property tests: DAGs with fan-out and fan-in,
// random capacities, policies, workers, ordering and small costs.
#include <cstdint>
#include <string>

#include "flow/model.hpp"

namespace flow::test {

struct RandomTopology {
  Pipeline pipeline;
  int threads = 1;
  std::string description;  ///< one line per node and edge, printed when a property fails
};

/// The topology for `seed`: the same seed always gives the same pipeline.
/// `fail_edges` lets edges use the `fail` policy (dedicated cases only).
RandomTopology random_topology(std::uint64_t seed, bool fail_edges = false);

}  // namespace flow::test
