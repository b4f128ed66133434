#include "runtime/exec/foreign.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <link.h>

#include <algorithm>

namespace flow::exec {
namespace {

/// The loaded object (the program, a shared library) that holds `address`; null when none does.
const link_map* object_of(const void* address) {
  Dl_info info{};
  link_map* map = nullptr;
  // dladdr1's out parameter is a void** standing for the link_map**.
  if (dladdr1(address, &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) == 0)
    return nullptr;  // NOLINT
  return map;
}

/// flow's own library: where this marker lies.
const link_map* own_object() {
  static const char marker = 0;
  static const link_map* own = object_of(&marker);
  return own;
}

std::uint64_t at(const std::vector<std::uint64_t>& counts, std::size_t source) {
  return source < counts.size() ? counts[source] : 0;
}

}  // namespace

OperatorOrigin origin_of(const Node& node, std::size_t index, const std::type_info& type) {
  const std::string& name = node.chain.at(index).name;
  OperatorOrigin origin;
  // The type's type_info lies with its code (its vtable): in flow's library
  // for a built-in, in the plugin for a plugin's operator.
  const link_map* object = object_of(&type);
  origin.foreign = object == nullptr || object != own_object();
  // The program's own object has no name; a plugin's is the path it was loaded by.
  bool plugin = origin.foreign && object != nullptr && object->l_name != nullptr && object->l_name[0] != '\0';
  origin.note = plugin ? fmt::format("{} {} (operator {} from plugin {})", to_string(node.kind), node.name,
                                     name, object->l_name)
                       : fmt::format("{} {} (operator {})", to_string(node.kind), node.name, name);
  return origin;
}

Ledger::Change Ledger::settle(const Call& call, SourceTally made) {
  const auto& before = call.before.per_source();
  const auto& after = call.after.per_source();
  const auto& filtered = call.filtered.per_source();
  const auto& dropped = call.dropped.per_source();
  std::size_t sources = std::max({before.size(), after.size(), filtered.size(), dropped.size()});
  bool held_more = false, gave_back = false;
  std::lock_guard lock(mutex_);
  if (held_.size() < sources) held_.resize(sources, 0);
  for (std::size_t s = 0; s < sources; ++s) {
    // Signed: a call may report filtered a message it made itself.
    auto kept = static_cast<std::int64_t>(at(before, s)) -
                static_cast<std::int64_t>(at(filtered, s) + at(dropped, s));
    auto net = static_cast<std::int64_t>(at(after, s)) - kept;
    if (net < 0) {
      held_[s] += static_cast<std::uint64_t>(-net);
      held_more = true;
    } else if (net > 0) {
      auto back = std::min(held_[s], static_cast<std::uint64_t>(net));
      held_[s] -= back;
      gave_back = gave_back || back > 0;
      if (static_cast<std::uint64_t>(net) > back) made.add_to(s, static_cast<std::uint64_t>(net) - back, 0);
    }
  }
  auto reported = static_cast<std::int64_t>(call.filtered.bytes() + call.dropped.bytes());
  auto bytes = static_cast<std::int64_t>(call.after.bytes()) -
               static_cast<std::int64_t>(call.before.bytes()) + reported;
  // The bytes of what it holds stay alive with it, and come back with it.
  if (bytes < 0 && held_more) {
    held_bytes_ += static_cast<std::uint64_t>(-bytes);
    bytes = 0;
  } else if (bytes > 0 && gave_back) {
    auto back = std::min(held_bytes_, static_cast<std::uint64_t>(bytes));
    held_bytes_ -= back;
    bytes -= static_cast<std::int64_t>(back);
  }
  return {std::move(made), bytes};
}

SourceTally Ledger::leftover(SourceTally into) {
  std::lock_guard lock(mutex_);
  for (std::size_t s = 0; s < held_.size(); ++s) {
    if (held_[s] != 0) into.add_to(s, held_[s], 0);
  }
  if (held_bytes_ != 0) into.add_to(0, 0, held_bytes_);
  held_.clear();
  held_bytes_ = 0;
  return into;
}

}  // namespace flow::exec
