// Placeholder until its implementation lands (issue 23).
#include <stdexcept>

#include "runtime/ingest/ingest.hpp"

namespace flow::ingest {

std::unique_ptr<SourceOperator> make_tcp_listen(const OperatorCall& call) {
  (void)call;
  throw std::runtime_error("not built yet");
}

}  // namespace flow::ingest
