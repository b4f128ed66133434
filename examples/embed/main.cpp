// Runs a pipeline held in a string, with an operator of this program's own:
// `rot13`, a stage that rotates every letter of a line by 13 places.
#include <flow/flow.hpp>

#include <cctype>
#include <iostream>
#include <memory>

namespace {

class Rot13 final : public flow::Operator {
 public:
  void apply(flow::Chunk& messages, flow::OperatorContext&) override {
    for (auto& message : messages) {
      std::string text(message.payload.view());
      for (char& c : text) {
        if (std::isalpha(static_cast<unsigned char>(c))) {
          char base = std::islower(static_cast<unsigned char>(c)) ? 'a' : 'A';
          c = static_cast<char>(base + (c - base + 13) % 26);
        }
      }
      message.payload = flow::Payload(std::move(text));  // same size: no resized() to report
    }
  }
};

flow::OperatorSpec rot13_spec() {
  flow::OperatorSpec spec;
  spec.name = "rot13";
  spec.role = flow::Role::Stage;
  spec.summary = "rotates every letter by 13 places";
  spec.make = [](const flow::OperatorCall&) { return std::make_unique<Rot13>(); };
  return spec;
}

const char* const pipeline_text = R"(
pipeline embedded
source lines  = read("-")
stage  secret = rot13() [workers=2, ordered=true]
sink   out    = stdout()
lines -> secret -> out [capacity=64]
)";

}  // namespace

int main() {
  flow::OperatorRegistry registry = flow::builtin_operators();
  registry.add(rot13_spec());
  flow::CheckResult loaded = flow::load_string("embedded.flow", pipeline_text, registry);
  if (!loaded.pipeline) {
    std::cerr << flow::render_all(*loaded.source, loaded.diagnostics);
    return 2;
  }
  flow::RunMetrics metrics = flow::run(*loaded.pipeline, registry, flow::RunOptions{});
  std::cerr << "flow " << flow::version() << ": " << metrics.sinks.at(0).delivered << " lines, "
            << flow::to_string(metrics.status) << "\n";
  return metrics.status == flow::RunStatus::Ok ? 0 : 1;
}
