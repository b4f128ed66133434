// Placeholder: replaced by the part that builds it.
#include "runtime/calls/calls.hpp"

namespace flow::calls {

void register_http(OperatorRegistry& registry) { (void)registry; }

}  // namespace flow::calls
