#include <catch2/catch.hpp>

#include <sstream>

#include "cli/commands.hpp"
#include "engine/criteria_splitter.hpp"
#include "engine/json_util.hpp"
#include "engine/lexicon.hpp"
#include "engine/screen.hpp"
#include "engine/trial_compiler.hpp"
#include "engine/trial_loader.hpp"
#include "grammar/criteria_compiler.hpp"
#include "grammar/rule_parser.hpp"

using namespace trialmatch;

namespace {
std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}
}  // namespace

TEST_CASE("the bad-input corpus: each file gets its expected outcome", "[bad_input]") {
  std::string dir = std::string(TRIALMATCH_SOURCE_DIR) + "/tests/bad_input";
  auto manifest = nlohmann::json::parse(read_file(dir + "/cases.json"));
  REQUIRE(manifest["cases"].size() >= 15);
  for (const auto& c : manifest["cases"]) {
    std::vector<std::string> args;
    for (const auto& a : c["args"]) args.push_back(replace_all(a.get<std::string>(), "{dir}", dir));
    std::ostringstream out, err;
    int code = cli::run(args, out, err);
    INFO(c["name"].get<std::string>() << "\nstdout: " << out.str().substr(0, 2000) << "\nstderr: " << err.str());
    CHECK(code == c["exit"].get<int>());
    if (c.contains("stdout")) CHECK_THAT(out.str(), Catch::Contains(replace_all(c["stdout"], "{dir}", dir)));
    if (c.contains("stderr")) CHECK_THAT(err.str(), Catch::Contains(replace_all(c["stderr"], "{dir}", dir)));
  }
}

TEST_CASE("JSON nested 100,000 deep is refused, not a stack overflow", "[bad_input][limits]") {
  std::string deep(100000, '[');
  CHECK_THROWS_WITH(parse_json(deep, "deep.json"), Catch::Contains("deep.json:1:257: error: JSON nested deeper than 256 levels"));
  std::string in_string = "{\"id\": \"" + std::string(100000, '[') + "\"}";
  CHECK_NOTHROW(parse_json(in_string, "s.json"));  // brackets inside a string are text
  // A batch reports the record and goes on.
  std::istringstream input(deep + "\n" + "{\"id\": \"OK\"}\n");
  std::ostringstream output;
  auto trials = bundled_trials();
  compile_trials(trials, bundled_lexicon());
  std::vector<TrialPlan> plans;
  for (const auto& t : trials) plans.push_back(plan_trial(t, bundled_lexicon()));
  ScreenOptions o;
  o.input_name = "deep.jsonl";
  auto s = screen(input, output, plans, bundled_lexicon(), o);
  CHECK(s.records == 2);
  CHECK(s.errors == 1);
  CHECK_THAT(output.str(), Catch::StartsWith("{\"line\":1,\"error\":\"deep.jsonl:1:257: error: JSON nested deeper"));
}

TEST_CASE("a 10 MB line is read, and a 10 MB criterion compiles", "[bad_input][limits]") {
  std::string big = "{\"id\": \"BIG\", \"sex\": \"female\", \"conditions\": [{\"concept\": \"type1_diabetes\", \"display\": \"" +
                    std::string(10'000'000, 'x') + "\"}]}";
  std::istringstream input(big + "\n");
  std::ostringstream output;
  std::vector<TrialPlan> none;
  ScreenOptions o;
  auto s = screen(input, output, none, bundled_lexicon(), o);
  CHECK(s.errors == 0);
  CHECK(output.str() == "{\"patient\":\"BIG\",\"results\":[]}\n");
  grammar::CriteriaCompiler compiler(bundled_lexicon());
  std::string text;
  while (text.size() < 10'000'000) text += "HbA1c below 9 % and no history of pancreatitis, (";
  auto r = compiler.compile(text, false);
  CHECK(r.status == grammar::Status::unparsed);  // past the limit: kept as residue, not compiled
  REQUIRE(r.unparsed.size() == 1);
  CHECK(r.unparsed[0].end == static_cast<int>(text.size()));
  CHECK_THAT(r.unparsed[0].reason, Catch::Contains("not compiled"));
  // Just under the limit it compiles, in bounded time.
  text.resize(grammar::CriteriaCompiler::kMaxCriterionBytes);
  CHECK(compiler.compile(text, false).rule.has_value());
}

TEST_CASE("rules and criteria nested without end are bounded", "[bad_input][limits]") {
  auto r = grammar::parse_rule(std::string(100000, '(') + "hiv" + std::string(100000, ')'));
  REQUIRE(std::holds_alternative<grammar::RuleError>(r));
  CHECK(std::get<grammar::RuleError>(r).message == "rule nested deeper than 64 brackets");
  grammar::CriteriaCompiler compiler(bundled_lexicon());
  auto c = compiler.compile(std::string(40000, '(') + "pregnancy" + std::string(40000, ')'), true);
  CHECK(c.rule.has_value());
}

TEST_CASE("a connective or a slash before the first measure reads no token before the text", "[bad_input]") {
  // Found by fuzz_criteria ("b. /BMI above 30"): a list's joiner at the
  // start made the measure reader look two tokens back, before the first
  // (AddressSanitizer: heap-buffer-overflow).
  grammar::CriteriaCompiler compiler(bundled_lexicon());
  for (const char* text : {"or BMI above 30", "and HbA1c below 9%", "/BMI above 30", "Inclutwo of the following:\n   a. HbA2c above "
                           "8%\n   b. /BMI above 30\nPart Bnly: HbA1c below 9%\n"}) {
    const auto r = compiler.compile(text, false);
    CHECK(r.rule.has_value());
  }
}

TEST_CASE("every measure in the lexicon has a plausible range with a source", "[bad_input][lexicon]") {
  for (const auto& c : bundled_lexicon().concepts()) {
    if (c.kind != ConceptKind::measure) continue;
    INFO(c.id);
    CHECK(c.plausible.has_value());
  }
}

TEST_CASE("regressions found by fuzzing", "[bad_input][fuzz]") {
  grammar::CriteriaCompiler compiler(bundled_lexicon());
  // A count beyond int: no undefined behaviour, the digits are read as a word.
  auto r = compiler.compile("at least 1100000000000000000 autoantibodies positive", false);
  CHECK(r.atoms.empty());
  // Values beyond any sensible threshold are refused by the rule language.
  CHECK(std::holds_alternative<grammar::RuleError>(grammar::parse_rule("cotinine <= " + std::string(400, '5'))));
  CHECK(std::holds_alternative<ast::Expr>(grammar::parse_rule("hba1c <= 9.5 %")));
  // Numbers read back exactly as printed (X3's double_ rounds 0.11111111111111109 wrongly).
  auto once = grammar::parse_rule("x < 0.11111111111111111111111111111111");
  REQUIRE(std::holds_alternative<ast::Expr>(once));
  auto twice = grammar::parse_rule(ast::print(std::get<ast::Expr>(once)));
  REQUIRE(std::holds_alternative<ast::Expr>(twice));
  CHECK(std::get<ast::Expr>(twice) == std::get<ast::Expr>(once));
}

TEST_CASE("a unit written as an odd word still round-trips (found by fuzzing)", "[bad_input][fuzz]") {
  grammar::CriteriaCompiler compiler(bundled_lexicon());
  std::string text = "BMI < 14 or\xC2\xA0\xC3\xA9 > 35";
  auto r = compiler.compile(text, true);
  REQUIRE(r.rule);
  auto back = grammar::parse_rule(ast::print(*r.rule));
  REQUIRE(std::holds_alternative<ast::Expr>(back));
  CHECK(std::get<ast::Expr>(back) == *r.rule);
  std::string crash = read_file(std::string(TRIALMATCH_SOURCE_DIR) + "/tests/bad_input/fuzz-criteria-unit.txt");
  for (const auto& c : split_criteria(crash, {.unescape_markdown = true}).criteria) {
    auto k = compiler.compile(c.text, c.kind == CriterionKind::exclusion);
    if (!k.rule) continue;
    auto b = grammar::parse_rule(ast::print(*k.rule));
    REQUIRE(std::holds_alternative<ast::Expr>(b));
    CHECK(std::get<ast::Expr>(b) == *k.rule);
  }
}
