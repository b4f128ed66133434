#include "process.hpp"

#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <random>
#include <sstream>

namespace flow::test {
namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string temp_directory() {
  static std::mt19937_64 random{std::random_device{}()};
  auto path = fs::temp_directory_path() / fmt::format("flow-test-{:x}", random());
  fs::create_directories(path);
  return path.string();
}

ProcessResult run_command(const std::string& command, const std::string& directory) {
  auto scratch = temp_directory();
  auto out_path = scratch + "/out";
  auto err_path = scratch + "/err";
  auto cd = directory.empty() ? std::string() : fmt::format("cd {} && ", shell_quote(directory));
  auto line = fmt::format("{}( {} ) </dev/null >{} 2>{}", cd, command, shell_quote(out_path), shell_quote(err_path));
  int status = std::system(line.c_str());
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  rusage usage{};
  if (getrusage(RUSAGE_CHILDREN, &usage) == 0) result.children_peak_rss_bytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
  fs::remove_all(scratch);
  return result;
}

}  // namespace flow::test
