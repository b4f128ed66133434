#pragma once
// Helpers for the operator tests: calls built by hand the way the checker
// resolves them, and a context that records what an operator filtered.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "flow/registry.hpp"

namespace flow::test {

/// A call with `args` as given plus every fallback of the spec, as the checker resolves it.
inline OperatorCall resolved_call(const std::string& name, std::map<std::string, Value> args = {},
                                  const OperatorRegistry& registry = builtin_operators()) {
  const OperatorSpec* spec = registry.find(name);
  REQUIRE(spec != nullptr);
  for (const auto& arg : spec->args) {
    if (!args.count(arg.name) && arg.fallback) args.emplace(arg.name, *arg.fallback);
  }
  return OperatorCall{name, std::move(args), {}};
}

inline std::unique_ptr<Operator> make_operator(const std::string& name, std::map<std::string, Value> args = {}) {
  const OperatorSpec* spec = builtin_operators().find(name);
  REQUIRE(spec != nullptr);
  REQUIRE(spec->make);
  return spec->make(resolved_call(name, std::move(args)));
}

inline std::unique_ptr<SourceOperator> make_source(const std::string& name, std::map<std::string, Value> args = {}) {
  const OperatorSpec* spec = builtin_operators().find(name);
  REQUIRE(spec != nullptr);
  REQUIRE(spec->make_source);
  return spec->make_source(resolved_call(name, std::move(args)));
}

/// The validator's verdict on a call: {message, offending argument}.
inline std::pair<std::string, std::string> validate(const std::string& name, std::map<std::string, Value> args) {
  const OperatorSpec* spec = builtin_operators().find(name);
  REQUIRE(spec != nullptr);
  REQUIRE(spec->validate);
  std::string argument;
  auto message = spec->validate(resolved_call(name, std::move(args)), argument);
  return {message, argument};
}

class RecordingContext final : public OperatorContext {
 public:
  void filtered(const Message& message) override { removed.push_back(message.payload.str()); }
  void failed(Message message, const std::string& cause) override {
    failures.emplace_back(message.payload.str(), cause);
    failed_messages.push_back(std::move(message));
  }
  std::vector<std::string> removed;
  std::vector<std::pair<std::string, std::string>> failures;  ///< payload, cause
  Chunk failed_messages;  ///< as they were handed over: what on_error sends on
};

inline Chunk chunk_of(const std::vector<std::string>& payloads) {
  Chunk chunk;
  for (const auto& payload : payloads) chunk.emplace_back().payload = payload;
  return chunk;
}

inline Message batch_of(const std::vector<std::string>& payloads) {
  Message batch;
  batch.members = chunk_of(payloads);
  return batch;
}

inline std::vector<std::string> payloads(const Chunk& chunk) {
  std::vector<std::string> out;
  for (const auto& message : chunk) out.push_back(message.payload.str());
  return out;
}

}  // namespace flow::test
