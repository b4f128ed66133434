// libFuzzer entry point: feeds arbitrary bytes to parse() and parse_value()
// and checks what must hold for any input: no crash, no hang, no exception,
// and every location the parser reports lies in the text and agrees with
// its own line and column.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include "grammar/parser.hpp"
#include "runtime/model/diagnostic.hpp"

namespace {

// The line and column that `offset` has in `text`, counted independently of PEGTL.
void require_consistent(const std::string& text, const flow::SourceLocation& at) {
  if (!at.known()) return;
  if (at.offset > text.size()) std::abort();
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < at.offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  if (line != at.line || column != at.column) std::abort();
}

void check_statement(const std::string& text, const flow::syntax::Statement& statement) {
  std::visit(
      [&](const auto& s) {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, flow::syntax::NodeDecl>) {
          require_consistent(text, s.name.location);
          for (const auto& op : s.chain) {
            require_consistent(text, op.name.location);
            for (const auto& arg : op.args) require_consistent(text, arg.value.location);
          }
        } else if constexpr (std::is_same_v<T, flow::syntax::EdgeChain>) {
          if (s.arrows.size() + 1 != s.steps.size()) std::abort();
          for (const auto& step : s.steps) {
            if (step.nodes.empty()) std::abort();
            for (const auto& node : step.nodes) require_consistent(text, node.location);
          }
          for (const auto& arrow : s.arrows) require_consistent(text, arrow);
        } else if constexpr (std::is_same_v<T, flow::syntax::Header>) {
          require_consistent(text, s.name.location);
        }
        if constexpr (requires { s.attributes; }) {
          for (const auto& attribute : s.attributes) {
            require_consistent(text, attribute.key.location);
            require_consistent(text, attribute.value.location);
          }
        }
      },
      statement);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  flow::SourceFile source{"fuzz.flow", std::string(reinterpret_cast<const char*>(data), size)};
  auto result = flow::parse(source);
  for (const auto& diagnostic : result.diagnostics) {
    require_consistent(source.text, diagnostic.location);
    if (diagnostic.message.empty()) std::abort();
  }
  for (const auto& statement : result.file.statements) check_statement(source.text, statement);
  (void)flow::render_all(source, result.diagnostics);

  std::string error;
  auto value = flow::parse_value(source.text, error);
  if (!value && error.empty()) std::abort();
  return 0;
}
