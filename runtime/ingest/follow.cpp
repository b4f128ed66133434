// Placeholder until its implementation lands (issue 23).
#include <stdexcept>

#include "runtime/ingest/ingest.hpp"

namespace flow::ingest {

std::unique_ptr<SourceOperator> make_follow(const OperatorCall& call) {
  (void)call;
  throw std::runtime_error("not built yet");
}

}  // namespace flow::ingest
