#include <catch2/catch.hpp>

#include <chrono>
#include <map>

#include "datasets.hpp"
#include "engine/criteria_splitter.hpp"
#include "engine/lexicon.hpp"
#include "grammar/criteria_compiler.hpp"
#include "grammar/rule_parser.hpp"

using namespace trialmatch;
using namespace trialmatch::testing;

TEST_CASE("every criterion of every real trial compiles, and its rule round-trips", "[datasets][grammar]") {
  if (!datasets_available()) {
    WARN("shared datasets not found; corpus grammar test skipped");
    return;
  }
  grammar::CriteriaCompiler compiler(bundled_lexicon());
  std::map<grammar::Status, std::size_t> counts;
  std::size_t criteria = 0, round_trips = 0, atoms = 0;
  for (const auto& t : all_criteria_texts()) {
    for (const auto& c : split_criteria(t.text).criteria) {
      auto r = compiler.compile(c.text, c.kind == CriterionKind::exclusion);
      ++criteria;
      ++counts[r.status];
      atoms += r.atoms.size();
      CHECK((r.rule.has_value() || r.status == grammar::Status::unparsed));
      for (const auto& u : r.unparsed) {
        // Offsets point into the criterion's own text.
        CHECK(u.begin >= 0);
        CHECK(u.end <= static_cast<int>(c.text.size()));
        CHECK(c.text.substr(u.begin, u.end - u.begin) == u.text);
      }
      if (!r.rule) continue;
      std::string printed = ast::print(*r.rule);
      auto back = grammar::parse_rule(printed);
      const auto* e = std::get_if<ast::Expr>(&back);
      if (!e || !(*e == *r.rule)) {
        FAIL_CHECK("round trip failed for " << t.source << " " << c.id << ": " << printed);
        continue;
      }
      ++round_trips;
    }
  }
  WARN(criteria << " criteria: " << counts[grammar::Status::computable] << " computable, "
                << counts[grammar::Status::partial] << " partial, " << counts[grammar::Status::manual] << " manual, "
                << counts[grammar::Status::unparsed] << " unparsed; " << atoms << " atoms; " << round_trips
                << " rules round-tripped");
  CHECK(criteria > 100000);
}
