#pragma once
// The rule language, e.g.
//   insulin_intensive and (hba1c >= 7.5 % or tir < 70 %)
//   count(positive(gada, ia2a, iaa, ica, znt8a)) >= 1
//   any(bilirubin_total >= 2 xULN, alt >= 2 xULN, ast >= 2 xULN)
// Rules are named so errors read "expected comparison operator".
#include <charconv>
#include <iterator>

#include "grammar/rule_grammar.hpp"

namespace trialmatch::grammar {
namespace rules {

using x3::_attr;
using x3::_val;
using x3::char_;
using x3::int_;
using x3::lexeme;
using x3::lit;
namespace ascii = x3::ascii;

// A keyword is a whole word: "and" never matches the start of "android".
inline auto kw(const char* word) { return lexeme[lit(word) >> !(ascii::alnum | '_')]; }

struct cmp_symbols : x3::symbols<ast::CmpOp> {
  cmp_symbols() {
    add(">=", ast::CmpOp::ge)("<=", ast::CmpOp::le)(">", ast::CmpOp::gt)("<", ast::CmpOp::lt)("=", ast::CmpOp::eq)(
        "!=", ast::CmpOp::ne);
  }
};
const cmp_symbols cmp_op;

struct logic_symbols : x3::symbols<ast::Logic> {
  logic_symbols() { add("any", ast::Logic::any)("all", ast::Logic::all); }
};
const logic_symbols list_logic;

const x3::rule<class ident_class, std::string> ident = "concept id";
const x3::rule<class unit_class, std::string> unit = "unit";
const x3::rule<class time_unit_class, std::string> time_unit = "time unit (days, weeks, months, years)";
const x3::rule<class window_class, ast::Window> window = "window";
const x3::rule<class dur_fn_class, std::string> dur_fn = "duration or since";
const x3::rule<class pred_fn_class, std::string> pred_fn = "history, positive or negative";
const x3::rule<class comparison_class, ast::Comparison> comparison = "comparison";
const x3::rule<class rhs_class, ast::Comparison> rhs = "number or word";
const x3::rule<class count_class, ast::Count> count = "count";
const x3::rule<class duration_class, ast::Duration> duration = "duration";
const x3::rule<class predicate_class, ast::Predicate> predicate = "condition";
const x3::rule<class manual_class, ast::Manual> manual = "manual";
const x3::rule<class unparsed_class, ast::Unparsed> unparsed = "unparsed";
const x3::rule<class quoted_class, std::string> quoted = "quoted text";
const x3::rule<class cohort_class, ast::Cohort> cohort = "cohort";
const x3::rule<class list_class, ast::Expr> list_expr = "any(...) or all(...)";
const x3::rule<class at_least_class, ast::Expr> at_least = "at_least(n, ...)";
const x3::rule<class primary_class, ast::Expr> primary = "rule term";
const x3::rule<class unary_class, ast::Expr> unary = "rule term";
const x3::rule<class and_class, ast::Expr> and_expr = "rule";
const expr_type expr = "rule";

const auto keyword = kw("and") | kw("or") | kw("not") | kw("within") | kw("except");

const auto ident_def = lexeme[!keyword >> (ascii::lower | char_('_')) >> *(ascii::lower | ascii::digit | char_('_'))];
const auto unit_def = lexeme[!keyword >> +(~char_(" \t\r\n,()\""))];
const auto time_unit_def = lexeme[(x3::string("days") | x3::string("day") | x3::string("weeks") | x3::string("week") |
                                   x3::string("months") | x3::string("month") | x3::string("years") |
                                   x3::string("year")) >> !ascii::alnum];

const auto set_window_amount = [](auto& ctx) { _val(ctx).amount = _attr(ctx); };
const auto set_window_unit = [](auto& ctx) {
  std::string u = _attr(ctx);
  if (u.back() != 's') u += 's';
  _val(ctx).unit = u;
};
const auto window_def = kw("within") > int_[set_window_amount] > time_unit[set_window_unit];

const auto set_concept = [](auto& ctx) { _val(ctx).concept_id = _attr(ctx); };
const auto set_op = [](auto& ctx) { _val(ctx).op = _attr(ctx); };
// Numbers are read with std::from_chars, which rounds correctly (X3's
// double_ does not): the printer's shortest form must read back to the same
// double. A value must be finite and of sensible size: "1e400" is no threshold.
const x3::rule<class number_class, double> number = "number";
const auto to_double = [](auto& ctx) {
  auto& range = _attr(ctx);
  double v = 0;
  auto [ptr, ec] = std::from_chars(&*range.begin(), &*range.begin() + std::distance(range.begin(), range.end()), v);
  if (ec != std::errc() || !(v > -1e15 && v < 1e15)) x3::_pass(ctx) = false;
  _val(ctx) = v;
};
const auto number_def =
    x3::raw[lexeme[-char_("+-") >> +ascii::digit >> -(char_('.') >> *ascii::digit) >>
                   -(char_("eE") >> -char_("+-") >> +ascii::digit)]][to_double];
const auto set_value = [](auto& ctx) { _val(ctx).value = _attr(ctx); };
const auto set_unit = [](auto& ctx) { _val(ctx).unit = _attr(ctx); };
const auto set_word = [](auto& ctx) { _val(ctx).word = _attr(ctx); };

const auto rhs_def = (number[set_value] >> -unit[set_unit]) | ident[set_word];
const auto merge_rhs = [](auto& ctx) {
  _val(ctx).value = _attr(ctx).value;
  _val(ctx).unit = _attr(ctx).unit;
  _val(ctx).word = _attr(ctx).word;
};
const auto comparison_def = ident[set_concept] >> cmp_op[set_op] > rhs[merge_rhs];

const auto count_add = [](auto& ctx) { _val(ctx).concepts.push_back(_attr(ctx)); };
const auto count_positive = [](auto& ctx) { _val(ctx).positive = true; };
const auto count_window = [](auto& ctx) { _val(ctx).window = _attr(ctx); };
const auto count_n = [](auto& ctx) { _val(ctx).n = _attr(ctx); };
const auto count_def = kw("count") >> lit('(') >
                       (((kw("positive") >> lit('('))[count_positive] > (ident[count_add] % ',') > lit(')')) |
                        (ident[count_add] >> -window[count_window])) > lit(')') > cmp_op[set_op] > int_[count_n];

const auto set_function = [](auto& ctx) { _val(ctx).function = _attr(ctx); };
const auto dur_fn_def = x3::string("duration") | x3::string("since");
const auto pred_fn_def = x3::string("history") | x3::string("positive") | x3::string("negative");
const auto duration_def = dur_fn[set_function] >> lit('(') > ident[set_concept] >
                          lit(')') > cmp_op[set_op] > number[set_value] > time_unit[set_window_unit];

const auto predicate_window = [](auto& ctx) { _val(ctx).window = _attr(ctx); };
const auto predicate_except = [](auto& ctx) { _val(ctx).except.push_back(_attr(ctx)); };
const auto predicate_def =
    ((pred_fn[set_function] >> lit('(') > ident[set_concept] > lit(')')) | ident[set_concept]) >>
    -window[predicate_window] >> -(kw("except") > lit('(') > (ident[predicate_except] % ',') > lit(')'));

const auto set_kind = [](auto& ctx) { _val(ctx).kind = _attr(ctx); };
const auto manual_def = kw("manual") >> lit('(') > ident[set_kind] > lit(')');

const auto quoted_def = lexeme[lit('"') > *((lit('\\') > char_) | ~char_('"')) > lit('"')];
const auto set_text = [](auto& ctx) { _val(ctx).text = _attr(ctx); };
const auto unparsed_def = kw("unparsed") >> lit('(') > quoted[set_text] > lit(')');
const auto set_label = [](auto& ctx) { _val(ctx).label = _attr(ctx); };
const auto cohort_def = kw("cohort") >> lit('(') > quoted[set_label] > lit(')');

const auto make_list = [](auto& ctx) {
  auto& a = _attr(ctx);
  _val(ctx) = ast::Expr(ast::NAry{boost::fusion::at_c<0>(a), boost::fusion::at_c<1>(a)});
};
const auto list_expr_def = (list_logic >> lit('(') > (expr % ',') > lit(')'))[make_list];

const auto make_at_least = [](auto& ctx) {
  auto& a = _attr(ctx);
  _val(ctx) = ast::Expr(ast::NAry{ast::Logic::at_least, boost::fusion::at_c<1>(a), boost::fusion::at_c<0>(a)});
};
const auto at_least_def = (kw("at_least") >> lit('(') > int_ > lit(',') > (expr % ',') > lit(')'))[make_at_least];

const auto make_true = [](auto& ctx) { _val(ctx) = ast::Expr(ast::Literal{true}); };
const auto make_false = [](auto& ctx) { _val(ctx) = ast::Expr(ast::Literal{false}); };
const auto assign = [](auto& ctx) { _val(ctx) = ast::Expr(_attr(ctx)); };
const auto primary_def = (lit('(') > expr > lit(')'))[assign] | list_expr[assign] | at_least[assign] | count[assign] | duration[assign] |
                         manual[assign] | unparsed[assign] | cohort[assign] | kw("true")[make_true] | kw("false")[make_false] |
                         comparison[assign] | predicate[assign];

const auto make_not = [](auto& ctx) { _val(ctx) = ast::Expr(ast::Not{_attr(ctx)}); };
const auto unary_def = (kw("not") > unary)[make_not] | primary[assign];

// Operands are kept as written: the printer brackets every nested and/or,
// so a bracketed group parses back to the same nested node.
template <ast::Logic L>
struct make_chain {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    auto& a = _attr(ctx);
    auto& rest = boost::fusion::at_c<1>(a);
    if (rest.empty()) {
      _val(ctx) = boost::fusion::at_c<0>(a);
      return;
    }
    ast::NAry n{L, {}};
    n.operands.push_back(boost::fusion::at_c<0>(a));
    for (auto& e : rest) n.operands.push_back(e);
    _val(ctx) = ast::Expr(std::move(n));
  }
};
const auto and_expr_def = (unary >> *(kw("and") > unary))[make_chain<ast::Logic::and_>{}];
const auto expr_def = (and_expr >> *(kw("or") > and_expr))[make_chain<ast::Logic::or_>{}];

BOOST_SPIRIT_DEFINE(number, ident, unit, time_unit, window, dur_fn, pred_fn, comparison, rhs, count, duration, predicate, manual, quoted, unparsed, cohort,
                    list_expr, at_least, primary, unary, and_expr, expr)

}  // namespace rules

inline const rules::expr_type& rule_expression() { return rules::expr; }

}  // namespace trialmatch::grammar
