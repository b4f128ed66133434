#pragma once
// A `flow run` of a pipeline that starts at listen("http://127.0.0.1:0/…"),
// for the HTTP ingress tests: the port read from what flow prints, requests
// sent with the real curl, the run stopped with SIGTERM and its metrics JSON
// read back. Nothing waits on a sleep: on a printed line, on curl's answer,
// or on a condition polled with a deadline.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>

#include "child.hpp"
#include "process.hpp"

namespace flow::test {

/// What curl saw of one request.
struct Reply {
  int status = 0;
  std::string headers;  ///< the response head, as curl -D writes it
  std::string body;
  double seconds = 0;  ///< curl's time_total
};

/// The value of header `name` in `headers` ("" when absent); names compared without case.
inline std::string header(const std::string& headers, const std::string& name) {
  std::string lower = headers;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto at = lower.find("\n" + name + ":");
  if (at == std::string::npos) return "";
  auto start = headers.find_first_not_of(' ', at + name.size() + 2);
  auto end = headers.find_first_of("\r\n", start);
  return headers.substr(start, end - start);
}

class HttpRun {
 public:
  /// Runs `flow run` on `body` (the pipeline after its `pipeline` line, with
  /// @OUT@ standing for a sink file in a fresh directory) with `extra` args.
  explicit HttpRun(const std::string& body, std::vector<std::string> extra = {})
      : dir_(temp_directory()), out_(dir_ + "/out.txt"), json_(dir_ + "/run.json") {
    std::string text = "pipeline listened\n" + body;
    for (auto at = text.find("@OUT@"); at != std::string::npos; at = text.find("@OUT@"))
      text.replace(at, 5, out_);
    write_file(dir_ + "/listened.flow", text);
    std::vector<std::string> args{"run", dir_ + "/listened.flow", "--metrics-json", json_};
    for (auto& arg : extra) {
      if (auto at = arg.find("@OUT@"); at != std::string::npos) arg.replace(at, 5, out_);
      args.push_back(arg);
    }
    child_ = std::make_unique<Child>(FLOW_BINARY, args, /*merge_stderr=*/true);
    const std::string said = "flow: listening on http://127.0.0.1:";
    while (auto line = child_->read_line(std::chrono::seconds(20))) {
      if (line->rfind(said, 0) == 0) {
        port_ = std::stoi(line->substr(said.size()));
        break;
      }
    }
    INFO(child_->out());
    REQUIRE(port_ > 0);
  }

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string sink_text() const { return read_file(out_); }
  std::string url(const std::string& path = "/ingest") const {
    return fmt::format("http://127.0.0.1:{}{}", port_, path);
  }

  /// POSTs the file `body_path` with curl, `curl_args` added (headers, -X).
  Reply post(const std::string& body_path, const std::string& curl_args = "",
             const std::string& path = "/ingest") const {
    return curl(fmt::format("{} --data-binary @{}", curl_args, shell_quote(body_path)), path);
  }

  /// Any curl request (`args` before the URL).
  Reply curl(const std::string& args, const std::string& path) const {
    auto scratch = temp_directory();
    auto result = run_command(
        fmt::format("curl -s -S -o {0}/body -D {0}/head -w '%{{http_code}} %{{time_total}}' {1} {2}", scratch,
                    args, shell_quote(url(path))));
    Reply reply;
    reply.headers = read_file(scratch + "/head");
    reply.body = read_file(scratch + "/body");
    std::sscanf(result.out.c_str(), "%d %lf", &reply.status, &reply.seconds);
    return reply;
  }

  /// Stops the run with SIGTERM (unless the test sent it) and reads its metrics JSON.
  nlohmann::json stop(bool signal = true) {
    if (signal) child_->send(SIGTERM);
    child_->finish(std::chrono::seconds(60));
    auto text = read_file(json_);
    INFO(child_->out());
    REQUIRE(!text.empty());
    return nlohmann::json::parse(text);
  }

  Child& child() { return *child_; }

 private:
  std::string dir_, out_, json_;
  std::unique_ptr<Child> child_;
  int port_ = 0;
};

/// Writes `count` lines "PREFIX-i" to a file in `dir`; the file's path.
inline std::string lines_file(const std::string& dir, const std::string& prefix, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += fmt::format("{}-{}\n", prefix, i);
  auto path = fmt::format("{}/{}.txt", dir, prefix);
  write_file(path, text);
  return path;
}

/// The node, edge or sink of a metrics list whose `key` is `value`.
inline const nlohmann::json& item(const nlohmann::json& list, const std::string& key,
                                  const std::string& value) {
  for (const auto& entry : list) {
    if (entry.at(key) == value) return entry;
  }
  FAIL("no " << key << " " << value);
  static nlohmann::json none;
  return none;
}

}  // namespace flow::test
