#pragma once
// The syntax tree: what the file says, in order, before any name is resolved or
// any default applied. Built by parser.cpp from the PEGTL grammar; read by the
// checker (runtime/check). Holds no PEGTL types.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "flow/model.hpp"
#include "flow/source_location.hpp"
#include "flow/value.hpp"

namespace flow::syntax {

struct Literal {
  Value value;
  SourceLocation location;
  std::size_t width = 1;  ///< length of the literal's text, for carets
  /// The text as written: an Expression argument given as one plain value
  /// (`set(eps = 0.00001)`) is compiled from it, not from the value re-printed.
  std::string text;
};

struct Name {
  std::string text;
  SourceLocation location;
};

/// `key=value` inside `[...]`.
struct Attribute {
  Name key;
  Literal value;
};

/// Bytes [begin, end) of the file: where a piece of a statement is, so a tool
/// can rewrite one value (`flow tune --write`) and leave the rest as written.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

/// An operator argument: positional (`delay(10ms)`) or named (`count=100`).
struct Argument {
  std::optional<Name> name;
  Literal value;
};

/// `op(arg, key=value)`.
struct OperatorCall {
  Name name;
  std::vector<Argument> args;
};

/// `source|stage|sink NAME = op(...) | op(...) [attrs]`.
struct NodeDecl {
  NodeKind kind = NodeKind::Stage;
  SourceLocation keyword_location;
  Name name;
  std::vector<OperatorCall> chain;
  std::vector<Attribute> attributes;
  std::size_t chain_end = 0;           ///< byte just past the last operator call's `)`
  std::optional<Span> attribute_list;  ///< the `[...]`, brackets included, when written
};

/// One step of an edge chain: a single node or a DOT-style group `{a, b}`.
struct EdgeStep {
  std::vector<Name> nodes;
  Span span;  ///< the name, or the group from `{` to `}`
};

/// `a -> {b, c} -> d [attrs]`. arrows[i] is the location of the `->` between steps[i] and steps[i+1].
struct EdgeChain {
  std::vector<EdgeStep> steps;
  std::vector<SourceLocation> arrows;
  std::vector<Attribute> attributes;
  std::optional<Span> attribute_list;  ///< the `[...]`, brackets included, when written
};

/// `edge [...]`, `source [...]`, `stage [...]`, `sink [...]`: defaults for what is declared after.
struct Defaults {
  enum class Target { Edge, Source, Stage, Sink };
  Target target = Target::Edge;
  SourceLocation location;
  std::vector<Attribute> attributes;
};

/// `pipeline NAME [attrs]`.
struct Header {
  Name name;
  std::vector<Attribute> attributes;
};

using Statement = std::variant<Header, NodeDecl, EdgeChain, Defaults>;

struct File {
  std::vector<Statement> statements;  ///< in source order
};

}  // namespace flow::syntax
