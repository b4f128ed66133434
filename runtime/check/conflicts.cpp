#include "runtime/check/conflicts.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace flow::checker {
namespace {

/// The first node to claim a stream, for the second one's message.
struct Claim {
  const Node* node;
  const OperatorCall* call;
};

/// A file as the kernel knows it: a hard link or a bind mount is the same file.
struct FileId {
  dev_t device;
  ino_t inode;
  bool regular;
  bool operator==(const FileId& other) const { return device == other.device && inode == other.inode; }
};

/// A source's read() of a file (not "-").
struct Reader {
  Claim claim;
  std::string path;
  std::string key;
  std::optional<FileId> id;  ///< nullopt: no such file yet
};

/// One spelling per file: "out.txt", "./out.txt" and a link to it are the same file.
std::string file_key(const std::string& path) {
  std::error_code error;
  auto absolute = std::filesystem::absolute(path, error);
  if (error) return std::filesystem::path(path).lexically_normal().string();
  auto resolved = std::filesystem::weakly_canonical(absolute, error);
  return error ? absolute.lexically_normal().string() : resolved.string();
}

std::optional<FileId> file_id(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return FileId{info.st_dev, info.st_ino, S_ISREG(info.st_mode)};
}

std::string where(const Claim& first) {
  return fmt::format("{} '{}' (line {}, column {})", to_string(first.node->kind), first.node->name,
                     first.call->location.line, first.call->location.column);
}

/// The file read() reads; nullopt for standard input ("-") and other operators.
std::optional<std::string> read_path(const OperatorCall& call) {
  if (call.name != "read") return std::nullopt;
  auto path = call.args.find("path");
  const auto* text = path == call.args.end() ? nullptr : std::get_if<std::string>(&path->second);
  if (text == nullptr || *text == "-") return std::nullopt;
  return *text;
}

std::vector<Reader> readers_of(const Pipeline& pipeline) {
  std::vector<Reader> readers;
  for (const auto& node : pipeline.nodes) {
    for (const auto& call : node.chain) {
      if (auto path = read_path(call))
        readers.push_back({Claim{&node, &call}, *path, file_key(*path), file_id(*path)});
    }
  }
  return readers;
}

// write() empties its file when the run starts (O_TRUNC), before a source has
// read a line of it: the run would end "ok" and the input would be gone.
// Compared by spelling (resolved) and by device and inode (a hard link).
void check_read_and_write(Reporter& reporter, const std::vector<Reader>& readers, const OperatorCall& call,
                          const std::string& path) {
  auto written = file_id(path);
  if (written && !written->regular) return;  // a FIFO or a device is not emptied
  auto key = file_key(path);
  for (const auto& reader : readers) {
    if (reader.key != key && !(written && reader.id && *written == *reader.id)) continue;
    auto same = reader.path == path
                    ? fmt::format("'{}' is already read by {}", path, where(reader.claim))
                    : fmt::format("'{}' is the file '{}' read by {}", path, reader.path, where(reader.claim));
    reporter.error(call.location, call.name.size(), same + ": writing it would empty it before it is read");
    return;
  }
}

// Writes to a device are not a file's contents: /dev/null takes any number.
bool is_device(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISCHR(info.st_mode);
}

}  // namespace

void check_conflicts(Reporter& reporter, const Pipeline& pipeline, const OperatorRegistry& registry) {
  std::map<std::string, Claim> readers;  ///< outside input ("standard input") → first reader
  std::map<std::string, Claim> writers;  ///< file key → first writer
  auto files_read = readers_of(pipeline);
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
      check_read_and_write(reporter, files_read, call, path);
      auto [first, fresh] = writers.emplace(file_key(path), Claim{&node, &call});
      if (fresh) continue;
      reporter.error(call.location, call.name.size(),
                     fmt::format("'{}' is already written by {}: two writers would cut each other's lines",
                                 path, where(first->second)));
    }
  }
}

}  // namespace flow::checker
