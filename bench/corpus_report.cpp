// What the grammar makes of the real corpus, for docs/grammar.md:
//  1. coverage (computable / partial / manual / unparsed) per source and in total;
//  2. the share of the Leaf corpus's annotated comparisons whose operator,
//     value and unit trialmatch extracts as an atom of the same line.
//   make bench && build/bench/corpus_report
#include <cctype>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>

#include "datasets.hpp"
#include "engine/criteria_splitter.hpp"
#include "engine/json_util.hpp"
#include "engine/lexicon.hpp"
#include "grammar/criteria_compiler.hpp"
#include "grammar/criteria_lexer.hpp"

using namespace trialmatch;

namespace {

struct Count {
  std::size_t n[4] = {0, 0, 0, 0};
  void add(grammar::Status s) { ++n[static_cast<int>(s)]; }
  std::size_t total() const { return n[0] + n[1] + n[2] + n[3]; }
};

void print_row(const std::string& name, std::size_t trials, const Count& c) {
  auto pct = [&](std::size_t v) { return c.total() ? 100.0 * v / c.total() : 0.0; };
  std::cout << "| " << name << " | " << trials << " | " << c.total();
  for (int i = 0; i < 4; ++i) std::cout << " | " << c.n[i] << " (" << std::fixed << std::setprecision(1) << pct(c.n[i]) << " %)";
  std::cout << " |\n";
}

std::string op_of(const std::string& leaf) {
  if (leaf == "GTEQ") return ">=";
  if (leaf == "GT") return ">";
  if (leaf == "LT") return "<";
  if (leaf == "LTEQ") return "<=";
  if (leaf == "EQ") return "=";
  return "";
}

// The same unit, however spelled ("mg/dl" and "mg/dL", "years" and "year").
std::string unit_key(std::string u) {
  std::vector<int> ignored;
  u = grammar::normalise_criterion(u, ignored);
  if (u == "year" || u == "yr" || u == "yrs") u = "years";
  if (u == "month") u = "months";
  if (u == "week") u = "weeks";
  if (u == "day") u = "days";
  if (u == "x uln" || u == "xuln" || u == "x upper limit of normal" || u == "times uln") u = "xuln";
  // Leaf's unit spans of counts stop at the slash ("cells" of "cells/mm3",
  // "mm3" of "/mm3"); per mm3 is per uL.
  if (u == "mm3" || u == "mm^3" || u == "cells" || u == "cells/mm3" || u == "ul" || u == "µl" || u == "/mm3") u = "/ul";
  return u;
}

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Leaf's unit spans often stop at a slash ("kg" of "kg/m2", "mL" of
// "mL/min"): a gold unit that reads as ours, or begins ours, matches.
bool same_unit(const grammar::CriteriaLexer& lexer, const std::string& ours, const std::string& gold) {
  std::string g = unit_key(gold), o = unit_key(ours);
  for (const auto& t : lexer.lex(gold))
    if (t.kind == grammar::Tok::unit || t.kind == grammar::Tok::time_unit) g = unit_key(t.value);
  return g == o || (!g.empty() && o.rfind(g, 0) == 0) || (g.size() > 1 && o.find(g) != std::string::npos);
}

}  // namespace

int main() {
  if (!testing::datasets_available()) {
    std::cerr << "shared datasets not found at " << testing::datasets_dir() << "\n";
    return 1;
  }
  const Lexicon& lex = bundled_lexicon();
  grammar::CriteriaCompiler compiler(lex);

  // 1. Coverage.
  std::map<std::string, Count> by_source;
  std::map<std::string, std::size_t> trials_by_source;
  Count total;
  auto texts = testing::all_criteria_texts();
  for (const auto& t : texts) {
    std::string source = t.source.substr(0, t.source.find(':'));
    ++trials_by_source[source];
    for (const auto& c : split_criteria(t.text).criteria) {
      auto s = compiler.compile(c.text, c.kind == CriterionKind::exclusion).status;
      by_source[source].add(s);
      total.add(s);
    }
  }
  std::cout << "## Coverage over every real trial\n\n| source | trials | criteria | computable | partial | manual | unparsed |\n"
               "|---|---|---|---|---|---|---|\n";
  for (const auto& [s, c] : by_source) print_row(s, trials_by_source[s], c);
  print_row("all", texts.size(), total);

  // 2. Leaf comparisons.
  std::string lines = read_file(testing::datasets_dir() + "/lct_leaf_clinical_trials/derived_numeric_gold.jsonl");
  grammar::CriteriaLexer lexer(lex);
  struct Share {
    std::size_t gold = 0, found = 0;
  };
  std::map<std::string, Share> shares;
  std::size_t pos = 0;
  while (pos < lines.size()) {
    auto nl = lines.find('\n', pos);
    if (nl == std::string::npos) nl = lines.size();
    auto j = nlohmann::json::parse(lines.substr(pos, nl - pos), nullptr, false);
    pos = nl + 1;
    if (!j.is_object() || !j.contains("Operator") || !j["Operator"].is_array() || !j.contains("Value") ||
        !j["Value"].is_array() || j["Value"].empty())
      continue;
    std::string norm = j["Operator"][0].contains("normalized") ? str(j["Operator"][0]["normalized"], "Eq-Operator-Value") : "";
    std::vector<std::pair<std::string, double>> want;
    auto num = [](const nlohmann::json& v) {
      std::string t = str(v, "text");
      // "20,000": a thousands separator (a decimal comma has other than three digits after it).
      for (std::size_t c = t.find(','); c != std::string::npos; c = t.find(',', c))
        if (c + 3 < t.size() + 1 && t.size() - c - 1 >= 3 && std::isdigit(static_cast<unsigned char>(t[c + 1])) &&
            std::isdigit(static_cast<unsigned char>(t[c + 2])) && std::isdigit(static_cast<unsigned char>(t[c + 3])) &&
            (c + 4 == t.size() || !std::isdigit(static_cast<unsigned char>(t[c + 4]))))
          t.erase(c, 1);
        else
          ++c;
      return std::atof(t.c_str());
    };
    if (norm == "BETWEEN" && j["Value"].size() >= 2) {
      want = {{">=", num(j["Value"][0])}, {"<=", num(j["Value"][1])}};
    } else if (!op_of(norm).empty()) {
      want = {{op_of(norm), num(j["Value"][0])}};
    } else {
      continue;  // PLUS-MINUS and unnormalised operators
    }
    std::string unit;
    if (j.contains("Unit") && j["Unit"].is_array() && !j["Unit"].empty()) unit = str(j["Unit"][0], "text");
    else if (j.contains("Temporal-Unit") && j["Temporal-Unit"].is_array() && !j["Temporal-Unit"].empty() &&
             j["Temporal-Unit"][0].contains("normalized"))
      unit = str(j["Temporal-Unit"][0]["normalized"], "Eq-Temporal-Unit-Value");
    const auto& at = j.contains("attached_to") && j["attached_to"].is_object() ? j["attached_to"] : nlohmann::json::object();
    std::string kind = str(at, "entity_type");
    std::string role = str(at, "role");
    std::string entity = str(at, "entity_text");
    bool known = kind == "Age" || !lexer.concept_named(entity).empty();
    std::string group = role != "Numeric-Filter" ? "other roles (temporal, count, dose ...)"
                        : kind == "Age"           ? "age"
                        : known                   ? "measures the lexicon knows"
                                                  : "measures the lexicon does not know";
    // The splitter takes bullets and numbers off a criterion; do the same.
    std::string raw = str(j, "line_text");
    auto items = split_criteria(raw).criteria;
    std::string line = items.size() == 1 ? items[0].text : raw;
    bool exclusion = str(j, "section") == "exclusion";
    auto r = compiler.compile(line, exclusion);
    bool ok = true;
    for (const auto& [op, value] : want) {
      bool hit = false;
      for (const auto& a : r.atoms) {
        if (ast::to_string(a.op) != op || std::fabs(a.value - value) > 1e-9) continue;
        if (!unit.empty() && !same_unit(lexer, a.unit, unit) && !(kind == "Age" && a.unit == "years")) continue;
        hit = true;
      }
      ok = ok && hit;
    }
    if (!ok && std::getenv("TRIALMATCH_SHOW_MISSES") && group == std::getenv("TRIALMATCH_SHOW_MISSES")) {
      std::cerr << "MISS " << j["comparison_text"] << " [" << unit << "] in: " << line.substr(0, 200) << "\n   got:";
      for (const auto& a : r.atoms) std::cerr << " " << a.concept_id << ast::to_string(a.op) << a.value << a.unit;
      std::cerr << "\n";
    }
    for (const std::string& g : {group, std::string("all annotated comparisons")}) {
      ++shares[g].gold;
      if (ok) ++shares[g].found;
    }
  }
  std::cout << "\n## Leaf corpus comparisons (operator, value and unit extracted)\n\n| comparisons | annotated | extracted | share |\n|---|---|---|---|\n";
  for (const auto& [g, s] : shares)
    std::cout << "| " << g << " | " << s.gold << " | " << s.found << " | " << std::fixed << std::setprecision(1)
              << (s.gold ? 100.0 * s.found / s.gold : 0.0) << " % |\n";
  return 0;
}
