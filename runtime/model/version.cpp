#include "flow/version.hpp"

namespace flow {

const char* version() noexcept { return FLOW_VERSION_STRING; }

}  // namespace flow
