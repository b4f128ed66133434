// A plugin whose stage crashes (issue 30, item 20): `crash(after=N)` passes
// N messages on, then reads through a null pointer. flow must name the node,
// the operator and this plugin on standard error, write the metrics JSON it
// kept, and die by the signal (exit status 139).
#include <flow/flow.hpp>

#include <atomic>
#include <cstdint>
#include <memory>

namespace {

class Crash final : public flow::Operator {
 public:
  explicit Crash(std::int64_t after) : left_(after) {}

  void apply(flow::Chunk& messages, flow::OperatorContext&) override {
    left_ -= static_cast<std::int64_t>(messages.size());
    if (left_ >= 0) return;
    // Volatile: the compiler may neither drop the read nor prove it away.
    volatile int* nowhere = nullptr;
    messages.front().source = static_cast<std::uint32_t>(*nowhere);
  }

 private:
  std::atomic<std::int64_t> left_;
};

}  // namespace

FLOW_PLUGIN(registry) {
  flow::OperatorSpec spec;
  spec.name = "crash";
  spec.role = flow::Role::Stage;
  spec.summary = "passes `after` messages on, then reads through a null pointer";
  spec.args = {
      flow::ArgumentSpec{"after", flow::ValueKind::Integer, false, flow::Value{std::int64_t{0}}, false}};
  spec.make = [](const flow::OperatorCall& call) {
    return std::make_unique<Crash>(flow::required_arg<std::int64_t>(call, "after"));
  };
  registry.add(std::move(spec));
}
