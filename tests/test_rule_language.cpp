#include <catch2/catch.hpp>

#include "grammar/rule_parser.hpp"

using namespace trialmatch;

namespace {
std::string round(const std::string& text) {
  auto r = grammar::parse_rule(text);
  if (auto* e = std::get_if<ast::Expr>(&r)) return ast::print(*e);
  auto& err = std::get<grammar::RuleError>(r);
  return "error at " + std::to_string(err.offset) + ": " + err.message;
}
}  // namespace

TEST_CASE("the spec's rule examples parse and print back unchanged", "[rules]") {
  for (std::string r : {
           "age >= 6 years and age <= 65 years",
           "insulin_intensive and (hba1c >= 7.5 % or tir < 70 %)",
           "count(positive(gada, ia2a, iaa, ica, znt8a)) >= 1",
           "count(severe_hypoglycemia within 12 months) >= 2 and count(severe_hypoglycemia within 3 months) >= 1",
           "(sex = male and hemoglobin < 8 g/dL) or (sex = female and hemoglobin < 7 g/dL)",
           "any(bilirubin_total >= 2 xULN, alt >= 2 xULN, ast >= 2 xULN)",
           "duration(type1_diabetes) >= 1 year",
           "history(acute_pancreatitis) or not pregnancy",
           "since(malignancy) < 1 year",
           "trial_participation within 3 months",
           "manual(consent) and unparsed(\"failure to \\\"normalize\\\"\")",
           "not (hiv or syphilis)",
           "all(alt <= 3 xULN, ast <= 3 xULN)",
           "true and false",
           "diabetes except(type1_diabetes) and not pregnancy",
           "antidiabetic within 3 months except(insulin, metformin)",
           "at_least(2, hypertension, hba1c >= 7 %, not smoking)",
           "not cohort(\"Part C\") or (at_least(3, a, b, c, d) and cohort(\"Trained \\\"Users\\\"\"))",
       }) {
    INFO(r);
    CHECK(round(r) == r);
  }
}

TEST_CASE("parse(print(ast)) == ast, nesting included", "[rules]") {
  ast::Comparison a{"hba1c", ast::CmpOp::ge, 7.5, "%", "", {}};
  ast::Comparison b{"tir", ast::CmpOp::lt, 70, "%", "", {}};
  ast::Predicate p{"history", "acute_pancreatitis", ast::Window{5, "years"}, {}, {}};
  ast::Expr nested = ast::Expr(ast::NAry{ast::Logic::and_, {ast::Expr(p), ast::Expr(ast::NAry{ast::Logic::or_, {ast::Expr(a), ast::Expr(b)}})}});
  ast::Expr e = ast::make_not(nested);
  auto back = grammar::parse_rule(ast::print(e));
  REQUIRE(std::holds_alternative<ast::Expr>(back));
  CHECK(std::get<ast::Expr>(back) == e);
  // Numbers print exactly and come back exactly.
  ast::Comparison c{"c_peptide_fasting", ast::CmpOp::lt, 0.025, "nmol/L", "", {}};
  CHECK(ast::print(ast::Expr(c)) == "c_peptide_fasting < 0.025 nmol/L");
  CHECK(std::get<ast::Expr>(grammar::parse_rule(ast::print(ast::Expr(c)))) == ast::Expr(c));
}

TEST_CASE("bad rules say where and what was expected", "[rules][errors]") {
  CHECK(round("hba1c >= ") == "error at 9: expected number or word");
  CHECK(round("age >= 6 years and") == "error at 18: expected rule term");
  CHECK(round("count(x within 3 fortnights) >= 1") == "error at 17: expected time unit (days, weeks, months, years)");
  CHECK(round("count(x) >= y") == "error at 12: expected whole number");
  CHECK(round("foo bar") == "error at 4: expected \"and\", \"or\" or the end of the rule");
  CHECK(round("(hiv or syphilis") == "error at 16: expected ')'");
  CHECK(round("diabetes except()").rfind("error at 16", 0) == 0);
  std::string shown = grammar::format_rule_error("t.json", 7, 20, "  \"I3\": \"hba1c >= \"", "expected number");
  CHECK(shown == "t.json:7:20: error: expected number\n    \"I3\": \"hba1c >= \"\n                     ^");
}

TEST_CASE("precedence: not binds tighter than and, and tighter than or", "[rules]") {
  CHECK(round("not true and false or true") == "(not true and false) or true");
  CHECK(round("a or b and c") == "a or (b and c)");
}
