// A plugin built for another plugin ABI: the loader must refuse it.
#include <flow/flow.hpp>

extern "C" __attribute__((visibility("default"))) int flow_plugin_abi_version() { return FLOW_PLUGIN_ABI_VERSION + 1; }
extern "C" __attribute__((visibility("default"))) void flow_register_operators(flow::OperatorRegistry&) {}
