#include "runtime/calls/calls.hpp"

namespace flow::calls {

void register_calls(OperatorRegistry& registry) {
  register_exec(registry);
  register_http(registry);
  register_sqlite(registry);
}

}  // namespace flow::calls
