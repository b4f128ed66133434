#include "runtime/check/arguments.hpp"

#include <fmt/format.h>
#include <map>
#include <stdexcept>

#include "grammar/literals.hpp"
#include "runtime/model/value_limits.hpp"

namespace flow::checker {
namespace {

std::vector<std::string> argument_names(const OperatorSpec& spec) {
  std::vector<std::string> names;
  for (const auto& arg : spec.args) names.push_back(arg.name);
  return names;
}

std::vector<const ArgumentSpec*> positional_specs(const OperatorSpec& spec) {
  std::vector<const ArgumentSpec*> positional;
  for (const auto& arg : spec.args) {
    if (arg.positional) positional.push_back(&arg);
  }
  return positional;
}

std::string too_many_positional(const OperatorSpec& spec, std::size_t allowed) {
  if (allowed == 0) return fmt::format("operator '{}' takes no positional arguments", spec.name);
  return fmt::format("operator '{}' takes {} positional argument{}", spec.name, allowed,
                     allowed == 1 ? "" : "s");
}

// Where each given argument was written, so later messages can point at it.
using Written = std::map<std::string, const syntax::Argument*>;

// Matches one written argument to its spec; reports and returns nullptr when none fits.
const ArgumentSpec* match_argument(Reporter& reporter, const OperatorSpec& spec, const syntax::Argument& arg,
                                   std::size_t& next_positional) {
  if (arg.name) {
    const auto* found = find_argument(spec, arg.name->text);
    // set(ms = ...): any name is an expression argument named so.
    static const ArgumentSpec open_name = [] {
      ArgumentSpec open;
      open.kind = ValueKind::Expression;
      return open;
    }();
    if (found == nullptr && spec.open_names) return &open_name;
    if (found == nullptr) {
      reporter.error(arg.name->location, arg.name->text.size(),
                     fmt::format("operator '{}' has no argument '{}'{}", spec.name, arg.name->text,
                                 did_you_mean(arg.name->text, argument_names(spec))));
    } else if (found->variadic) {
      reporter.error(arg.name->location, arg.name->text.size(),
                     fmt::format("'{}' of '{}' takes its values by position only: {}(..., \"a\", \"b\")",
                                 found->name, spec.name, spec.name));
      return nullptr;
    }
    return found;
  }
  auto positional = positional_specs(spec);
  // A variadic last one takes every further value.
  if (next_positional >= positional.size() && !positional.empty() && positional.back()->variadic)
    return positional.back();
  if (next_positional >= positional.size()) {
    reporter.error(arg.value.location, arg.value.width, too_many_positional(spec, positional.size()));
    return nullptr;
  }
  return positional[next_positional++];
}

// `delay(poisson(10ms))`: the grammar reads only the distributions' own names
// as distributions, so another name called where a random duration is due
// comes as an expression. Returns the message, "" when that is not the case;
// `width` is the name's.
std::string unknown_distribution(const ArgumentSpec& spec, const syntax::Literal& literal,
                                 std::size_t& width) {
  const auto* expression = std::get_if<Expression>(&literal.value);
  if (!spec.random || expression == nullptr) return "";
  std::string_view text = expression->text;
  auto name_end = text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
  auto open = text.find_first_not_of(" \t", name_end);
  if (name_end == 0 || open == std::string_view::npos || text[open] != '(') return "";
  width = name_end;
  return grammar::unknown_distribution(text.substr(0, name_end));
}

// Where `literal`'s value, now `value`, was written: a word reads as written,
// and so does a string without escapes, one byte past its quote.
ArgumentSite site_of(const syntax::Literal& literal, const Value& value) {
  ArgumentSite site{literal.location, literal.width};
  const auto* text = std::get_if<std::string>(&value);
  if (std::holds_alternative<Identifier>(literal.value) && text != nullptr && literal.width == text->size()) {
    site.text_at = 0;
  } else if (text != nullptr && literal.width == text->size() + 2) {
    site.text_at = 1;
  }
  return site;
}

// Reads the written arguments into `resolved.call.args`; returns where each was written.
Written read_arguments(Reporter& reporter, const syntax::OperatorCall& call, ResolvedCall& resolved) {
  Written written;
  std::size_t next_positional = 0;
  std::size_t variadic_count = 0;
  for (const auto& arg : call.args) {
    const auto* spec = match_argument(reporter, *resolved.spec, arg, next_positional);
    if (spec == nullptr) {
      resolved.complete = false;
      continue;
    }
    auto key = spec->variadic       ? variadic_key(spec->name, ++variadic_count)
               : spec->name.empty() ? arg.name->text  // an open name
                                    : spec->name;
    if (!written.emplace(key, &arg).second) {
      auto at = arg.name ? arg.name->location : arg.value.location;
      auto width = arg.name ? arg.name->text.size() : arg.value.width;
      reporter.error(at, width,
                     fmt::format("argument '{}' of '{}' is given twice", spec->name, call.name.text));
      resolved.complete = false;
      continue;
    }
    std::size_t width = arg.value.width;
    if (auto unknown = unknown_distribution(*spec, arg.value, width); !unknown.empty()) {
      reporter.error(arg.value.location, width, std::move(unknown));
      resolved.complete = false;
      continue;
    }
    Value value = arg.value.value;
    auto error = convert_argument(*spec, value, arg.value.text);
    if (error.empty()) error = limits::out_of_range(value);
    if (!error.empty()) {
      reporter.error(arg.value.location, arg.value.width, std::move(error));
      resolved.complete = false;
      continue;
    }
    resolved.sites[key] = site_of(arg.value, value);
    resolved.call.args[key] = std::move(value);
  }
  return written;
}

void fill_defaults(Reporter& reporter, const syntax::OperatorCall& call, const Written& written,
                   bool unmatched, ResolvedCall& resolved) {
  for (const auto& spec : resolved.spec->args) {
    if (written.count(spec.name) != 0) continue;
    if (spec.required) {
      resolved.complete = false;
      // A misspelt or extra argument is most likely the missing one: one message is enough.
      if (unmatched) continue;
      reporter.error(
          call.name.location, call.name.text.size(),
          fmt::format("operator '{}' is missing its required argument '{}'", call.name.text, spec.name));
    } else if (spec.fallback) {
      resolved.call.args[spec.name] = *spec.fallback;
    }
  }
}

// Whether byte `inside` of a string argument can be pointed at in the source:
// the literal was written without escapes, so its bytes are the decoded ones.
bool caret_inside(const syntax::Literal& literal, std::size_t inside) {
  const auto* text = std::get_if<std::string>(&literal.value);
  return inside != std::string::npos && text != nullptr && literal.width == text->size() + 2 &&
         inside < text->size();
}

}  // namespace

const ArgumentSpec* find_argument(const OperatorSpec& spec, const std::string& name) {
  for (const auto& arg : spec.args) {
    if (arg.name == name) return &arg;
  }
  return nullptr;
}

std::pair<SourceLocation, std::size_t> ArgumentSite::inside(std::size_t offset, std::size_t wide) const {
  if (text_at == std::string::npos || !at.known()) return {at, width};
  auto where = at;
  where.column += text_at + offset;
  where.offset += text_at + offset;
  return {where, wide};
}

std::string convert_argument(const ArgumentSpec& spec, Value& value, std::string_view written) {
  if (spec.kind == ValueKind::Decimal) {
    if (const auto* integer = std::get_if<std::int64_t>(&value)) value = static_cast<double>(*integer);
  }
  if (spec.word && spec.kind == ValueKind::String) {
    if (const auto* word = std::get_if<Identifier>(&value)) value = std::string(word->name);
  }
  if (kind_of(value) == spec.kind) return "";
  if (spec.word)
    return fmt::format("expected a name such as 'status' or a string, got {}", describe(kind_of(value)));
  // A plain value where an expression is due is one: where(true), route(rest: true).
  if (spec.kind == ValueKind::Expression) {
    value = Expression{written.empty() ? to_string(value) : std::string(written), ""};
    return "";
  }
  if (spec.random && spec.kind == ValueKind::Duration && kind_of(value) == ValueKind::Distribution) return "";
  if (spec.random) {
    return fmt::format("expected {} or a distribution such as 'exponential(10ms)', got {}",
                       describe(spec.kind), describe(kind_of(value)));
  }
  if (kind_of(value) == ValueKind::Distribution) {
    // `burst=uniform(1ms, 9ms)`: a random count is not something flow draws.
    return fmt::format(
        "expected {}, got a distribution: '{}' takes one fixed value; a distribution draws "
        "random durations, for delay, spin, generate's every and batch's within",
        describe(spec.kind), spec.name);
  }
  return fmt::format("expected {}, got {}", describe(spec.kind), describe(kind_of(value)));
}

std::string validate_call(const OperatorSpec& spec, const OperatorCall& call, std::string& argument) {
  if (!spec.validate) return "";
  // A user's validator may throw; that is a rejection, not a crash of the checker.
  try {
    return spec.validate(call, argument);
  } catch (const std::exception& error) {
    return fmt::format("operator '{}' rejected its arguments: {}", spec.name, error.what());
  }
}

std::optional<ResolvedCall> resolve_call(Reporter& reporter, const OperatorRegistry& registry,
                                         const syntax::OperatorCall& call) {
  const auto* spec = registry.find(call.name.text);
  if (spec == nullptr) {
    reporter.error(call.name.location, call.name.text.size(),
                   unknown_name("operator", call.name.text, registry.names()));
    return std::nullopt;
  }
  ResolvedCall resolved{OperatorCall{call.name.text, {}, call.name.location}, spec, true, {}};
  auto written = read_arguments(reporter, call, resolved);
  // Arguments that matched no spec left the call incomplete before any default was looked at.
  bool unmatched = !resolved.complete && written.size() < call.args.size();
  fill_defaults(reporter, call, written, unmatched, resolved);
  if (!resolved.complete) return resolved;
  std::string culprit;
  auto error = validate_call(*spec, resolved.call, culprit);
  if (!error.empty()) {
    // `name@N`: the problem is at byte N of the string given as `name` (registry.hpp).
    std::size_t inside = std::string::npos;
    if (auto at = culprit.find('@'); at != std::string::npos) {
      inside = std::stoul(culprit.substr(at + 1));
      culprit.resize(at);
    }
    auto found = written.find(culprit);
    if (found != written.end() && caret_inside(found->second->value, inside)) {
      const auto& value = found->second->value;
      auto at = value.location;
      at.column += 1 + inside;
      at.offset += 1 + inside;
      reporter.error(at, 1, std::move(error));
    } else if (found == written.end()) {
      reporter.error(call.name.location, call.name.text.size(), std::move(error));
    } else {
      const auto& value = found->second->value;
      reporter.error(value.location, value.width, std::move(error));
    }
    resolved.complete = false;
  }
  return resolved;
}

}  // namespace flow::checker
