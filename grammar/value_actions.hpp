#pragma once
// PEGTL actions for values (grammar.hpp's numbers, strings, distributions,
// expression arguments) and the helpers every action uses; actions.hpp adds
// those of attributes, calls and statements. Internal to grammar/ (included
// through actions.hpp by parser.cpp only). Actions sit on rules that either
// match completely or make the whole statement fail, so a backtracking
// alternative never leaves half a value behind.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "grammar/builder.hpp"
#include "grammar/grammar.hpp"
#include "grammar/literals.hpp"

namespace flow::grammar {

template <typename ActionInput>
SourceLocation location_of(const ActionInput& in, std::size_t offset_in_token = 0) {
  const auto& at = in.iterator();  // tokens never span lines, so the column moves with the offset
  return {at.line, at.column + offset_in_token, at.byte + offset_in_token};
}

/// The bytes a matched rule covers.
template <typename ActionInput>
syntax::Span span_of(const ActionInput& in) {
  return {in.iterator().byte, in.iterator().byte + in.size()};
}

template <typename ActionInput>
syntax::Name name_of(const ActionInput& in) {
  return {in.string(), location_of(in)};
}

template <typename ActionInput>
void set_literal(StatementBuilder& b, const ActionInput& in, Decoded decoded) {
  if (auto* error = std::get_if<TokenError>(&decoded)) {
    throw SyntaxError{{Severity::Error, location_of(in, error->offset), error->message, error->width}};
  }
  b.literal = {std::move(std::get<Value>(decoded)), location_of(in), in.size(), in.string()};
}

template <typename Rule>
struct action : nothing<Rule> {};

// ---------------------------------------------------------------- values

template <>
struct action<number> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    set_literal(b, in, decode_number(in.string_view()));
  }
};
template <>
struct action<string_literal> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    set_literal(b, in, decode_string(in.string_view()));
  }
};
template <>
struct action<true_value> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    set_literal(b, in, Value{true});
  }
};
template <>
struct action<false_value> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    set_literal(b, in, Value{false});
  }
};
template <>
struct action<unbounded_value> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    set_literal(b, in, Value{Unbounded{}});
  }
};
template <>
struct action<identifier_value> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    set_literal(b, in, Value{Identifier{in.string()}});
  }
};

template <>
struct action<dist_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.distribution = {in.string(), {}, std::nullopt, in.iterator().byte};
  }
};
template <>
struct action<dist_param_name> {
  // The match is `name sp =`: keep only the name.
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    auto text = in.string_view();
    b.distribution.pending_name = std::string(text.substr(0, text.find_first_of(" \t=")));
  }
};
template <>
struct action<dist_param_value> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    // Offsets count from the distribution's name, which starts the token.
    auto offset = in.iterator().byte - b.distribution.start;
    b.distribution.params.push_back(
        {b.distribution.pending_name.value_or(""), decode_number(in.string_view()), offset, in.size()});
    b.distribution.pending_name.reset();
  }
};
template <>
struct action<distribution_value> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    set_literal(b, in, decode_distribution(b.distribution.name, b.distribution.params, in.size()));
  }
};

/// `delay(10 ms)`: the word after the number is stray. When the two make a
/// value together, say so; either way the error is at the word.
template <>
struct action<spaced_unit> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder&) {
    auto text = in.string_view();
    auto number = text.substr(0, text.find_first_of(" \t\r"));
    auto unit_at = text.find_first_not_of(" \t\r", number.size());
    auto unit = text.substr(unit_at);
    auto joined = fmt::format("{}{}", number, unit);
    std::string message = "expected ',' or ')' after the argument";
    if (std::holds_alternative<Value>(decode_number(joined)))
      message = fmt::format("expected ',' or ')' after '{}'; write '{}', with no space before the unit",
                            number, joined);
    throw SyntaxError{{Severity::Error, location_of(in, unit_at), std::move(message), unit.size()}};
  }
};

/// An argument's text, less the blanks the grammar let it end with.
inline std::string_view trimmed_expression(std::string_view text) {
  auto end = text.find_last_not_of(" \t\r\n");
  return end == std::string_view::npos ? std::string_view{} : text.substr(0, end + 1);
}
template <>
struct action<expression_text> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    auto text = trimmed_expression(in.string_view());
    b.literal = {Value{Expression{std::string(text), ""}}, location_of(in),
                 std::max<std::size_t>(1, text.size()), std::string(text)};
  }
};
template <>
struct action<arg_label> {
  // The match is `label sp :`: keep only the label.
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    auto text = in.string_view();
    b.pending_label = std::string(text.substr(0, text.find_first_of(" \t:")));
  }
};
template <>
struct action<labeled_expression> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    auto text = trimmed_expression(in.string_view());
    b.literal = {Value{Expression{std::string(text), std::move(b.pending_label)}}, location_of(in),
                 std::max<std::size_t>(1, text.size()), std::string(text)};
    b.pending_label.clear();
  }
};
template <>
struct action<key_value> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    set_literal(b, in, Value{Expression{in.string(), ""}});
  }
};

/// A keyword where a name is due: say which word is reserved.
template <>
struct action<reserved_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder&) {
    throw SyntaxError{{Severity::Error, location_of(in),
                       fmt::format("'{}' is a keyword and cannot be used as a name", in.string_view()),
                       in.size()}};
  }
};

}  // namespace flow::grammar
