#pragma once
// Running `flow run` with a listen("tcp://...") source and talking to it over
// real loopback sockets: the port comes from the line flow prints, and every
// wait is on something observable (a file's size, a socket) with a deadline.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <string_view>
#include <thread>

#include "child.hpp"
#include "process.hpp"

namespace flow::test {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

/// A run of `flow run PIPELINE --metrics-json` whose source listens on a port the system picked.
struct TcpRun {
  std::string dir = temp_directory();
  std::string out = dir + "/out.txt";
  std::string metrics = dir + "/metrics.json";
  std::unique_ptr<Child> child;
  int port = 0;

  /// `pipeline` may say {out} for the sink's file; `listen_args` go into listen(...).
  explicit TcpRun(const std::string& listen_args, const std::string& sink = "write(\"{out}\")",
                  const std::string& edge = "") {
    auto file = dir + "/tcp.flow";
    auto body = fmt::format(
        "pipeline tcp\nsource net = listen(\"tcp://127.0.0.1:0\"{})\nsink store = {}\nnet -> store{}\n",
        listen_args, sink, edge);
    write_file(file, std::regex_replace(body, std::regex(R"(\{out\})"), out));
    child = std::make_unique<Child>(FLOW_BINARY,
                                    std::vector<std::string>{"run", file, "--metrics-json", metrics}, true);
    const std::regex said(R"(flow: listening on tcp://127\.0\.0\.1:(\d+))");
    for (auto line = child->read_line(10s); line; line = child->read_line(10s)) {
      std::smatch match;
      if (std::regex_match(*line, match, said)) {
        port = std::stoi(match[1]);
        return;
      }
    }
    FAIL("flow did not say where it listens: " << child->out());
  }

  /// SIGTERM, then the exit status (143 for a run stopped by it) and the metrics it wrote.
  nlohmann::json stop() {
    child->send(SIGTERM);
    int status = child->finish(30s);
    CHECK(status == 143);
    auto text = read_file(metrics);
    REQUIRE_FALSE(text.empty());
    return nlohmann::json::parse(text);
  }
};

/// The plan's bound on messages alive at once (`flow plan` of the run's file).
inline std::uint64_t plan_messages(const TcpRun& run) {
  std::smatch bound;
  auto plan = run_command(fmt::format("{} plan {}", FLOW_BINARY, shell_quote(run.dir + "/tcp.flow"))).out;
  REQUIRE(std::regex_search(plan, bound, std::regex(R"(messages alive: at most (\d+) messages)")));
  return std::stoull(bound[1]);
}

/// The peak resident memory of process `pid` so far (VmHWM), in bytes.
inline std::uint64_t peak_rss(pid_t pid) {
  auto status = read_file(fmt::format("/proc/{}/status", pid));
  auto at = status.find("VmHWM:");
  return at == std::string::npos ? 0 : std::stoull(status.substr(at + 6)) * 1024;
}

/// The counts of node `name` in the run's metrics JSON.
inline nlohmann::json node_counts(const nlohmann::json& metrics, const std::string& name) {
  for (const auto& node : metrics["nodes"]) {
    if (node["name"] == name) return node.value("counts", nlohmann::json::object());
  }
  return nlohmann::json::object();
}

/// A connected, blocking socket to 127.0.0.1:port.
inline int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

inline void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    REQUIRE(n > 0);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

inline std::uint64_t file_size(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
}

/// Waits until `path` holds at least `bytes` (the sink wrote them), up to `limit`.
inline bool wait_for_size(const std::string& path, std::uint64_t bytes,
                          std::chrono::milliseconds limit = 20s) {
  auto deadline = SteadyClock::now() + limit;
  while (file_size(path) < bytes) {
    if (SteadyClock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);  // polling the observable condition, not timing it
  }
  return true;
}

/// Waits until the peer closes `fd` (recv gives 0 or an error), up to `limit`; false if it did not.
inline bool wait_for_close(int fd, std::chrono::milliseconds limit) {
  auto deadline = SteadyClock::now() + limit;
  char byte = 0;
  while (SteadyClock::now() < deadline) {
    pollfd ready{fd, POLLIN, 0};
    if (poll(&ready, 1, 50) > 0) return recv(fd, &byte, 1, 0) <= 0;
  }
  return false;
}

}  // namespace flow::test
