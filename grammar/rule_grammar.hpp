#pragma once
// Declaration of the rule-language grammar (definition in rule_grammar_def.hpp).
#include <boost/spirit/home/x3.hpp>

#include "grammar/ast.hpp"

namespace trialmatch::grammar {
namespace x3 = boost::spirit::x3;
namespace rules {
struct expr_class;
using expr_type = x3::rule<expr_class, ast::Expr>;
BOOST_SPIRIT_DECLARE(expr_type)
}  // namespace rules
}  // namespace trialmatch::grammar
