// Instantiates the rule-language grammar once, with config.hpp's types.
#include "grammar/config.hpp"
#include "grammar/rule_grammar_def.hpp"

namespace trialmatch::grammar::rules {
BOOST_SPIRIT_INSTANTIATE(expr_type, iterator_type, context_type)
}
