// Loading operators from a shared library (flow/plugin.hpp).
#include "flow/plugin.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <exception>

namespace flow {
namespace {

using AbiVersion = int (*)();
using Register = void (*)(OperatorRegistry&);

std::vector<Diagnostic> problem(const std::string& path, const std::string& what) {
  return {Diagnostic{Severity::Error, SourceLocation{}, fmt::format("plugin {}: {}", path, what), 0}};
}

/// The registrations of a loaded plugin into a registry of its own, or the problem.
std::vector<Diagnostic> register_into(const std::string& path, void* library, OperatorRegistry& added) {
  auto abi = reinterpret_cast<AbiVersion>(dlsym(library, "flow_plugin_abi_version"));
  if (abi == nullptr) return problem(path, "no flow_plugin_abi_version symbol: not a flow plugin (see FLOW_PLUGIN)");
  if (int plugin_abi = abi(); plugin_abi != FLOW_PLUGIN_ABI_VERSION) {
    return problem(path, fmt::format("built for plugin ABI {}, but flow {} has ABI {}: rebuild it against these headers",
                                     plugin_abi, flow::version(), FLOW_PLUGIN_ABI_VERSION));
  }
  auto register_operators = reinterpret_cast<Register>(dlsym(library, "flow_register_operators"));
  if (register_operators == nullptr) return problem(path, "no flow_register_operators symbol");
  try {
    register_operators(added);
  } catch (const std::exception& e) {
    return problem(path, fmt::format("flow_register_operators threw: {}", e.what()));
  }
  if (added.names().empty()) return problem(path, "registered no operator");
  return {};
}

std::vector<Diagnostic> check_new(const std::string& path, const OperatorRegistry& added,
                                  const OperatorRegistry& registry) {
  for (const auto& name : added.names()) {
    const OperatorSpec& spec = *added.find(name);
    if (registry.find(name) != nullptr) {
      return problem(path, fmt::format("operator '{}' is already registered (a built-in or an earlier plugin)", name));
    }
    bool source = spec.role == Role::Source;
    if (source ? !spec.make_source : !spec.make) {
      return problem(path, fmt::format("operator '{}' has no {} factory", name, source ? "make_source" : "make"));
    }
  }
  return {};
}

}  // namespace

std::vector<Diagnostic> load_plugin(const std::string& path, OperatorRegistry& registry) {
  // Without a slash dlopen searches the library path, not the current directory.
  std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  void* library = dlopen(where.c_str(), RTLD_NOW | RTLD_LOCAL);
  // dlerror's message is this thread's: glibc keeps it per thread.
  if (library == nullptr) return problem(path, dlerror());  // NOLINT(concurrency-mt-unsafe)
  OperatorRegistry added;
  auto problems = register_into(path, library, added);
  if (problems.empty()) problems = check_new(path, added, registry);
  if (!problems.empty()) return problems;  // the library stays loaded: its code may still be referenced
  for (const auto& name : added.names()) registry.add(*added.find(name));
  return {};
}

}  // namespace flow
