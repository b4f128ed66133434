#pragma once
// Helpers for the checker's tests: every test starts from .flow text.
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/check/check.hpp"

namespace flow::test {

/// The file as the checker sees it, named `name`.
inline std::shared_ptr<const SourceFile> source_of(const std::string& text, const std::string& name = "t.flow") {
  return std::make_shared<const SourceFile>(SourceFile{name, text});
}

/// Parses and checks `text` against the built-in operators.
inline CheckResult load_text(const std::string& text, const std::vector<Override>& overrides = {},
                             const std::string& name = "t.flow") {
  return load(source_of(text, name), builtin_operators(), overrides);
}

/// Everything the checker says about `text`, rendered as the user sees it.
inline std::string diagnostics_of(const std::string& text, const std::vector<Override>& overrides = {}) {
  auto source = source_of(text);
  return render_all(*source, load(source, builtin_operators(), overrides).diagnostics);
}

/// The loaded pipeline; fails the test (showing the diagnostics) when there is none.
inline Pipeline pipeline_of(const std::string& text, const std::vector<Override>& overrides = {}) {
  auto source = source_of(text);
  auto result = load(source, builtin_operators(), overrides);
  INFO(render_all(*source, result.diagnostics));
  REQUIRE(result.pipeline.has_value());
  return *result.pipeline;
}

/// A complete, valid pipeline to which a test appends lines.
inline const char* const base_pipeline =
    "source ingest = generate(count=10)\n"
    "sink store = discard()\n"
    "ingest -> store\n";

}  // namespace flow::test
