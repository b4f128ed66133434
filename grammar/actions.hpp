#pragma once
// PEGTL actions: how each matched rule of grammar.hpp adds to the syntax tree
// (values in value_actions.hpp). Internal to grammar/ (included by parser.cpp
// only). Actions sit on rules that either match completely or make the whole
// statement fail, so a backtracking alternative never leaves half a value behind.
#include <fmt/format.h>

#include <utility>

#include "grammar/builder.hpp"
#include "grammar/grammar.hpp"
#include "grammar/value_actions.hpp"

namespace flow::grammar {

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
