// A plugin whose operator takes a built-in's name: the loader must refuse it.
#include <flow/flow.hpp>

#include <memory>

namespace {
class Nothing final : public flow::Operator {
 public:
  void apply(flow::Chunk&, flow::OperatorContext&) override {}
};
}  // namespace

FLOW_PLUGIN(registry) {
  flow::OperatorSpec spec;
  spec.name = "upper";
  spec.make = [](const flow::OperatorCall&) { return std::make_unique<Nothing>(); };
  registry.add(std::move(spec));
}
