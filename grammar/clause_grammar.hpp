#pragma once
// The clause grammar: Spirit X3 rules over the lexer's tokens (iterator
// `const Token*`), one construct of product.md's grammar per rule. So far it
// holds the thresholds of a measure, age or count (clause_grammar_def.hpp
// lists its rules); the rest of the clause grammar is still the token walker
// in criteria_compiler.cpp, which calls these.
// A non-template facade: X3 stays in clause_grammar.cpp.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/criteria_lexer.hpp"
#include "grammar/word_classes.hpp"

namespace trialmatch {
class Lexicon;
}

namespace trialmatch::grammar {

// One bound on a value in the criterion's own sense: "< 14", "≥ 7.5 %".
struct Threshold {
  ast::CmpOp op = ast::CmpOp::ge;
  double value = 0;
  std::string unit;
  std::string sex;         // a bound for one sex ("< 8 g/dL in males")
  bool or_before = false;  // joined to the previous threshold by "or"
};

// A comparator token's operator (its value: "ge", "lt", ...).
inline ast::CmpOp comparator_op(std::string_view v) {
  if (v == "ge") return ast::CmpOp::ge;
  if (v == "le") return ast::CmpOp::le;
  if (v == "gt") return ast::CmpOp::gt;
  if (v == "lt") return ast::CmpOp::lt;
  if (v == "ne") return ast::CmpOp::ne;
  return ast::CmpOp::eq;
}

// What the rules read besides the tokens.
struct ClauseInput {
  const std::vector<Token>& tokens;
  std::string_view text;                 // the criterion, for units kept as written
  std::span<const ClassBits> words;  // each token's word classes (word_classes.hpp)
  const WordClasses* classes = nullptr;  // any word's classes
  const Lexicon* lexicon = nullptr;      // what kind of concept a mention names
  const CriteriaLexer* lexer = nullptr;  // the concept a whole phrase names
  // Each token's first word's classes and all its words' classes together,
  // worked out once (empty: looked up in `classes` when asked).
  std::span<const ClassBits> first_words = {};
  std::span<const ClassBits> any_words = {};
};

// A token's word classes: of its whole text, its first word, or any word.
enum class WordsOf { whole, first, any };
ClassBits classes_of(const ClauseInput& in, std::size_t index, WordsOf part);

// One threshold, or a range, at token `at`: "< 14", "between 18 and 65
// years", "≥ 7.5 % and ≤ 10 %" (one of them), "18-65 years", "0, 1 or 2",
// "2.5 or more times ULN", with an equal value in brackets, "inclusive" and a
// sex after it. `time_units`: ages and durations (years, months ... are
// units). `between`: "between" was read before `at`. `end` bounds the
// brackets and the ULN it looks ahead for. Appends to `out`; returns the
// index after what was read, or -1.
int read_threshold(const ClauseInput& in, int at, int end, bool time_units, bool between, std::vector<Threshold>& out);

// One or more thresholds on one measure: "< 14 or > 35", "≥ 7.7% and ≤
// 11.0%", "< 8 g/dL in males, < 7 g/dL in females", "at least 60 kg for men
// and 48 kg for women". An alternative that holds only for some patients
// ("or ≤ 5 x ULN if liver metastases are present", "... for patients with
// Gilbert's syndrome") ends the list before it. As read_threshold.
int read_threshold_list(const ClauseInput& in, int at, int end, bool time_units, bool between,
                        std::vector<Threshold>& out);

// "more than 4 episodes of severe hypoglycemia in the past 12 months", "2 or
// more severe hypoglycemic events", "(more than 2 episodes over the last 6
// months)" after the event is named: a count of dated events, in a window if
// one follows. The index after it, or -1.
int read_event_count(const ClauseInput& in, int at, int end, ast::Count& count);

// "type 1 diabetes for at least 1 year", "diagnosed with T1D for ≥ 12
// months", "diabetes duration > 5 years", "diagnosed ... within the past 3
// months", "within 100 days of diagnosis", "less than 1 year since cure":
// how long a condition or medication has lasted (duration) or how long since
// it ended (since). The index after it, or -1.
int read_duration(const ClauseInput& in, int at, int end, ast::Duration& duration);

// The measures a comparison is about and where its thresholds start:
// "HbA1c", "total bilirubin, ALT, and AST", "AST/ALT", "aspartate or alanine
// aminotransferase", past restatements and filler ("HbA1c (NGSP) value:").
// A threshold in brackets after them ("C-peptide negative (<100 pmol/L)")
// is read here: `bracket` holds it, `end` is after the bracket.
struct MeasureHead {
  std::vector<std::string> concepts;
  bool any = false;           // joined by "or"
  int thresholds_at = -1;     // where the thresholds start
  std::vector<Threshold> bracket;
  int bracket_read_to = -1;   // where the bracket's thresholds end (the rest is set aside)
  int bracket_close = -1;     // its closing bracket (the caller's end if none)
  int end = -1;               // after the bracket
  bool between = false;       // a range was announced ("within the range of", "ranging from")
  std::vector<int> unknown;   // a last member the lexicon does not know ("... or GGT"): its token
};
// Whether a measure comparison's head starts at `at`; `joined`: "and"/"or"
// stands before it (then a comma does not continue its list).
bool read_measure_head(const ClauseInput& in, int at, int end, MeasureHead& head);

// A bound written before its measure: "> 2.0 U/kg total insulin dose per
// day" (a comparator and a value with a unit, the measure after: `measure`
// is set and the index after it returned), or "19 kg/m2 ≤ BMI", "7.0% <
// HbA1c" (a value, then a comparator read from the measure's side: ≤
// becomes ≥; the index of the measure returned, its comparison follows).
// -1 if none. An equality before a bound ("130mmHg=SBP<180mmHg") is a lost
// ≤ or ≥ and is not read.
int read_bound_before(const ClauseInput& in, int at, int end, Threshold& bound, std::string& measure);

// "blood pressure > 140/90 mmHg": one comparator for two measures written as
// one value (the cue pair:systolic_bp,diastolic_bp names them). Above a pair
// means either value above; below, both. The index after it, or -1.
int read_value_pair(const ClauseInput& in, int at, int end, ast::Expr& out);

// Islet autoantibodies: "at least 2 of GADA, IA-2A, ZnT8A positive",
// "positive for at least one autoantibody [GADA, IA-2A, IAA, ICA, ZnT8A]",
// "2 or more diabetes antibodies", "positive GADA", "GAD65 antibody
// positive", "negative for IA-2A". A bare "antibodies" counts only when its
// words say islet or diabetes, or its members are listed. The index after
// it, or -1.
int read_antibodies(const ClauseInput& in, int at, int end, ast::Expr& out);

// A vague word the lexicon interprets ("newly diagnosed" = within 100 days
// of diagnosis, "juvenile" = under 18): its rule, of the condition after it
// when the rule names one ("{concept}"; the lexicon's default when the phrase
// stands alone). Not when it qualifies a name the lexicon does not know
// ("Newly diagnosed AML", "juvenile idiopathic arthritis"). `note` says what
// was interpreted. The index after it, or -1.
int read_interpretation(const ClauseInput& in, int at, int end, ast::Expr& out, std::string& note);

// A test's result stated of the patient ("negative pregnancy test", "test
// negative for pregnancy", "positive pregnancy test"): the test (language
// table tested_state) at `at`, its result before or after it. A negative
// result reads `not <state> and manual(procedure)`; a positive one `<state>`.
// In an exclusion only a positive result says what excludes. `from`/`to`:
// the tokens read. Returns whether one was read.
bool read_test_result(const ClauseInput& in, int at, int end, bool exclusion, ast::Expr& out, int& from, int& to);

// Whether the concept at `at` is another person's ("first-degree relative with
// type 1 diabetes"): a word of class kin names them.
bool of_someone_else(const ClauseInput& in, int at);

// A concept named as a condition, state, event, medication or procedure
// (not a measure or an antibody): "type 1 diabetes", "history of
// pancreatitis within 5 years" (history within the window), "insulin-naive"
// (never treated), "HIV negative", "diabetes caused by Cushing's syndrome"
// (the lexicon's caused concept; the causes set aside), "complications of
// diabetes" (the complication concept), an organ where the sentence names a
// pathology (`organ_pathology`). `ignored`: token ranges read and set aside,
// with why. The index after it, or -1.
struct SetAside {
  int from = 0, to = 0;
  std::string why;
};
int read_concept_mention(const ClauseInput& in, int at, int end, bool organ_pathology, ast::Expr& out,
                         std::vector<SetAside>& ignored);

// The patient's age at `at` ("Age 18-65 years", "Minimum age: 18 years",
// "younger than 18 years", "patients < 18", "males and females aged 18 to
// 45", "18 years or older"), as thresholds in times. The index after it,
// or -1.
int read_age(const ClauseInput& in, int at, int end, std::vector<Threshold>& out);

// "at least two of the following (signs):": how many of the list after it
// must hold (n >= 2) and whether that list is elsewhere (`dangling`). The
// index after the opener, or -1.
int read_n_of(const ClauseInput& in, int at, int end, int& n, bool& dangling);

// A label before a colon that scopes what follows to a part of the study or
// a place ("Trained Users only:", "For Japan:"): the colon's index, or -1.
int read_place_label(const ClauseInput& in, int at, int end);

// Whether [at, end) names parts of the study ("Part C", "Parts A and B").
bool is_part_label(const ClauseInput& in, int at, int end);

// "women", "female patients": the sex that [at, end) names alone ("male" or
// "female"), or "".
std::string read_sex_group(const ClauseInput& in, int at, int end);

// Whether the criterion opens by forbidding ("No history of ...", "Must not
// be ...", "Not pregnant ...").
bool opens_with_prohibition(const ClauseInput& in, int end);

// A group of patients opened at `at` ("For patients on ...", "Patients with
// ...", "Patients who ..."): where the words naming the group start, or -1;
// `subject` is set when people come first (the subject of what follows).
int read_group_opener(const ClauseInput& in, int at, int end, bool& subject);

// "within 12 months", "in the past 3 months", "within the last year", "in
// the 3 months prior to enrollment" at `at`: the index after it, or -1.
int read_window(const ClauseInput& in, int at, int end, ast::Window& w);

// Whether the words at `at` make what precedes them hold for some patients
// only: "if ...", "for patients with ...", "in the presence of ...".
bool for_some_at(const ClauseInput& in, int at, int end);

}  // namespace trialmatch::grammar
