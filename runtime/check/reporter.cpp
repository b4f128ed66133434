#include "runtime/check/reporter.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace flow::checker {

void Reporter::error(SourceLocation at, std::size_t width, std::string message) {
  diagnostics_.push_back(Diagnostic{Severity::Error, at, std::move(message), std::max<std::size_t>(1, width)});
  ++errors_;
}

void Reporter::warning(SourceLocation at, std::size_t width, std::string message) {
  diagnostics_.push_back(Diagnostic{Severity::Warning, at, std::move(message), std::max<std::size_t>(1, width)});
}

std::vector<Diagnostic> Reporter::take() {
  // Passes run in dependency order, not file order; a stable sort keeps the
  // order of several findings at one place.
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.location.known() != b.location.known()) return a.location.known();
    return a.location.offset < b.location.offset;
  });
  errors_ = 0;
  return std::move(diagnostics_);
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  auto close = closest_match(name, candidates);
  return close.empty() ? std::string() : fmt::format("; did you mean '{}'?", close);
}

std::string unknown_name(std::string_view what, const std::string& name, const std::vector<std::string>& candidates) {
  return fmt::format("unknown {} '{}'{}", what, name, did_you_mean(name, candidates));
}

}  // namespace flow::checker
