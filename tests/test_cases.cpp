// Criterion cases as data (tests/cases/rules/*.tsv, one file per construct):
// "I|E<TAB>text<TAB>rule". A failure names the file and line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "engine/lexicon.hpp"
#include "grammar/criteria_compiler.hpp"

using namespace trialmatch;

TEST_CASE("criterion cases in tests/cases/rules compile to their rules", "[grammar][cases]") {
  grammar::CriteriaCompiler compiler(bundled_lexicon());
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(TRIALMATCH_SOURCE_DIR) + "/tests/cases/rules"))
    if (e.path().extension() == ".tsv") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 3);
  std::size_t cases = 0;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (line.empty() || line[0] == '#') continue;
      auto t1 = line.find('\t');
      auto t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
      INFO(f.filename().string() << ":" << n << ": " << line);
      REQUIRE(t2 != std::string::npos);
      const std::string kind = line.substr(0, t1), text = line.substr(t1 + 1, t2 - t1 - 1);
      REQUIRE((kind == "I" || kind == "E"));
      auto r = compiler.compile(text, kind == "E");
      CHECK((r.rule ? ast::print(*r.rule) : std::string("(none)")) == line.substr(t2 + 1));
      ++cases;
    }
  }
  CHECK(cases >= 20);
}
