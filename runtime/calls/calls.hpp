#pragma once
// Internal to runtime/: the operators that call outside the pipeline, each
// registering its own specification (arguments, roles, factories) with the
// built-ins (runtime/ops/registry.cpp calls register_calls).
#include "flow/registry.hpp"

namespace flow::calls {

void register_calls(OperatorRegistry& registry);

void register_exec(OperatorRegistry& registry);    // exec.cpp: exec("cmd", "arg", ...)
void register_http(OperatorRegistry& registry);    // http_call.cpp: http(url, method=POST)
void register_sqlite(OperatorRegistry& registry);  // sqlite_sink.cpp: sqlite(path, table)

}  // namespace flow::calls
