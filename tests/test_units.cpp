// Units as the criteria lexer reads them, from the case files in
// tests/cases/units/: each line "unit as written<TAB>spelling", or "-" for
// text that is not one unit.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "engine/lexicon.hpp"
#include "grammar/criteria_lexer.hpp"

using namespace trialmatch;

namespace {

struct UnitCase {
  std::string file;
  int line = 0;
  std::string text;
  std::string expected;
};

std::vector<UnitCase> unit_cases() {
  std::vector<UnitCase> out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(TRIALMATCH_SOURCE_DIR) + "/tests/cases/units"))
    if (e.path().extension() == ".tsv") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty() || line[0] == '#') continue;
      auto tab = line.find('\t');
      REQUIRE(tab != std::string::npos);
      out.push_back({f.filename().string(), n, line.substr(0, tab), line.substr(tab + 1)});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("units as written are read as one unit with the lexicon's spelling", "[units][grammar]") {
  grammar::CriteriaLexer lexer(bundled_lexicon());
  auto cases = unit_cases();
  REQUIRE(cases.size() > 300);
  for (const auto& c : cases) {
    INFO(c.file << ":" << c.line << ": " << c.text);
    auto toks = lexer.lex(c.text);
    bool one_unit = toks.size() == 1 && toks[0].kind == grammar::Tok::unit;
    if (c.expected == "-") {
      CHECK_FALSE(one_unit);
    } else {
      REQUIRE(!toks.empty());
      CHECK(grammar::to_string(toks[0].kind) == std::string("unit"));
      CHECK(toks.size() == 1);
      CHECK(toks[0].value == c.expected);
    }
  }
}

TEST_CASE("a unit after a number is one token however it is composed", "[units][grammar]") {
  grammar::CriteriaLexer lexer(bundled_lexicon());
  auto toks = lexer.lex("BMI 19 kg per meter squared to 35 kg/m^2; C-peptide > 400 pM; ALT < 3 x the institutional ULN");
  std::vector<std::string> units;
  for (const auto& t : toks)
    if (t.kind == grammar::Tok::unit) units.push_back(t.value);
  CHECK(units == std::vector<std::string>{"kg/m2", "kg/m2", "pmol/L", "xULN"});
}
