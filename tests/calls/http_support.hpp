#pragma once
// For the http() tests: a real HTTP server (python3's http.server with the
// handler in http_server.py) started and stopped by the test, the requests it
// recorded, and `flow run` of a pipeline that calls it. Nothing waits on a
// sleep: on a printed line, on a process's end, or on a condition polled with
// a deadline.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child.hpp"
#include "process.hpp"

namespace flow::test {

/// One request as the server recorded it when it arrived.
struct Received {
  double time = 0;         ///< seconds since the epoch
  std::string connection;  ///< the client's address:port
  std::string method, path, body, content_type;
  int status = 0;  ///< what it answered
};

class TestServer {
 public:
  /// Starts the server with `options` (see http_server.py), logging to a file of its own;
  /// `port` 0 picks a free one.
  explicit TestServer(std::vector<std::string> options = {}, int port = 0, std::string log = "")
      : log_(log.empty() ? temp_directory() + "/requests.jsonl" : std::move(log)),
        options_(std::move(options)) {
    start(port);
  }
  ~TestServer() { kill(); }

  int port() const { return port_; }
  const std::string& log() const { return log_; }
  std::string url(const std::string& path = "/ingest") const {
    return fmt::format("http://127.0.0.1:{}{}", port_, path);
  }

  /// Kills it with SIGKILL: its connections close, its port refuses.
  void kill() {
    if (!child_) return;
    child_->send(SIGKILL);
    child_->finish(std::chrono::seconds(10));
    child_.reset();
  }

  /// Starts it again on the same port, with the same log.
  void restart() {
    kill();
    start(port_);
  }

  std::vector<Received> received() const {
    std::vector<Received> out;
    std::istringstream in(read_file(log_));
    for (std::string line; std::getline(in, line);) {
      auto json = nlohmann::json::parse(line);
      out.push_back({json.at("time"), json.at("connection"), json.at("method"), json.at("path"),
                     json.at("body"), json.at("content_type"), json.at("status")});
    }
    return out;
  }

 private:
  void start(int port) {
    std::vector<std::string> args{"--log", log_, "--port", std::to_string(port)};
    args.insert(args.end(), options_.begin(), options_.end());
    // The script runs by its #! line (Child takes a path, not a name to look up).
    child_ = std::make_unique<Child>(HTTP_SERVER_SCRIPT, args, /*merge_stderr=*/true);
    const std::string said = "listening on ";
    while (auto line = child_->read_line(std::chrono::seconds(20))) {
      if (line->rfind(said, 0) == 0) {
        port_ = std::stoi(line->substr(said.size()));
        return;
      }
    }
    FAIL("the test server did not start: " << child_->out());
  }

  std::string log_;
  std::vector<std::string> options_;
  std::unique_ptr<Child> child_;
  int port_ = 0;
};

/// A finished `flow run`: its exit status, what it printed, its metrics JSON.
struct FlowResult {
  int exit_code = -1;
  std::string err;
  nlohmann::json metrics;
  std::string dir;  ///< where the run's file lies (@DIR@)
};

/// Runs `flow run` on `text` (a whole .flow file) in a fresh directory, where
/// @DIR@ stands for that directory, until it ends.
inline FlowResult run_flow(std::string text, const std::string& extra = "") {
  auto dir = temp_directory();
  for (auto at = text.find("@DIR@"); at != std::string::npos; at = text.find("@DIR@"))
    text.replace(at, 5, dir);
  write_file(dir + "/calls.flow", text);
  auto result = run_command(
      fmt::format("{} run {}/calls.flow --metrics-json {}/run.json {}", FLOW_BINARY, dir, dir, extra));
  FlowResult out{result.exit_code, result.err, nlohmann::json(), dir};
  auto json = read_file(dir + "/run.json");
  if (!json.empty()) out.metrics = nlohmann::json::parse(json);
  return out;
}

/// Writes `count` lines "PREFIX-i" to a fresh file; its path.
inline std::string numbered_lines(const std::string& prefix, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += fmt::format("{}-{}\n", prefix, i);
  auto path = fmt::format("{}/{}.txt", temp_directory(), prefix);
  write_file(path, text);
  return path;
}

/// The entry of a metrics list whose `key` is `value`.
inline const nlohmann::json& entry(const nlohmann::json& list, const std::string& key,
                                   const std::string& value) {
  for (const auto& item : list)
    if (item.at(key) == value) return item;
  FAIL("no " << key << " " << value << " in " << list.dump());
  static nlohmann::json none;
  return none;
}

/// A count of node `node`'s operator (nodes[].counts), 0 when it has none of that name.
inline std::uint64_t node_count(const nlohmann::json& metrics, const std::string& node,
                                const std::string& name) {
  const auto& counts = entry(metrics.at("nodes"), "name", node).value("counts", nlohmann::json::object());
  return counts.value(name, std::uint64_t{0});
}

}  // namespace flow::test
