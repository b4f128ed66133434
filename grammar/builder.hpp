#pragma once
// The state PEGTL's actions fill while one statement is parsed, and the
// exception an action throws when a token is malformed. Internal to grammar/.
#include <optional>
#include <string>
#include <vector>

#include "grammar/literals.hpp"
#include "grammar/syntax_tree.hpp"
#include "flow/diagnostic.hpp"

namespace flow::grammar {

/// A distribution as written, before decode_distribution gives it meaning.
struct DistributionCall {
  std::string name;
  std::vector<DistributionParam> params;
  std::optional<std::string> pending_name;  ///< `p50` of the `p50=10ms` being read
  std::size_t start = 0;                    ///< byte of the file where its name starts
};

/// Thrown by an action for an error found inside a token (an unknown unit, a
/// bad escape): carries its own message, location and width.
struct SyntaxError {
  Diagnostic diagnostic;
};

/// What has been read of the current statement. A fresh one per statement, so
/// a statement that fails leaves nothing behind.
struct StatementBuilder {
  std::optional<syntax::Statement> statement;  ///< set when the statement is complete

  syntax::Literal literal;                  ///< the last value read
  std::optional<syntax::Name> pending_key;  ///< `key` of the `key=value` being read
  std::string pending_label;                ///< `label` of the `label: expr` being read
  DistributionCall distribution;           ///< the distribution value being read
  std::vector<syntax::Attribute> attributes;
  std::optional<syntax::Span> attribute_list;  ///< where the statement's `[...]` is, once read

  syntax::Header header;
  syntax::NodeDecl node;
  syntax::EdgeChain chain;
};

}  // namespace flow::grammar
