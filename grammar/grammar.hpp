#pragma once
// The PEGTL grammar of the .flow language, version 0: rule structs only.
// Actions (parser.cpp) build the syntax tree; error_messages.hpp says what a
// failed `must<>` tells the user. Rules that only differ in their error message
// or action are distinct structs deriving from a shared one.
//
// The grammar parses ONE statement at a time (`next_statement`); parser.cpp
// calls it in a loop so that it can resume after a syntax error.
//
// Choice: inside `(...)`, `[...]` and `{...}` newlines and comments are plain
// whitespace, so a closing bracket may sit on its own line. Elsewhere a newline
// ends the statement, except right after `->`, `,` or `|` (and `(`, `[`, `{`).
#include <tao/pegtl.hpp>

namespace flow::grammar {

using namespace tao::pegtl;  // NOLINT: PEGTL's own examples write grammars this way

// ---------------------------------------------------------------- whitespace

struct comment : seq<sor<one<'#'>, two<'/'>>, star<not_one<'\n'>>> {};
struct blank_char : one<' ', '\t', '\r'> {};
/// Whitespace that keeps a statement on its line.
struct sp : star<sor<blank_char, comment>> {};
/// Whitespace where a statement continues: after `->`, `,`, `|` and inside brackets.
struct ws : star<sor<blank_char, comment, one<'\n'>>> {};
/// What may sit between statements: blank lines, comments and `;`.
struct separators : star<sor<blank_char, comment, one<';', '\n'>>> {};
/// A statement ends at `;`, a newline or the end of the file.
struct statement_end : sor<one<';', '\n'>, eof> {};

// ---------------------------------------------------------------- keywords and names

struct kw_pipeline : TAO_PEGTL_KEYWORD("pipeline") {};
struct kw_source : TAO_PEGTL_KEYWORD("source") {};
struct kw_stage : TAO_PEGTL_KEYWORD("stage") {};
struct kw_sink : TAO_PEGTL_KEYWORD("sink") {};
struct kw_edge : TAO_PEGTL_KEYWORD("edge") {};
struct kw_true : TAO_PEGTL_KEYWORD("true") {};
struct kw_false : TAO_PEGTL_KEYWORD("false") {};
struct kw_unbounded : TAO_PEGTL_KEYWORD("unbounded") {};
/// The words that start statements. Choice: `true`, `false` and `unbounded` are
/// keywords only where a value is due, so they remain usable as names
/// (`pipeline unbounded`); no position accepts both a name and a value.
struct keyword : sor<kw_pipeline, kw_source, kw_stage, kw_sink, kw_edge> {};

/// A statement keyword where a declared name is due: matched only so that its action can say so.
struct reserved_name : keyword {};
/// A name being declared (node, pipeline).
struct declared_name : sor<reserved_name, identifier> {};
/// A name being referred to (edge steps). Keywords are not matched, so that an
/// edge chain left open before a line such as `sink x = ...` fails at `->`.
struct name_reference : seq<not_at<keyword>, identifier> {};

// ---------------------------------------------------------------- values

// Underscores are matched freely and checked when the number is decoded, so
// that `1__0` gets a message about '_' rather than a confusing "unknown unit".
struct digits : seq<digit, star<sor<digit, one<'_'>>>> {};
struct fraction_digits : digits {};
struct fraction : seq<one<'.'>, must<fraction_digits>> {};
struct rate_unit : identifier {};
struct rate_suffix : seq<one<'/'>, must<rate_unit>> {};
// Any word glued to a number is its unit; the decoder rejects unknown ones by name.
struct unit_suffix : identifier {};
struct number : seq<opt<one<'-'>>, digits, opt<fraction>, opt<sor<rate_suffix, unit_suffix>>> {};

// Strings are matched leniently (up to the closing quote or the end of the
// line); the decoder reports unterminated strings and bad escapes exactly.
struct string_char : sor<seq<one<'\\'>, not_one<'\n'>>, not_one<'"', '\\', '\n'>> {};
struct string_literal : seq<one<'"'>, star<string_char>, opt<one<'"'>>> {};

struct true_value : kw_true {};
struct false_value : kw_false {};
struct unbounded_value : kw_unbounded {};
struct identifier_value : identifier {};

/// A random duration: `exponential(10ms)`, `lognormal(p50=10ms, p99=80ms)`.
/// Kept on one line (a token). The lookahead commits only to a distribution's
/// own name and `(` (the shapes of distributions.cpp), so a function call
/// such as `to_int(2 * ms)` is left to the expression that holds it; the
/// checker names an unknown distribution where a duration is due.
struct dist_name : identifier {};
struct dist_param_name : seq<identifier, sp, one<'='>> {};
struct dist_param_value : number {};
struct dist_param : seq<opt<dist_param_name, sp>, dist_param_value> {};
struct dist_first : dist_param {};
struct dist_next : dist_param {};
struct dist_close : one<')'> {};
struct dist_more : seq<one<','>, sp, must<dist_next>, sp> {};
struct dist_shape : sor<TAO_PEGTL_KEYWORD("exponential"), TAO_PEGTL_KEYWORD("uniform"),
                        TAO_PEGTL_KEYWORD("normal"), TAO_PEGTL_KEYWORD("lognormal")> {};
struct dist_start : seq<dist_shape, sp, one<'('>> {};
struct distribution_value : seq<at<dist_start>, dist_name, sp, one<'('>, sp, must<dist_first>, sp,
                                star<dist_more>, must<dist_close>> {};

/// `by(user)` or `by(user, path)`: the key a node partitions its input by (partition=).
struct key_field : identifier {};
struct key_more : seq<ws, one<','>, ws, key_field> {};
struct key_value : seq<TAO_PEGTL_KEYWORD("by"), sp, one<'('>, ws, key_field, star<key_more>, ws, one<')'>> {};

struct value : sor<string_literal, number, true_value, false_value, unbounded_value, key_value,
                   distribution_value, identifier_value> {};

// ---------------------------------------------------------------- attribute lists `[k=v, ...]`

struct attr_key : identifier {};
struct attr_equals : one<'='> {};
struct attr_value : value {};
struct attribute : seq<attr_key, ws, must<attr_equals>, ws, must<attr_value>> {};
struct attr_first : attribute {};
struct attr_next : attribute {};
struct attr_close : one<']'> {};
struct attr_more : seq<one<','>, ws, sor<at<one<']'>>, must<attr_next>>, ws> {};
struct attr_list
    : seq<one<'['>, ws, sor<one<']'>, seq<must<attr_first>, ws, star<attr_more>, must<attr_close>>>> {};
/// What may follow an attribute list: only the end of the statement.
struct attrs_end : statement_end {};
struct trailing_attrs : seq<attr_list, sp, must<attrs_end>> {};

// ---------------------------------------------------------------- operator chains `op(args) | op(args)`

struct op_name : seq<not_at<keyword>, identifier> {};
struct op_open : one<'('> {};
/// `name =`, but not the start of `name == x` or `name =~ x` (an expression).
struct arg_name : seq<identifier, ws, one<'='>, not_at<one<'=', '~'>>> {};
/// Where an argument ends: its value was the whole of it.
struct arg_end : at<ws, one<',', ')'>> {};
/// An argument that is not one plain value but holds an operator or a bracket
/// is an expression (docs/expressions.md), kept as text for the checker to
/// parse: everything up to the `,` or `)` that ends the argument, with
/// brackets balanced and strings whole.
/// Choice: an expression stays on one line and holds no comment, so a bracket
/// left open is reported on its own line, as with any other argument.
struct expr_group;
struct expr_bracketed : seq<one<'('>, expr_group, opt<one<')'>>> {};
struct expr_char : seq<not_at<two<'/'>>, not_one<'(', ')', '"', '\n', '#'>> {};
struct expr_group : star<sor<string_literal, expr_bracketed, expr_char>> {};
struct expr_body : plus<sor<string_literal, expr_bracketed, seq<not_at<one<','>>, expr_char>>> {};
/// Two values side by side with no operator (`10 ms`, `1 2`) are no
/// expression: the argument is then its first value, and the second is
/// reported where it stands. A `-` before a digit is a number's sign.
struct expr_operator : one<'=', '!', '<', '>', '+', '-', '*', '/', '%', '&', '|', '~', '('> {};
struct expr_operand_char : seq<not_at<expr_operator>, not_one<',', ')', '"', '\n', '#'>> {};
struct expr_has_operator
    : seq<opt<one<'-'>, at<digit>>, star<sor<string_literal, expr_operand_char>>, expr_operator> {};
struct expression_text : seq<at<expr_has_operator>, expr_body> {};
struct plain_value : seq<value, arg_end> {};
/// `10 ms`: a number and then, apart, a unit (its action says to join them).
struct spaced_number : seq<opt<one<'-'>>, digits, opt<fraction>> {};
struct spaced_unit : seq<spaced_number, plus<blank_char>, identifier> {};
struct argument_value : sor<plain_value, expression_text, spaced_unit, value> {};
struct arg_value : argument_value {};
struct named_argument : seq<arg_name, ws, must<arg_value>> {};
/// `label: expr`, as route's outputs are written (`errors: status >= 500`).
struct arg_label : seq<identifier, sp, one<':'>> {};
struct labeled_expression : expr_body {};
struct labeled_argument : seq<arg_label, ws, must<labeled_expression>> {};
struct argument : sor<labeled_argument, named_argument, argument_value> {};
struct arg_first : argument {};
struct arg_next : argument {};
struct arg_close : one<')'> {};
struct arg_more : seq<one<','>, ws, sor<at<one<')'>>, must<arg_next>>, ws> {};
struct op_call : seq<op_name, sp, must<op_open>, ws,
                     sor<one<')'>, seq<must<arg_first>, ws, star<arg_more>, must<arg_close>>>> {};
struct first_op : op_call {};
struct next_op : op_call {};

// ---------------------------------------------------------------- statements

/// `pipeline NAME [attrs]`
struct pipeline_name : declared_name {};
struct header_end : statement_end {};
struct header : seq<kw_pipeline, sp, must<pipeline_name>, sp, sor<trailing_attrs, must<header_end>>> {};

/// `edge [attrs]`
struct edge_defaults_list : attr_list {};
struct edge_keyword : kw_edge {};
struct edge_defaults : seq<edge_keyword, sp, must<edge_defaults_list>, sp, must<attrs_end>> {};

/// `source|stage|sink NAME = op(...) | ... [attrs]` or `source|stage|sink [attrs]`.
struct node_name : declared_name {};
struct node_equals : one<'='> {};
struct node_end : statement_end {};
struct node_body : seq<node_name, sp, must<node_equals>, sp, must<first_op>,
                       star<sp, one<'|'>, ws, must<next_op>>, sp, sor<trailing_attrs, must<node_end>>> {};
struct kind_defaults : trailing_attrs {};
template <typename Keyword>
struct after_kind : sor<kind_defaults, node_body> {};
template <typename Keyword>
struct kind_statement : seq<Keyword, sp, must<after_kind<Keyword>>> {};
struct source_keyword : kw_source {};
struct stage_keyword : kw_stage {};
struct sink_keyword : kw_sink {};

/// `a -> {b, c} -> d [attrs]`; `r.errors` names the output `errors` of node `r` (route).
struct output_reference : seq<name_reference, opt<one<'.'>, identifier>> {};
struct step_name : output_reference {};
struct group_open : one<'{'> {};
struct group_first : output_reference {};
struct group_member : output_reference {};
struct group_close : one<'}'> {};
struct group_more : seq<one<','>, ws, sor<at<one<'}'>>, must<group_member>>, ws> {};
struct group : seq<group_open, ws, must<group_first>, ws, star<group_more>, must<group_close>> {};
struct edge_step : sor<group, step_name> {};
struct arrow : TAO_PEGTL_STRING("->") {};
struct first_arrow : arrow {};
struct arrow_target : edge_step {};
struct chain_end : statement_end {};
struct edge_chain : seq<edge_step, sp, must<first_arrow>, ws, must<arrow_target>,
                        star<sp, arrow, ws, must<arrow_target>>, sp, sor<trailing_attrs, must<chain_end>>> {};

struct statement : sor<header, edge_defaults, kind_statement<source_keyword>, kind_statement<stage_keyword>,
                       kind_statement<sink_keyword>, edge_chain> {};

/// Skips what separates statements, then parses one statement (or finds the end of the file).
struct next_statement : seq<separators, sor<eof, must<statement>>> {};

/// Exactly one value, as after `=` (for `--set NODE.KEY=VALUE`).
struct standalone_value : value {};
struct value_end : eof {};
struct value_only : seq<sp, must<standalone_value>, sp, must<value_end>> {};

}  // namespace flow::grammar
