#include "runtime/model/metrics.hpp"

namespace flow {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::Running: return "running";
    case RunStatus::Ok: return "ok";
    case RunStatus::Failed: return "failed";
    case RunStatus::Interrupted: return "interrupted";
    case RunStatus::BrokenPipe: return "broken_pipe";
  }
  return "?";
}

}  // namespace flow
