// The example of docs/operators.md, "Your own operator": the test checks the
// page quotes the part between the markers exactly, and compiling this file
// checks the example itself.
// BEGIN operators.md example
#include <cstdint>
#include <memory>

#include "flow/registry.hpp"

namespace example {

/// truncate(length): keeps the first `length` bytes of each payload.
class Truncate final : public flow::Operator {
 public:
  explicit Truncate(std::size_t length) : length_(length) {}

  // One instance serves all the node's workers: apply keeps no state.
  void apply(flow::Chunk& messages, flow::OperatorContext& context) override {
    std::int64_t cut = 0;
    for (auto& message : messages) {
      if (message.payload.size() <= length_) continue;
      cut += static_cast<std::int64_t>(message.payload.size() - length_);
      message.payload.text().resize(length_);  // text(): the payload as a string to change
    }
    context.resized(-cut);  // keeps the payload bytes alive exact
  }

 private:
  std::size_t length_;
};

void register_truncate(flow::OperatorRegistry& registry) {
  flow::OperatorSpec spec;
  spec.name = "truncate";
  spec.role = flow::Role::Stage;
  spec.summary = "keep the first `length` bytes of each payload";
  spec.args = {{"length", flow::ValueKind::Integer, /*required=*/true, std::nullopt, /*positional=*/true}};
  spec.validate = [](const flow::OperatorCall& call, std::string& argument) -> std::string {
    if (std::get<std::int64_t>(call.args.at("length")) >= 0) return "";
    argument = "length";
    return "length must not be negative";
  };
  spec.make = [](const flow::OperatorCall& call) -> std::unique_ptr<flow::Operator> {
    auto length = std::get<std::int64_t>(call.args.at("length"));
    return std::make_unique<Truncate>(static_cast<std::size_t>(length));
  };
  registry.add(std::move(spec));
}

}  // namespace example
// END operators.md example
