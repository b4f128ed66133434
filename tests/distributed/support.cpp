#include "support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <sstream>

namespace flow::test {

PartProcess::PartProcess(const std::string& file, const std::string& part, const NatsServer& server,
                         const std::string& directory, std::vector<std::string> extra, const std::string& json_name)
    : json_path_(fmt::format("{}/{}.json", directory, json_name.empty() ? part : json_name)) {
  std::vector<std::string> args{"run", file, "--part", part, "--nats", server.url(), "--metrics-json", json_path_};
  args.insert(args.end(), extra.begin(), extra.end());
  // Standard error in the same pipe: the reports a test waits on are there (standard output is the data's).
  child_ = std::make_unique<Child>(FLOW_BINARY, args, /*merge_stderr=*/true);
}

int PartProcess::finish(std::chrono::seconds timeout) { return child_->finish(timeout); }

nlohmann::json PartProcess::metrics() const {
  auto text = read_file(json_path_);
  INFO(json_path_ << ": " << output());
  REQUIRE_FALSE(text.empty());
  return nlohmann::json::parse(text);
}

std::string write_numbered_lines(const std::string& path, int lines) {
  std::string text;
  for (int i = 0; i < lines; ++i) text += fmt::format("line {}\n", i);
  write_file(path, text);
  return text;
}

std::multiset<std::string> lines_of(const std::string& text) {
  std::multiset<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

std::set<std::string> distinct_lines(const std::string& text) {
  auto lines = lines_of(text);
  return {lines.begin(), lines.end()};
}

std::uint64_t delivered_at(const nlohmann::json& metrics, const std::string& sink) {
  for (const auto& s : metrics.at("sinks")) {
    if (s.at("name") == sink) return s.at("delivered").get<std::uint64_t>();
  }
  FAIL("no sink " << sink);
  return 0;
}

nlohmann::json edge_of(const nlohmann::json& metrics, const std::string& from, const std::string& to) {
  for (const auto& e : metrics.at("edges")) {
    if (e.at("from") == from && e.at("to") == to) return e;
  }
  FAIL("no edge " << from << " -> " << to);
  return {};
}

nlohmann::json node_of(const nlohmann::json& metrics, const std::string& name) {
  for (const auto& n : metrics.at("nodes")) {
    if (n.at("name") == name) return n;
  }
  FAIL("no node " << name);
  return {};
}

}  // namespace flow::test
