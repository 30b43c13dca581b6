// libFuzzer: any text through the splitter and the criteria grammar.
#include <cstdint>
#include <string_view>

#include "engine/criteria_splitter.hpp"
#include "engine/lexicon.hpp"
#include "grammar/criteria_compiler.hpp"
#include "grammar/rule_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static trialmatch::grammar::CriteriaCompiler compiler(trialmatch::bundled_lexicon());
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto split = trialmatch::split_criteria(text, {.unescape_markdown = true});
  for (const auto& c : split.criteria) {
    auto r = compiler.compile(c.text, c.kind == trialmatch::CriterionKind::exclusion);
    for (const auto& u : r.unparsed)
      if (u.begin < 0 || u.end > static_cast<int>(c.text.size()) || u.begin > u.end) __builtin_trap();
    // Whatever the grammar builds, the rule language reads back the same.
    if (r.rule) {
      auto back = trialmatch::grammar::parse_rule(trialmatch::ast::print(*r.rule));
      auto* e = std::get_if<trialmatch::ast::Expr>(&back);
      if (!e || !(*e == *r.rule)) __builtin_trap();
    }
  }
  return 0;
}
