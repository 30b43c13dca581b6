#pragma once
// Compiles one criterion's free text into a rule (grammar/ast.hpp). The
// lexer finds the words that carry meaning; the clause grammar here
// recognises the constructs of shared/spec/product.md ("The grammar") and
// joins them with the text's connectives. What it does not understand is
// kept as residue with its offsets: as an unparsed(...) term when it may
// decide the criterion, or as an ignored span with the reason (a
// definition, a reference to diagnostic criteria, an exception, a label).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "grammar/ast.hpp"

namespace trialmatch {
class Lexicon;
}

namespace trialmatch::grammar {

enum class Status { computable, partial, manual, unparsed };
const char* to_string(Status status);

// A numeric comparison in the criterion's own sense, value and unit as written.
struct Atom {
  std::string concept_id;
  ast::CmpOp op = ast::CmpOp::eq;
  double value = 0;
  std::string unit;
  std::string source;  // the words it was read from, when known
};

struct Span {
  int begin = 0;
  int end = 0;
  std::string text;
  std::string reason;  // for ignored spans: definition, reference, exception, label, explained, ...
};

struct Compiled {
  Status status = Status::unparsed;
  std::optional<ast::Expr> rule;      // absent only when nothing was recognised
  std::vector<Atom> atoms;
  std::vector<Span> unparsed;         // residue that may decide the criterion
  std::vector<Span> ignored;          // text read and set aside, with why
  std::vector<std::string> notes;     // interpretations of vague words applied
};

class CriteriaCompiler {
 public:
  static constexpr std::size_t kMaxCriterionBytes = 100'000;

  explicit CriteriaCompiler(const Lexicon& lexicon);
  ~CriteriaCompiler();
  CriteriaCompiler(const CriteriaCompiler&) = delete;
  CriteriaCompiler& operator=(const CriteriaCompiler&) = delete;

  // `exclusion` selects how an "and"-list of conditions reads: in an
  // exclusion "A, B and C" excludes anyone with any of them.
  Compiled compile(std::string_view text, bool exclusion) const;
  // An inclusion item its heading forbids ("No cardiac conditions,
  // including any of the following:"): read as an inclusion, except that
  // what holds for a group or under a condition is read with it, as an
  // exclusion reads it ("LVEF < 45% for patients with cardiac history" is
  // that group with that value, `C and Y`), so that negated it forbids that.
  Compiled compile_forbidden(std::string_view text) const;

  // How many of the alternatives the text opens a list of must hold: 1 for
  // "one of the following", "any of", "at least one of"; n for "at least n
  // of the following", "n or more of"; 0 if it opens none. The sub-items
  // under such a heading are alternatives, not each required.
  // `opener`, if given, receives the byte span of the words "at least n of
  // the following" (they only open the list).
  int alternatives_needed(std::string_view text, std::pair<int, int>* opener = nullptr) const;
  // Whether the text opens with a negation ("No thrombotic events including
  // any of the following:"): its sub-items are what it forbids.
  bool opens_with_negation(std::string_view text) const;
  // Whether the text ends in "or" ("Type 1 diabetes of at least 5 years, or"):
  // the item after it is an alternative to it.
  bool ends_with_or(std::string_view text) const;
  // The cohorts a label names ("Part B only", "Parts A and B", "Trained
  // Users only", "For Cohort 1"), as cohort(...) terms; none if it names
  // no part of the study.
  std::optional<ast::Expr> cohort_label(std::string_view text) const;
  // The measure (or age) a heading names and nothing else ("Age:",
  // "Performance status", "Bilirubin"), or "" if it names none or more.
  std::string measure_named(std::string_view text) const;

 private:
  Compiled compile_as(std::string_view text, bool exclusion, bool forbidden) const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Status and atoms of a rule that came from elsewhere (a curated override).
Status status_of(const ast::Expr& rule);
// The rule's comparisons; with the criterion's text, each with the words it
// was read from.
std::vector<Atom> atoms_of(const ast::Expr& rule, std::string_view text = {});

// What a rule requires that no one meets, outside any not and or: "sex =
// male and sex = female", or bounds of one measure no value meets together
// ("age >= 55 years and age <= 54 years"); empty when nothing.
std::string contradiction_in(const ast::Expr& rule);

}  // namespace trialmatch::grammar
