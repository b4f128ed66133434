#include "runtime/check/conflicts.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace flow::checker {
namespace {

/// The first node to claim a stream, for the second one's message.
struct Claim {
  const Node* node;
  const OperatorCall* call;
};

/// One spelling per file: "out.txt", "./out.txt" and a link to it are the same file.
std::string file_key(const std::string& path) {
  std::error_code error;
  auto absolute = std::filesystem::absolute(path, error);
  if (error) return std::filesystem::path(path).lexically_normal().string();
  auto resolved = std::filesystem::weakly_canonical(absolute, error);
  return error ? absolute.lexically_normal().string() : resolved.string();
}

// Writes to a device are not a file's contents: /dev/null takes any number.
bool is_device(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISCHR(info.st_mode);
}

std::string where(const Claim& first) {
  return fmt::format("{} '{}' (line {}, column {})", to_string(first.node->kind), first.node->name,
                     first.call->location.line, first.call->location.column);
}

}  // namespace

void check_conflicts(Reporter& reporter, const Pipeline& pipeline, const OperatorRegistry& registry) {
  std::map<std::string, Claim> readers;  ///< outside input ("standard input") → first reader
  std::map<std::string, Claim> writers;  ///< file key → first writer
  for (const auto& node : pipeline.nodes) {
    for (const auto& call : node.chain) {
      auto plan = registry.plan(call);
      if (!plan) continue;
      if (const auto& input = plan->outside_input; !input.empty()) {
        auto [first, fresh] = readers.emplace(input, Claim{&node, &call});
        if (!fresh) {
          reporter.error(
              call.location, call.name.size(),
              fmt::format("{} is already read by {}: two readers would split its lines between them", input,
                          where(first->second)));
        }
      }
      const auto& path = plan->writes_file;
      if (path.empty() || is_device(path)) continue;
      auto [first, fresh] = writers.emplace(file_key(path), Claim{&node, &call});
      if (fresh) continue;
      reporter.error(call.location, call.name.size(),
                     fmt::format("'{}' is already written by {}: two writers would cut each other's lines",
                                 path, where(first->second)));
    }
  }
}

}  // namespace flow::checker
