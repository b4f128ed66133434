#pragma once
// What each `must<Rule>` of the grammar tells the user when Rule fails.
// PEGTL 3.2.7 has no error_message API yet (it is 4.x), so this follows the
// 3.x json_errors example: our own `error_message<Rule>` variable template,
// wrapped in `error`, used through `must_if<error>::control`. Every rule that
// sits inside a `must<>` needs a message here, or the build fails.
#include "grammar/grammar.hpp"

namespace flow::grammar {

template <typename Rule>
inline constexpr const char* error_message = nullptr;

// clang-format off
template <> inline constexpr auto error_message<statement> = "expected a statement: 'pipeline', 'source', 'stage', 'sink', 'edge' or an edge chain such as 'a -> b'";

template <> inline constexpr auto error_message<pipeline_name> = "expected a pipeline name after 'pipeline'";
template <> inline constexpr auto error_message<header_end> = "expected '[' or the end of the statement after the pipeline name";

template <> inline constexpr auto error_message<edge_defaults_list> = "expected '[' after 'edge'; edge defaults read 'edge [capacity=5]'";
template <> inline constexpr auto error_message<attrs_end> = "expected the end of the statement (a newline or ';') after ']'";

template <> inline constexpr auto error_message<after_kind<source_keyword>> = "expected a node name or '[' after 'source'";
template <> inline constexpr auto error_message<after_kind<stage_keyword>> = "expected a node name or '[' after 'stage'";
template <> inline constexpr auto error_message<after_kind<sink_keyword>> = "expected a node name or '[' after 'sink'";
template <> inline constexpr auto error_message<node_equals> = "expected '=' after the node name";
template <> inline constexpr auto error_message<first_op> = "expected an operator such as 'delay(10ms)'";
template <> inline constexpr auto error_message<next_op> = "expected an operator after '|', such as 'discard()'";
template <> inline constexpr auto error_message<node_end> = "expected '|', '[' or the end of the statement after the operator";

template <> inline constexpr auto error_message<op_open> = "expected '(' after the operator name; operators are called like 'discard()'";
template <> inline constexpr auto error_message<arg_first> = "expected an argument such as '10ms' or 'count=100', or ')'";
template <> inline constexpr auto error_message<arg_next> = "expected an argument after ',', such as '10ms' or 'count=100'";
template <> inline constexpr auto error_message<arg_value> = "expected a value after '=', such as '100', '10ms', '16B' or '\"text\"'";
template <> inline constexpr auto error_message<labeled_expression> = "expected an expression after ':', such as 'status >= 500' or 'true'";
template <> inline constexpr auto error_message<arg_close> = "expected ',' or ')' after the argument";

template <> inline constexpr auto error_message<attr_first> = "expected an attribute such as 'capacity=5', or ']'";
template <> inline constexpr auto error_message<attr_next> = "expected an attribute after ',', such as 'capacity=5'";
template <> inline constexpr auto error_message<attr_equals> = "expected '=' after the attribute name";
template <> inline constexpr auto error_message<attr_value> = "expected a value after '=', such as '5', 'block', '10ms' or 'unbounded'";
template <> inline constexpr auto error_message<attr_close> = "expected ',' or ']' after the attribute";

template <> inline constexpr auto error_message<first_arrow> = "expected '->' after the node name; an edge chain reads 'a -> b'";
template <> inline constexpr auto error_message<arrow_target> = "expected a node name or a group such as '{a, b}' after '->'";
template <> inline constexpr auto error_message<chain_end> = "expected '->', '[' or the end of the statement";
template <> inline constexpr auto error_message<group_first> = "expected a node name after '{'";
template <> inline constexpr auto error_message<group_member> = "expected a node name after ','";
template <> inline constexpr auto error_message<group_close> = "expected ',' or '}' after the node name";

template <> inline constexpr auto error_message<fraction_digits> = "expected digits after the decimal point, as in '0.25'";
template <> inline constexpr auto error_message<rate_unit> = "expected a time unit after '/', as in '10/s'";

template <> inline constexpr auto error_message<dist_first> = "expected a duration such as '10ms', or a parameter such as 'p50=10ms'";
template <> inline constexpr auto error_message<dist_next> = "expected a duration after ',', such as '5ms' or 'p99=80ms'";
template <> inline constexpr auto error_message<dist_close> = "expected ',' or ')' after the duration; a distribution reads 'exponential(10ms)'";

template <> inline constexpr auto error_message<standalone_value> = "expected a value such as '5', '0.25', '10ms', '16B', '10/s', '\"text\"', 'true' or 'block'";
template <> inline constexpr auto error_message<value_end> = "unexpected text after the value";
// clang-format on

/// Gives must_if the messages above; `raise_on_failure = false` keeps a rule
/// with a message from turning local failures inside sor/opt into errors.
struct error {
  template <typename Rule>
  static constexpr bool raise_on_failure = false;
  template <typename Rule>
  static constexpr auto message = error_message<Rule>;
};

/// The control class every parse of this grammar uses.
template <typename Rule>
using control = must_if<error>::control<Rule>;

}  // namespace flow::grammar
