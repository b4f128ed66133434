// A plugin that says its ABI but registers nothing: no flow_register_operators.
#include <flow/flow.hpp>

extern "C" __attribute__((visibility("default"))) int flow_plugin_abi_version() { return FLOW_PLUGIN_ABI_VERSION; }
