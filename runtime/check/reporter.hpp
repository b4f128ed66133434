#pragma once
// Internal to the checker: collects diagnostics from every pass and hands them
// back in source order.
#include <string>
#include <string_view>
#include <vector>

#include "flow/diagnostic.hpp"

namespace flow::checker {

class Reporter {
 public:
  /// Records an error under `width` bytes of source text starting at `at`.
  void error(SourceLocation at, std::size_t width, std::string message);
  /// Records a warning; warnings never stop a pipeline from being built.
  void warning(SourceLocation at, std::size_t width, std::string message);
  /// Errors recorded so far (a pass may skip work once its input is known bad).
  std::size_t error_count() const { return errors_; }
  /// Every diagnostic, sorted by position; ones without a location (overrides) come last.
  std::vector<Diagnostic> take();

 private:
  std::vector<Diagnostic> diagnostics_;
  std::size_t errors_ = 0;
};

/// "unknown WHAT 'name'", plus "; did you mean 'x'?" when a candidate is close.
std::string unknown_name(std::string_view what, const std::string& name, const std::vector<std::string>& candidates);

/// "; did you mean 'x'?" when a candidate is close, else "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace flow::checker
