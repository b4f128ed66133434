// libFuzzer entry point: feeds arbitrary bytes to parse() and parse_value()
// and checks what must hold for any input: no crash, no hang, no exception,
// and every location the parser reports lies in the text and agrees with
// its own line and column.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "grammar/parser.hpp"
#include "flow/diagnostic.hpp"

namespace {

// Where each line starts, counted independently of PEGTL, so that a location's
// line and column can be checked against its byte offset in O(log n).
class LineTable {
 public:
  explicit LineTable(const std::string& text) : size_(text.size()) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
  }

  void require_consistent(const flow::SourceLocation& at) const {
    if (!at.known()) return;
    if (at.offset > size_) std::abort();
    auto after = std::upper_bound(starts_.begin(), starts_.end(), at.offset);
    auto line = static_cast<std::size_t>(after - starts_.begin());
    if (line != at.line || at.offset - starts_[line - 1] + 1 != at.column) std::abort();
  }

 private:
  std::size_t size_;
  std::vector<std::size_t> starts_;
};

void check_statement(const LineTable& lines, const flow::syntax::Statement& statement) {
  std::visit(
      [&](const auto& s) {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, flow::syntax::NodeDecl>) {
          lines.require_consistent(s.name.location);
          for (const auto& op : s.chain) {
            lines.require_consistent(op.name.location);
            for (const auto& arg : op.args) lines.require_consistent(arg.value.location);
          }
        } else if constexpr (std::is_same_v<T, flow::syntax::EdgeChain>) {
          if (s.arrows.size() + 1 != s.steps.size()) std::abort();
          for (const auto& step : s.steps) {
            if (step.nodes.empty()) std::abort();
            for (const auto& node : step.nodes) lines.require_consistent(node.location);
          }
          for (const auto& arrow : s.arrows) lines.require_consistent(arrow);
        } else if constexpr (std::is_same_v<T, flow::syntax::Header>) {
          lines.require_consistent(s.name.location);
        }
        if constexpr (requires { s.attributes; }) {
          for (const auto& attribute : s.attributes) {
            lines.require_consistent(attribute.key.location);
            lines.require_consistent(attribute.value.location);
          }
        }
      },
      statement);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  flow::SourceFile source{"fuzz.flow", std::string(reinterpret_cast<const char*>(data), size)};
  auto result = flow::parse(source);
  const LineTable lines(source.text);
  for (const auto& diagnostic : result.diagnostics) {
    lines.require_consistent(diagnostic.location);
    if (diagnostic.message.empty()) std::abort();
  }
  for (const auto& statement : result.file.statements) check_statement(lines, statement);
  (void)flow::render_all(source, result.diagnostics);

  std::string error;
  auto value = flow::parse_value(source.text, error);
  if (!value && error.empty()) std::abort();
  return 0;
}
