// libFuzzer: the rule-language parser; what parses must print and parse back equal.
#include <cstdint>
#include <string_view>

#include "grammar/rule_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = trialmatch::grammar::parse_rule(text);
  if (auto* e = std::get_if<trialmatch::ast::Expr>(&r)) {
    auto back = trialmatch::grammar::parse_rule(trialmatch::ast::print(*e));
    auto* e2 = std::get_if<trialmatch::ast::Expr>(&back);
    if (!e2 || !(*e2 == *e)) __builtin_trap();
  } else if (std::get<trialmatch::grammar::RuleError>(r).offset > size) {
    __builtin_trap();
  }
  return 0;
}
