#pragma once
// The one place the X3 iterator, skipper and context types are named: every
// BOOST_SPIRIT_INSTANTIATE must use exactly these or the link fails with
// "undefined reference to parse_rule".
#include <boost/spirit/home/x3.hpp>

namespace trialmatch::grammar {
namespace x3 = boost::spirit::x3;
using iterator_type = const char*;
using skipper_type = x3::ascii::space_type;
using context_type = x3::phrase_parse_context<skipper_type>::type;
}  // namespace trialmatch::grammar
