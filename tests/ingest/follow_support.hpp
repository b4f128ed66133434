#pragma once
// Helpers for the tests of read(follow=true): a `flow run` child following
// files in a fresh directory, files appended, rotated and truncated from the
// test, and waits on what reached the sink's file (with a deadline, never a
// sleep standing in for one).
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "child.hpp"
#include "process.hpp"

namespace flow::test {

/// Appends `text` to `path` with one write(2), creating it if needed (a logger's O_APPEND write).
inline void append(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path);
  auto n = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) throw std::runtime_error("short write to " + path);
}

/// "prefix0\nprefix1\n…" for `count` lines from `first`.
inline std::string numbered(const std::string& prefix, int first, int count) {
  std::string text;
  for (int i = first; i < first + count; ++i) text += fmt::format("{}{}\n", prefix, i);
  return text;
}

/// The lines of a file, each with how often it appears.
inline std::map<std::string, int> line_counts(const std::string& path) {
  std::map<std::string, int> counts;
  auto text = read_file(path);
  std::size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos; start = end + 1, end = text.find('\n', start)) {
    ++counts[text.substr(start, end - start)];
  }
  return counts;
}

inline std::size_t total(const std::map<std::string, int>& counts) {
  std::size_t sum = 0;
  for (const auto& entry : counts) sum += static_cast<std::size_t>(entry.second);
  return sum;
}

/// Waits until `done()` holds, looking every few milliseconds, for at most `limit`.
inline bool wait_until(const std::function<bool()>& done,
                       std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

/// Waits until the file at `path` has at least `count` whole lines.
inline bool wait_for_lines(const std::string& path, std::size_t count) {
  return wait_until([&] { return total(line_counts(path)) >= count; });
}

/// A pipeline that follows `pattern` into `dir`/out.txt, written to `dir`/follow.flow.
inline std::string follow_pipeline(const std::string& dir, const std::string& pattern,
                                   const std::string& stage = "") {
  auto text = fmt::format(
      "pipeline follow\n\nsource logs = read(\"{}\", follow=true)\n{}sink   out  = "
      "write(\"{}/out.txt\")\n\n{}\n",
      pattern, stage.empty() ? "" : fmt::format("stage  work = {}\n", stage), dir,
      stage.empty() ? "logs -> out" : "logs -> work [capacity=64]\nwork -> out [capacity=64]");
  auto path = dir + "/follow.flow";
  write_file(path, text);
  return path;
}

/// `flow run -q --metrics-json DIR/metrics.json FILE ARGS…` as a child.
inline std::unique_ptr<Child> start_flow(const std::string& dir, const std::string& file,
                                         std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"run", "-q", "--metrics-json", dir + "/metrics.json", file};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<Child>(FLOW_BINARY, args);
}

}  // namespace flow::test
