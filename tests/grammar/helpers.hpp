#pragma once
// Small helpers shared by the grammar tests.
#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "grammar/parser.hpp"
#include "flow/diagnostic.hpp"

namespace flow::test {

/// Parses `text` as a file named "test.flow".
inline ParseResult parse_text(const std::string& text) { return parse(SourceFile{"test.flow", text}); }

/// Every diagnostic of parsing `text`, rendered as the user sees them.
inline std::string errors_of(const std::string& text) {
  SourceFile file{"test.flow", text};
  return render_all(file, parse(file).diagnostics);
}

/// The value `text` stands for; fails the test when it is not one value.
inline Value value_of(const std::string& text) {
  std::string error;
  auto literal = parse_value(text, error);
  INFO("parse_value(" << text << "): " << error);
  REQUIRE(literal);
  return literal->value;
}

/// The message parse_value gives for `text`, or "" when it parsed.
inline std::string value_error(const std::string& text) {
  std::string error;
  auto literal = parse_value(text, error);
  return literal ? std::string() : error;
}

/// The one statement `text` holds, of type T; fails the test otherwise.
template <typename T>
T only_statement(const std::string& text) {
  auto result = parse_text(text);
  INFO(render_all(SourceFile{"test.flow", text}, result.diagnostics));
  REQUIRE(result.diagnostics.empty());
  REQUIRE(result.file.statements.size() == 1);
  REQUIRE(std::holds_alternative<T>(result.file.statements[0]));
  return std::get<T>(result.file.statements[0]);
}

}  // namespace flow::test
