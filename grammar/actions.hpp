#pragma once
// PEGTL actions: how each matched rule of grammar.hpp adds to the syntax tree.
// Internal to grammar/ (included by parser.cpp only). Actions sit on rules that
// either match completely or make the whole statement fail, so a backtracking
// alternative never leaves half a value behind.
#include <fmt/format.h>

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

// ---------------------------------------------------------------- attributes

template <>
struct action<attr_key> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.pending_key = name_of(in);
  }
};
struct push_attribute {
  template <typename ActionInput>
  static void apply(const ActionInput&, StatementBuilder& b) {
    b.attributes.push_back({std::move(*b.pending_key), std::move(b.literal)});
    b.pending_key.reset();
  }
};
template <>
struct action<attr_first> : push_attribute {};
template <>
struct action<attr_next> : push_attribute {};
/// A statement's own `[...]` (not `edge [...]`'s, a rule of its own).
template <>
struct action<attr_list> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.attribute_list = span_of(in);
  }
};

// ---------------------------------------------------------------- operator calls

template <>
struct action<op_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.node.chain.push_back({name_of(in), {}});
  }
};
template <>
struct action<arg_name> {
  // The match is `name ws =`: keep only the name.
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    auto text = in.string_view();
    std::size_t end = 0;
    while (end < text.size() && text[end] != '=' && text[end] != ' ' && text[end] != '\t' &&
           text[end] != '\r' && text[end] != '\n' && text[end] != '#' && text[end] != '/') {
      ++end;
    }
    b.pending_key = syntax::Name{std::string(text.substr(0, end)), location_of(in)};
  }
};
struct push_argument {
  template <typename ActionInput>
  static void apply(const ActionInput&, StatementBuilder& b) {
    b.node.chain.back().args.push_back({std::move(b.pending_key), std::move(b.literal)});
    b.pending_key.reset();
  }
};
template <>
struct action<arg_first> : push_argument {};
template <>
struct action<arg_next> : push_argument {};
/// Where a node's `[...]` would go when it has none: after its last operator.
struct end_chain {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.node.chain_end = span_of(in).end;
  }
};
template <>
struct action<first_op> : end_chain {};
template <>
struct action<next_op> : end_chain {};

// ---------------------------------------------------------------- statements

template <>
struct action<pipeline_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.header.name = name_of(in);
  }
};
template <>
struct action<header> {
  template <typename ActionInput>
  static void apply(const ActionInput&, StatementBuilder& b) {
    b.header.attributes = std::move(b.attributes);
    b.statement = std::move(b.header);
  }
};

template <>
struct action<edge_keyword> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.node.keyword_location = location_of(in);
  }
};
template <>
struct action<edge_defaults> {
  template <typename ActionInput>
  static void apply(const ActionInput&, StatementBuilder& b) {
    b.statement =
        syntax::Defaults{syntax::Defaults::Target::Edge, b.node.keyword_location, std::move(b.attributes)};
  }
};

template <NodeKind Kind>
struct set_kind {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.node.kind = Kind;
    b.node.keyword_location = location_of(in);
  }
};
template <>
struct action<source_keyword> : set_kind<NodeKind::Source> {};
template <>
struct action<stage_keyword> : set_kind<NodeKind::Stage> {};
template <>
struct action<sink_keyword> : set_kind<NodeKind::Sink> {};

template <>
struct action<kind_defaults> {
  template <typename ActionInput>
  static void apply(const ActionInput&, StatementBuilder& b) {
    using Target = syntax::Defaults::Target;
    auto target = b.node.kind == NodeKind::Source ? Target::Source
                  : b.node.kind == NodeKind::Sink ? Target::Sink
                                                  : Target::Stage;
    b.statement = syntax::Defaults{target, b.node.keyword_location, std::move(b.attributes)};
  }
};
template <>
struct action<node_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.node.name = name_of(in);
  }
};
template <>
struct action<node_body> {
  template <typename ActionInput>
  static void apply(const ActionInput&, StatementBuilder& b) {
    b.node.attributes = std::move(b.attributes);
    b.node.attribute_list = b.attribute_list;
    b.statement = std::move(b.node);
  }
};

// ---------------------------------------------------------------- edge chains

template <>
struct action<step_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.chain.steps.push_back({{name_of(in)}, {}});
  }
};
template <>
struct action<group_open> {
  template <typename ActionInput>
  static void apply(const ActionInput&, StatementBuilder& b) {
    b.chain.steps.emplace_back();
  }
};
struct add_group_member {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.chain.steps.back().nodes.push_back(name_of(in));
  }
};
template <>
struct action<group_first> : add_group_member {};
template <>
struct action<group_member> : add_group_member {};
struct add_arrow {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.chain.arrows.push_back(location_of(in));
  }
};
/// A step's extent, once its name or its whole group has been read.
struct end_step {
  template <typename ActionInput>
  static void apply(const ActionInput& in, StatementBuilder& b) {
    b.chain.steps.back().span = span_of(in);
  }
};
template <>
struct action<edge_step> : end_step {};
template <>
struct action<arrow_target> : end_step {};
template <>
struct action<first_arrow> : add_arrow {};
template <>
struct action<arrow> : add_arrow {};
template <>
struct action<edge_chain> {
  template <typename ActionInput>
  static void apply(const ActionInput&, StatementBuilder& b) {
    b.chain.attributes = std::move(b.attributes);
    b.chain.attribute_list = b.attribute_list;
    b.statement = std::move(b.chain);
  }
};

}  // namespace flow::grammar
