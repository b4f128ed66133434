// A plugin whose stage makes messages of its own (issue 30, item 8):
// `explode(copies=1000, size=1MB)` gives out, for each message it takes,
// `copies` new messages of `size` bytes in its place, and reports nothing —
// as a plugin may. The runtime must count them (the summary's balance) and
// hold them to --memory-limit while the call makes them.
#include <flow/flow.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace {

class Explode final : public flow::Operator {
 public:
  Explode(std::int64_t copies, std::uint64_t size) : copies_(copies), size_(size) {}

  void apply(flow::Chunk& messages, flow::OperatorContext&) override {
    flow::Chunk made;
    for (const auto& message : messages) {
      for (std::int64_t i = 0; i < copies_; ++i) {
        flow::Message copy;
        copy.source = message.source;
        copy.created = message.created;
        copy.payload = std::string(size_, 'x');
        made.push_back(std::move(copy));
      }
    }
    messages = std::move(made);
  }

 private:
  std::int64_t copies_;
  std::uint64_t size_;
};

}  // namespace

FLOW_PLUGIN(registry) {
  flow::OperatorSpec spec;
  spec.name = "explode";
  spec.role = flow::Role::Stage;
  spec.summary = "gives out `copies` messages of `size` bytes for each message it takes";
  spec.args = {flow::ArgumentSpec{"copies", flow::ValueKind::Integer, true, std::nullopt, false},
               flow::ArgumentSpec{"size", flow::ValueKind::Size, true, std::nullopt, false}};
  spec.make = [](const flow::OperatorCall& call) {
    return std::make_unique<Explode>(flow::required_arg<std::int64_t>(call, "copies"),
                                     flow::required_arg<flow::Size>(call, "size").bytes);
  };
  registry.add(std::move(spec));
}
