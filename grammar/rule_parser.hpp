#pragma once
// The canonical rule language: parse(print(e)) == e. A non-template facade;
// X3 stays inside grammar/*.cpp.
#include <string>
#include <string_view>
#include <variant>

#include "grammar/ast.hpp"

namespace trialmatch::grammar {

struct RuleError {
  std::size_t offset = 0;  // byte offset into the rule text
  std::string message;     // "expected concept id"
};

std::variant<ast::Expr, RuleError> parse_rule(std::string_view text);

// "file:line:col: error: message", the source line, and a caret under the
// column. `line`/`column` are 1-based positions of `offset` in the file.
std::string format_rule_error(const std::string& file, int line, int column, std::string_view source_line,
                              const std::string& message);

}  // namespace trialmatch::grammar
