// The X3 clause rules on their own, over the lexer's tokens: each reads its
// construct and says where it ends.
#include <catch2/catch.hpp>

#include <sstream>

#include "engine/lexicon.hpp"
#include "grammar/clause_grammar.hpp"
#include "grammar/word_classes.hpp"

using namespace trialmatch;
using namespace trialmatch::grammar;

namespace {

struct Lexed {
  std::string text;
  std::vector<Token> tokens;
  std::vector<ClassBits> classes;
  WordClasses words;
  explicit Lexed(std::string t) : text(std::move(t)) {
    static const CriteriaLexer lexer(bundled_lexicon());
    tokens = lexer.lex(text);
    words = load_word_classes(bundled_lexicon());
    for (const auto& tok : tokens) classes.push_back(words.of(tok.text));
  }
  ClauseInput input() const { return ClauseInput{tokens, text, classes, &words, &bundled_lexicon()}; }
  int size() const { return static_cast<int>(tokens.size()); }
};

std::string print(const std::vector<Threshold>& ts) {
  std::ostringstream out;
  for (const auto& t : ts) {
    if (out.tellp() > 0) out << (t.or_before ? " or " : " and ");
    out << ast::to_string(t.op) << " " << ast::format_number(t.value) << (t.unit.empty() ? "" : " " + t.unit)
        << (t.sex.empty() ? "" : " (" + t.sex + ")");
  }
  return out.str();
}

// The thresholds read from the start, and how many tokens were left.
std::string thresholds(const std::string& text, bool time_units = false) {
  Lexed l(text);
  std::vector<Threshold> ts;
  const int end = read_threshold_list(l.input(), 0, l.size(), time_units, false, ts);
  if (end < 0) return "(none)";
  return print(ts) + (end < l.size() ? " | " + std::to_string(l.size() - end) + " left" : "");
}

std::string age(const std::string& text) {
  Lexed l(text);
  std::vector<Threshold> ts;
  const int end = read_age(l.input(), 0, l.size(), ts);
  return end < 0 ? "(none)" : print(ts) + (end < l.size() ? " | " + std::to_string(l.size() - end) + " left" : "");
}

}  // namespace

TEST_CASE("clause rule threshold_list: bounds, ranges and lists on one measure", "[clause]") {
  CHECK(thresholds("< 14 or > 35") == "< 14 or > 35");
  CHECK(thresholds(">= 7.5% and <= 10%") == ">= 7.5 % and <= 10 %");
  CHECK(thresholds("between 7.5 and 10 %") == ">= 7.5 % and <= 10 %");
  CHECK(thresholds("less than (<) 10.0 g/dL") == "< 10 g/dL");
  CHECK(thresholds("≤ 1.5 x ULN (≤ 3 x ULN if liver metastases)") == "<= 1.5 xULN | 8 left");
  CHECK(thresholds("≤ 2.5 x ULN or ≤ 5 x ULN if liver metastases are present") == "<= 2.5 xULN | 9 left");
  CHECK(thresholds("< 8 g/dL in males, < 7 g/dL in females") == "< 8 g/dL (male) and < 7 g/dL (female)");
  CHECK(thresholds("0, 1 or 2") == "= 0 or = 1 or = 2");
  CHECK(thresholds("2.5 or more times the upper limit of normal") == ">= 2.5 xULN");
  CHECK(thresholds("7.5% (58 mmol/mol) or higher") == "(none)");
  CHECK(thresholds("≥ 7.5% (58 mmol/mol)") == ">= 7.5 %");
  CHECK(thresholds("18-65 years", true) == ">= 18 years and <= 65 years");
  // A time is no threshold of a measure ("2 weeks"), but is of an age.
  CHECK(thresholds("> 2 weeks") == "(none)");
  CHECK(thresholds("> 2 weeks", true) == "> 2 weeks");
}

TEST_CASE("clause rule age: the patient's age, not an age at onset", "[clause]") {
  CHECK(age("Age 18-65 years") == ">= 18 years and <= 65 years");
  CHECK(age("Age (20-50)") == ">= 20 and <= 50");  // years by default, when the rule is made
  CHECK(age("younger than 18 years") == "< 18 years");
  CHECK(age("18 years of age or older") == ">= 18 years");
  CHECK(age("patients < 18") == "< 18");
  CHECK(age("HbA1c > 7%") == "(none)");
}

TEST_CASE("clause rules window, event_count and duration", "[clause]") {
  {
    Lexed l("within the past 12 months prior to screening");
    ast::Window w;
    CHECK(read_window(l.input(), 0, l.size(), w) == l.size());
    CHECK(w == ast::Window{12, "months"});
  }
  {
    Lexed l("in years");  // "in" alone needs an amount or "past"
    ast::Window w;
    CHECK(read_window(l.input(), 0, l.size(), w) == -1);
  }
  {
    Lexed l("more than 4 episodes of severe hypoglycemia in the past 12 months");
    ast::Count c;
    CHECK(read_event_count(l.input(), 0, l.size(), c) == l.size());
    CHECK(ast::print(ast::Expr(c)) == "count(severe_hypoglycemia within 12 months) > 4");
  }
  {
    Lexed l("type 1 diabetes for at least 5 years");
    ast::Duration d;
    CHECK(read_duration(l.input(), 0, l.size(), d) == l.size());
    CHECK(ast::print(ast::Expr(d)) == "duration(type1_diabetes) >= 5 years");
  }
}

TEST_CASE("clause rules value_pair and bounds written before their measure", "[clause]") {
  {
    Lexed l("blood pressure > 140/90 mmHg");
    ast::Expr e;
    CHECK(read_value_pair(l.input(), 0, l.size(), e) == l.size());
    CHECK(ast::print(e) == "systolic_bp > 140 mmHg or diastolic_bp > 90 mmHg");
  }
  {
    Lexed l("blood pressure < 160/100");
    ast::Expr e;
    CHECK(read_value_pair(l.input(), 0, l.size(), e) == l.size());
    CHECK(ast::print(e) == "systolic_bp < 160 mmHg and diastolic_bp < 100 mmHg");
  }
  {
    Lexed l("> 2.0 U/kg total insulin dose per day");
    Threshold bound;
    std::string measure;
    CHECK(read_bound_before(l.input(), 0, l.size(), bound, measure) > 0);
    CHECK(measure == "insulin_dose");
    CHECK(bound.op == ast::CmpOp::gt);
  }
  {
    Lexed l("19 kg/m2 <= BMI <= 35 kg/m2");
    Threshold bound;
    std::string measure;
    const int at = read_bound_before(l.input(), 0, l.size(), bound, measure);
    REQUIRE(at > 0);
    CHECK(l.tokens[static_cast<std::size_t>(at)].value == "bmi");  // the measure's own comparison follows
    CHECK(measure.empty());
    CHECK(bound.op == ast::CmpOp::ge);
    CHECK(bound.value == 19);
    CHECK(bound.unit == "kg/m2");
  }
  {
    Lexed l("130 mmHg = SBP");  // a lost <= or >=
    Threshold bound;
    std::string measure;
    CHECK(read_bound_before(l.input(), 0, l.size(), bound, measure) == -1);
  }
}

TEST_CASE("clause parser antibodies: counts of positive results and positivity", "[clause]") {
  auto read = [](const std::string& text) {
    Lexed l(text);
    ast::Expr e;
    const int end = read_antibodies(l.input(), 0, l.size(), e);
    return end < 0 ? std::string("(none)") : ast::print(e) + (end < l.size() ? " | " + std::to_string(l.size() - end) + " left" : "");
  };
  // The listed ones (the lexicon's phrase "autoantibodies:" holds the colon).
  CHECK(read("at least 2 of the following autoantibodies: GAD65, IA-2, ZnT8") == "count(positive(gada, ia2a, znt8a)) >= 2");
  CHECK(read("positive for at least one autoantibody") == "count(positive(gada, ia2a, iaa, ica, znt8a)) >= 1");
  CHECK(read("2 or more diabetes antibodies") == "count(positive(gada, ia2a, iaa, ica, znt8a)) >= 2");
  // A bare "antibodies" without words that say islet or diabetes is not them.
  CHECK(read("2 or more antibodies") == "(none)");
  CHECK(read("positive GADA") == "positive(gada)");
  CHECK(read("negative for IA-2A") == "negative(ia2a)");
  CHECK(read("GADA or IA-2A positive") == "count(positive(gada, ia2a)) >= 1");
}

TEST_CASE("clause parser interpretation: vague words the lexicon interprets, with a note", "[clause]") {
  auto read = [](const std::string& text) {
    Lexed l(text);
    ast::Expr e;
    std::string note;
    const int end = read_interpretation(l.input(), 0, l.size(), e, note);
    return end < 0 ? std::string("(none)") : ast::print(e);
  };
  CHECK(read("Newly diagnosed type 1 diabetes") == "duration(type1_diabetes) <= 100 days");
  // About a name the lexicon does not know: not the default condition.
  CHECK(read("Newly diagnosed AML") == "(none)");
}

TEST_CASE("clause reading test_result: a result before or after the test", "[clause]") {
  auto read = [](const std::string& text, int at, bool exclusion) {
    Lexed l(text);
    ast::Expr e;
    int from = -1, to = -1;
    if (!read_test_result(l.input(), at, l.size(), exclusion, e, from, to)) return std::string("(none)");
    return ast::print(e) + " [" + std::to_string(from) + "," + std::to_string(to) + ")";
  };
  CHECK(read("negative pregnancy test", 1, false) == "not pregnancy and manual(procedure) [0,2)");
  CHECK(read("pregnancy test negative", 0, false) == "not pregnancy and manual(procedure) [0,2)");
  CHECK(read("positive pregnancy test", 1, true) == "pregnancy [0,2)");
  // In an exclusion a required negative test is not what excludes.
  CHECK(read("negative pregnancy test", 1, true) == "(none)");
}

TEST_CASE("clause reading concept_mention: windows, naive, results, causes", "[clause]") {
  auto read = [](const std::string& text) {
    Lexed l(text);
    ast::Expr e;
    std::vector<SetAside> ignored;
    const int end = read_concept_mention(l.input(), 0, l.size(), false, e, ignored);
    std::string why;
    for (const auto& a : ignored) why += " [" + a.why + "]";
    return end < 0 ? std::string("(none)") : ast::print(e) + why;
  };
  CHECK(read("acute pancreatitis within the past 5 years") == "history(acute_pancreatitis) within 5 years");
  CHECK(read("insulin-naive") == "not history(insulin)");
  CHECK(read("HIV negative") == "not hiv");
  CHECK(read("HbA1c") == "(none)");  // a measure is read by measure_head
}

TEST_CASE("clause parser n_of: how many of the list after it, and whether the list is elsewhere", "[clause]") {
  auto n_of = [](const std::string& text) {
    Lexed l(text);
    int n = 0;
    bool dangling = false;
    const int end = read_n_of(l.input(), 0, l.size(), n, dangling);
    if (end < 0) return std::string("(none)");
    return std::to_string(n) + (dangling ? " dangling" : "") + " | " + std::to_string(l.size() - end) + " left";
  };
  CHECK(n_of("at least two of the following: A, B, C") == "2 | 5 left");
  CHECK(n_of("more than 2 of the following signs:") == "3 dangling | 0 left");
  CHECK(n_of("3 or more of the following") == "3 dangling | 0 left");
  CHECK(n_of("one of the following: A, B") == "(none)");      // one of: alternatives, not a count
  CHECK(n_of("2 of 6 HLA antigens") == "(none)");             // a count of something else
  CHECK(n_of("fewer than 2 of the following: A") == "(none)");
}

TEST_CASE("clause parsers place_label and part_label: labels that scope what follows", "[clause]") {
  auto place = [](const std::string& text) {
    Lexed l(text);
    return read_place_label(l.input(), 0, l.size());
  };
  CHECK(place("Trained Users only: HbA1c below 9%") == 3);
  CHECK(place("For Japan only: age 20 years or older") == 3);
  CHECK(place("For patients with diabetes: HbA1c < 9%") == -1);  // not a capitalised name
  CHECK(place("HbA1c only: below 9%") == -1);                     // a measure, not a label
  auto part = [](const std::string& text) {
    Lexed l(text);
    return is_part_label(l.input(), 0, l.size());
  };
  CHECK(part("Part C"));
  CHECK(part("Parts A and B"));
  CHECK(part("Cohort 2"));
  CHECK_FALSE(part("Part"));
  CHECK_FALSE(part("Partial response"));
}

TEST_CASE("clause parser sex_group: one sex named with only people and filler", "[clause]") {
  auto sex = [](const std::string& text) {
    Lexed l(text);
    return read_sex_group(l.input(), 0, l.size());
  };
  CHECK(sex("women") == "female");
  CHECK(sex("female patients") == "female");
  CHECK(sex("males") == "male");
  CHECK(sex("men and women").empty());        // both sexes
  CHECK(sex("women with diabetes").empty());  // more than people
}

TEST_CASE("clause parser prohibition: a criterion that opens by forbidding", "[clause]") {
  auto forbids = [](const std::string& text) {
    Lexed l(text);
    return opens_with_prohibition(l.input(), l.size());
  };
  CHECK(forbids("No history of acute pancreatitis"));
  CHECK(forbids("Patients must not be pregnant"));
  CHECK(forbids("Not pregnant or lactating"));
  CHECK_FALSE(forbids("History of acute pancreatitis"));
  CHECK_FALSE(forbids("Patients with a history of cancer"));
}

TEST_CASE("clause parser group_opener: a group of patients named by what they have, take or are", "[clause]") {
  // Where the group's own words start (a token index), and whether people come first.
  auto opener = [](const std::string& text, bool& subject) {
    Lexed l(text);
    subject = false;
    return read_group_opener(l.input(), 0, l.size(), subject);
  };
  bool subject = false;
  CHECK(opener("For patients on insulin: HbA1c < 10%", subject) == 2);  // for | patients | on ...
  CHECK_FALSE(subject);
  CHECK(opener("for patients with one oral antidiabetic drug : HbA1c", subject) == 2);  // "patients with" is one token
  CHECK_FALSE(subject);
  CHECK(opener("Patients with hypertension must have BP < 140/90", subject) == 1);
  CHECK(subject);
  CHECK(opener("Patients who are receiving corticosteroids must", subject) == 2);  // the group follows "who"
  CHECK(subject);
  CHECK(opener("Patients must have type 1 diabetes", subject) == -1);
  // "women who are breastfeeding" is one of the lexicon's names of a state: the group is that name.
  CHECK(opener("Women who are breastfeeding must agree", subject) == 0);
  CHECK(subject);
  CHECK(opener("For women with diabetes: HbA1c < 8%", subject) == 1);  // "for women" is one cue, a sex
  CHECK_FALSE(subject);
  CHECK(opener("For patients who will receive cisplatin: creatinine", subject) == 2);  // "who will" is one cue, a plan
  CHECK_FALSE(subject);
  CHECK(opener("For Japan only: HbA1c < 9%", subject) == -1);
}
