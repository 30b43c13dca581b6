#include "grammar/rule_parser.hpp"

#include "grammar/config.hpp"
#include "grammar/rule_grammar.hpp"

namespace trialmatch::grammar {

namespace {
// Same id as the instantiated rule: calls dispatch to rule_grammar.cpp.
const rules::expr_type expr_rule = "rule";

// X3 names a semantic action's subject by its C++ type; say what it is.
std::string readable(const std::string& which) {
  static const std::pair<const char*, const char*> names[] = {
      {"time_unit_class", "time unit (days, weeks, months, years)"}, {"ident_class", "concept id"},
      {"unit_class", "unit"}, {"rhs_class", "number or word"}, {"int_parser", "whole number"}, {"real_parser", "number"},
      {"cmp_symbols", "comparison operator (< <= > >= = !=)"}, {"quoted_class", "quoted text"},
      {"unary_class", "rule term"}, {"expr_class", "rule"}, {"and_class", "rule"}, {"pred_fn_class", "history, positive or negative"}};
  if (which.find("boost") == std::string::npos) return which;
  for (auto& [key, name] : names)
    if (which.find(key) != std::string::npos) return name;
  return "rule text";
}

std::size_t skip_space(std::string_view text, std::size_t pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) ++pos;
  return pos;
}
}  // namespace

std::variant<ast::Expr, RuleError> parse_rule(std::string_view text) {
  // The grammar recurses per bracket: bound it before it can exhaust the stack.
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '(' && ++depth > 64) {
      return RuleError{i, "rule nested deeper than 64 brackets"};
    } else if (c == ')') {
      --depth;
    }
  }
  iterator_type begin = text.data(), first = begin, last = begin + text.size();
  ast::Expr result;
  try {
    if (!x3::phrase_parse(first, last, expr_rule, x3::ascii::space, result))
      return RuleError{skip_space(text, static_cast<std::size_t>(first - begin)), "expected a rule term"};
  } catch (const x3::expectation_failure<iterator_type>& e) {
    return RuleError{static_cast<std::size_t>(e.where() - begin), "expected " + readable(e.which())};
  }
  std::size_t rest = skip_space(text, static_cast<std::size_t>(first - begin));
  if (rest != text.size()) return RuleError{rest, "expected \"and\", \"or\" or the end of the rule"};
  return result;
}

std::string format_rule_error(const std::string& file, int line, int column, std::string_view source_line,
                              const std::string& message) {
  std::string out = file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": error: " + message + "\n";
  out += "  " + std::string(source_line) + "\n";
  out += "  " + std::string(column > 0 ? column - 1 : 0, ' ') + "^";
  return out;
}

}  // namespace trialmatch::grammar
