#pragma once
// Operators in a shared library, loaded at run time: `flow run --plugin
// PATH.so` (or flow::load_plugin). The library defines
//
//   FLOW_PLUGIN(registry) {
//     registry.add(my_operator_spec());
//   }
//
// which exports the two symbols the loader looks for: the plugin ABI version
// it was compiled against, and the function that registers its operators.
#include <string>
#include <vector>

#include "flow/diagnostic.hpp"
#include "flow/registry.hpp"
#include "flow/version.hpp"

/// Changes whenever a plugin built against older headers could not work with
/// this library (Operator's or OperatorSpec's layout, the Message type).
#define FLOW_PLUGIN_ABI_VERSION 3

// The argument names the registration function's parameter: no parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define FLOW_PLUGIN(registry)                                                                             \
  extern "C" __attribute__((visibility("default"))) int flow_plugin_abi_version() {                       \
    return FLOW_PLUGIN_ABI_VERSION;                                                                       \
  }                                                                                                       \
  extern "C" __attribute__((visibility("default"))) void flow_register_operators(flow::OperatorRegistry& \
                                                                                     registry)
// NOLINTEND(bugprone-macro-parentheses)

namespace flow {

/// Loads the plugin at `path` and adds its operators to `registry`. Returns
/// the problems, none when it worked: a library that cannot be loaded, a
/// missing symbol, another ABI version, an operator without a name or
/// factory, or a name `registry` already has. On any problem `registry` is
/// left as it was. A loaded library stays loaded for the life of the process.
std::vector<Diagnostic> load_plugin(const std::string& path, OperatorRegistry& registry);

}  // namespace flow
