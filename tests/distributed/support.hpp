#pragma once
// Running the parts of a .flow file as separate `flow run --part` processes
// against a real nats-server, and reading what each measured.
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "child.hpp"
#include "nats_server.hpp"
#include "process.hpp"

namespace flow::test {

/// One `flow run FILE --part PART --nats URL --metrics-json DIR/PART.json` (plus `extra`).
class PartProcess {
 public:
  PartProcess(const std::string& file, const std::string& part, const NatsServer& server, const std::string& directory,
              std::vector<std::string> extra = {}, const std::string& json_name = "");
  /// Waits for it to end; its exit status.
  int finish(std::chrono::seconds timeout = std::chrono::seconds(120));
  nlohmann::json metrics() const;
  Child& child() { return *child_; }
  std::string output() const { return child_->out() + child_->err(); }

 private:
  std::unique_ptr<Child> child_;
  std::string json_path_;
};

/// Writes "line 0" … "line N-1" to `path`, one a line; returns the text.
std::string write_numbered_lines(const std::string& path, int lines);

/// The lines of `text`, each as often as it occurs.
std::multiset<std::string> lines_of(const std::string& text);
/// The distinct lines of `text`.
std::set<std::string> distinct_lines(const std::string& text);

/// The sink's `delivered` in a part's metrics.
std::uint64_t delivered_at(const nlohmann::json& metrics, const std::string& sink);
/// The edge "from -> to" in a part's metrics (fails the test when absent).
nlohmann::json edge_of(const nlohmann::json& metrics, const std::string& from, const std::string& to);
/// A node's metrics by name.
nlohmann::json node_of(const nlohmann::json& metrics, const std::string& name);

}  // namespace flow::test
