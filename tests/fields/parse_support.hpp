#pragma once
// Helpers for the parser tests: sample files of tests/fields/samples, a
// parser stage made from the registry as the checker would resolve it, and
// the fields of what it parsed.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ops_test_support.hpp"

namespace flow::test {

/// The lines of tests/fields/samples/`name`, without their '\n'.
inline std::vector<std::string> sample_lines(const std::string& name) {
  std::ifstream in(std::string(FIELDS_SAMPLES) + "/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// What a parser stage made of some lines: the messages it kept, in order,
/// and (payload, cause) for each line it failed.
struct Parsed {
  Chunk kept;
  std::vector<std::pair<std::string, std::string>> failures;
};

inline Parsed parse_with(const std::string& op, std::map<std::string, Value> args,
                         const std::vector<std::string>& lines) {
  auto parser = make_operator(op, std::move(args));
  Parsed parsed{chunk_of(lines), {}};
  RecordingContext context;
  parser->apply(parsed.kept, context);
  parsed.failures = context.failures;
  REQUIRE(context.removed.empty());
  return parsed;
}

inline Parsed parse_format(const std::string& format, const std::vector<std::string>& lines) {
  return parse_with("parse", {{"format", format}}, lines);
}

/// The field as text (numbers included, as field_text writes them), or nullopt.
inline std::optional<std::string> text(const Message& message, const std::string& name) {
  auto value = message.fields.find(name);
  if (!value) return std::nullopt;
  return field_text(*value);
}

/// The field when it is an integer, else nullopt.
inline std::optional<std::int64_t> integer(const Message& message, const std::string& name) {
  auto value = message.fields.find(name);
  if (!value || !std::holds_alternative<std::int64_t>(*value)) return std::nullopt;
  return std::get<std::int64_t>(*value);
}

/// The field when it is text, else nullopt (a number is not text).
inline std::optional<std::string> string(const Message& message, const std::string& name) {
  auto value = message.fields.find(name);
  if (!value || !std::holds_alternative<std::string_view>(*value)) return std::nullopt;
  return std::string(std::get<std::string_view>(*value));
}

/// 1 + the offset of `what` in `line`: the byte a cause names.
inline std::size_t byte_of(const std::string& line, const std::string& what, std::size_t from = 0) {
  auto at = line.find(what, from);
  REQUIRE(at != std::string::npos);
  return at + 1;
}

}  // namespace flow::test
