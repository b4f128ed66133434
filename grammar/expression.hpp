#pragma once
// The PEGTL grammar of one expression (docs/expressions.md), rule structs
// only; grammar/expression.cpp holds the actions that build the tree of
// grammar/expression_tree.hpp and the message each failed `must<>` gives.
// Precedence, loosest first, as in C and awk: `||`, `&&`, `== != =~ !~`,
// `< <= > >=`, `+ -`, `* / %`, unary `! -`. An expression is one line.
#include <tao/pegtl.hpp>

#include "grammar/grammar.hpp"

namespace flow::grammar::expression {

using namespace tao::pegtl;  // NOLINT: PEGTL's own examples write grammars this way

struct blanks : star<one<' ', '\t', '\r'>> {};

// Numbers as everywhere in the language, less the sign (unary minus is an
// operator here) and the rate suffix (`10/s` divides by a field).
struct fraction_digits : grammar::digits {};
struct number : seq<grammar::digits, opt<one<'.'>, must<fraction_digits>>, opt<identifier>> {};
struct text : grammar::string_literal {};
struct true_literal : TAO_PEGTL_KEYWORD("true") {};
struct false_literal : TAO_PEGTL_KEYWORD("false") {};
struct field_name : identifier {};

struct any_expression;
struct first_argument : seq<any_expression> {};
struct next_argument : seq<any_expression> {};
struct call_name : identifier {};
struct call_close : one<')'> {};
struct call_more : seq<blanks, one<','>, blanks, must<next_argument>> {};
struct call_arguments : seq<must<first_argument>, star<call_more>, blanks, must<call_close>> {};
/// `len(path)`: a name followed by `(`; the lookahead keeps a plain name a field.
struct call : seq<at<identifier, blanks, one<'('>>, call_name, blanks, one<'('>, blanks,
                  sor<call_close, call_arguments>> {};

struct inner_expression : seq<any_expression> {};
struct paren_close : one<')'> {};
struct parenthesized : seq<one<'('>, blanks, must<inner_expression>, blanks, must<paren_close>> {};

struct primary : sor<parenthesized, text, number, true_literal, false_literal, call, field_name> {};

struct unary_operator : one<'!', '-'> {};
struct unary_operand;
struct unary : sor<seq<unary_operator, blanks, must<unary_operand>>, primary> {};
struct unary_operand : unary {};

// Each level: its operand, then any number of `operator operand`, folded to the left.
template <typename Operator, typename Operand>
struct operand_after : Operand {};
template <typename Operator, typename Operand>
struct level : seq<Operand, star<blanks, Operator, blanks, must<operand_after<Operator, Operand>>>> {};

struct multiplicative_operator : one<'*', '/', '%'> {};
struct additive_operator : one<'+', '-'> {};
struct relational_operator : sor<string<'<', '='>, string<'>', '='>, one<'<'>, one<'>'>> {};
struct equality_operator : sor<string<'=', '='>, string<'!', '='>, string<'=', '~'>, string<'!', '~'>> {};
struct and_operator : string<'&', '&'> {};
struct or_operator : string<'|', '|'> {};

struct multiplicative : level<multiplicative_operator, unary> {};
struct additive : level<additive_operator, multiplicative> {};
struct relational : level<relational_operator, additive> {};
struct equality : level<equality_operator, relational> {};
struct conjunction : level<and_operator, equality> {};
struct disjunction : level<or_operator, conjunction> {};
struct any_expression : disjunction {};

/// A lone `=` where a comparison was meant: matched only so its action can say so.
struct lone_equals : seq<one<'='>, not_at<one<'=', '~'>>> {};
struct whole_expression : any_expression {};
struct expression_end : eof {};
struct top : seq<blanks, must<whole_expression>, blanks, opt<lone_equals>, must<expression_end>> {};

}  // namespace flow::grammar::expression
