// Test operators for labeled outputs and partitions: a router that picks
// the output by number (the runtime's mechanism, without expressions), a
// stage that gives each message a key, and a sink that records per sink.
#include <fmt/format.h>

#include <stdexcept>

#include "support.hpp"

namespace flow::test {
namespace {

std::int64_t int_arg(const OperatorCall& call, const std::string& name, std::int64_t fallback) {
  auto found = call.args.find(name);
  return found == call.args.end() ? fallback : std::get<std::int64_t>(found->second);
}

/// Picks a label per message with `pick` (a negative one: none, filtered),
/// as route does with its conditions.
class RouteBy final : public Operator {
 public:
  explicit RouteBy(std::function<std::int64_t(long)> pick) : pick_(std::move(pick)) {}
  void apply(Chunk& messages, OperatorContext& context) override {
    auto* outputs = context.outputs();
    if (outputs == nullptr) throw std::runtime_error("route_mod must end a node with labeled outputs");
    Chunk kept;
    for (auto& message : messages) {
      auto label = pick_(number_of(message.payload));
      if (label < 0) {
        context.filtered(message);
        continue;
      }
      outputs->push_back(static_cast<std::uint32_t>(label));
      kept.push_back(std::move(message));
    }
    messages = std::move(kept);
  }

 private:
  std::function<std::int64_t(long)> pick_;
};

class KeyMod final : public Operator {
 public:
  explicit KeyMod(std::int64_t k) : k_(k) {}
  void apply(Chunk& messages, OperatorContext&) override {
    for (auto& message : messages) {
      message.fields.edit().set("user", fmt::format("u{}", number_of(message.payload) % k_));
    }
  }

 private:
  std::int64_t k_;
};

class Collect final : public Operator {
 public:
  Collect(std::int64_t sink, std::shared_ptr<Recorder> recorder)
      : sink_(sink), recorder_(std::move(recorder)) {}
  void apply(Chunk& messages, OperatorContext&) override {
    std::lock_guard lock(recorder_->mutex);
    for (const auto& message : messages) {
      recorder_->collected[sink_].push_back(number_of(message.payload));
      auto user = message.fields.find("user");
      recorder_->collected_users[sink_].push_back(user ? field_text(*user) : "");
    }
  }

 private:
  std::int64_t sink_;
  std::shared_ptr<Recorder> recorder_;
};

OperatorSpec spec(const std::string& name, Role role,
                  std::function<std::unique_ptr<Operator>(const OperatorCall&)> make) {
  OperatorSpec spec;
  spec.name = name;
  spec.role = role;
  spec.make = std::move(make);
  return spec;
}

}  // namespace

void add_route_test_ops(OperatorRegistry& registry, std::shared_ptr<Recorder> recorder) {
  registry.add(spec("route_mod", Role::Stage, [](const OperatorCall& c) {
    auto k = int_arg(c, "k", 2);
    auto labels = int_arg(c, "labels", k);
    return std::make_unique<RouteBy>([k, labels](long n) { return n % k < labels ? n % k : -1; });
  }));
  registry.add(spec("route_below", Role::Stage, [](const OperatorCall& c) {
    auto below = int_arg(c, "n", 10);
    return std::make_unique<RouteBy>([below](long n) -> std::int64_t { return n < below ? 0 : 1; });
  }));
  registry.add(spec("key_mod", Role::Stage,
                    [](const OperatorCall& c) { return std::make_unique<KeyMod>(int_arg(c, "k", 7)); }));
  registry.add(spec("collect", Role::Sink, [recorder](const OperatorCall& c) {
    return std::make_unique<Collect>(int_arg(c, "sink", 0), recorder);
  }));
}

}  // namespace flow::test
