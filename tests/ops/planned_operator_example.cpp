// The planning example of docs/operators.md, "Telling flow plan what it
// costs": the test checks the page quotes the part between the markers
// exactly, and compiling this file checks the example itself.
// BEGIN operators.md plan example
#include <chrono>
#include <memory>

#include "flow/arguments.hpp"
#include "flow/registry.hpp"

namespace example {

/// lookup(latency): stands for a call to a remote service that answers each
/// message after `latency`. It waits on the runtime's timer, not on a thread.
class Lookup final : public flow::Operator {
 public:
  explicit Lookup(std::chrono::nanoseconds latency) : latency_(latency) {}

  void apply(flow::Chunk&, flow::OperatorContext&) override {}

  std::optional<flow::Clock::time_point> ready_at(const flow::Chunk& messages,
                                                  flow::Clock::time_point now) override {
    return now + latency_ * static_cast<std::int64_t>(messages.size());
  }

  Cost cost() const override { return Cost::Wait; }  // one message per worker at a time

 private:
  std::chrono::nanoseconds latency_;
};

void register_lookup(flow::OperatorRegistry& registry) {
  flow::OperatorSpec spec;
  spec.name = "lookup";
  spec.role = flow::Role::Stage;
  spec.summary = "wait `latency` per message, as a call to a remote service would";
  spec.args = {{"latency", flow::ValueKind::Duration, /*required=*/true, std::nullopt, /*positional=*/true}};
  spec.make = [](const flow::OperatorCall& call) -> std::unique_ptr<flow::Operator> {
    return std::make_unique<Lookup>(flow::required_arg<flow::Duration>(call, "latency").value);
  };
  // What `flow plan` knows of a call: each message takes a worker `latency`,
  // and the runtime hands it one message at a time, as cost() says.
  spec.plan = [](const flow::OperatorCall& call) {
    flow::OperatorPlan plan;
    auto latency = flow::required_arg<flow::Duration>(call, "latency").value;
    plan.seconds_per_message = std::chrono::duration<double>(latency).count();
    plan.cost = flow::Operator::Cost::Wait;
    return plan;
  };
  registry.add(std::move(spec));
}

}  // namespace example
// END operators.md plan example
