// A plugin with one stage, `reverse(keep_empty=true)`: every line backwards.
#include <flow/flow.hpp>

#include <algorithm>
#include <memory>
#include <string>

namespace {

class Reverse final : public flow::Operator {
 public:
  explicit Reverse(bool keep_empty) : keep_empty_(keep_empty) {}

  void apply(flow::Chunk& messages, flow::OperatorContext& context) override {
    flow::Chunk kept;
    kept.reserve(messages.size());
    for (auto& message : messages) {
      if (message.payload.size() == 0 && !keep_empty_) {
        context.filtered(message);  // counted, never lost silently
        continue;
      }
      std::string text(message.payload.view());
      std::reverse(text.begin(), text.end());
      message.payload = flow::Payload(std::move(text));
      kept.push_back(std::move(message));
    }
    messages = std::move(kept);
  }

 private:
  bool keep_empty_;
};

}  // namespace

FLOW_PLUGIN(registry) {
  flow::OperatorSpec spec;
  spec.name = "reverse";
  spec.role = flow::Role::Stage;
  spec.summary = "every line backwards; empty lines dropped unless keep_empty";
  spec.args = {flow::ArgumentSpec{"keep_empty", flow::ValueKind::Boolean, false, flow::Value{true}, true}};
  spec.make = [](const flow::OperatorCall& call) {
    return std::make_unique<Reverse>(flow::required_arg<bool>(call, "keep_empty"));
  };
  registry.add(std::move(spec));
}
