#pragma once
// The rule AST: what a criterion means, as the canonical rule language prints
// it. The criteria grammar and the rule-language parser both produce it; the
// engine compiles it to an evaluation plan. Only X3's light AST support
// headers are included here, never x3.hpp.
#include <boost/optional.hpp>
#include <boost/spirit/home/x3/support/ast/variant.hpp>
#include <string>
#include <vector>

namespace trialmatch::ast {

namespace x3 = boost::spirit::x3;

enum class CmpOp : unsigned char { lt, le, gt, ge, eq, ne };
const char* to_string(CmpOp op);
CmpOp negate(CmpOp op);  // < becomes >=, ...

// Offsets into the criterion text a node was read from; -1 when it came from
// rule-language text. Not part of a node's value (ignored by ==).
struct Span {
  int begin = -1;
  int end = -1;
};

// "within 12 months": a window counting back from the as-of date.
struct Window {
  int amount = 0;
  std::string unit;  // days, weeks, months, years
  bool operator==(const Window&) const = default;
};

// hba1c >= 7.5 %   age <= 65 years   alt >= 2 xULN   sex = female
struct Comparison {
  std::string concept_id;
  CmpOp op = CmpOp::eq;
  double value = 0;
  std::string unit;  // canonical spelling; empty for unitless
  std::string word;  // a symbolic value ("female") instead of a number
  Span span;
  bool operator==(const Comparison& o) const {
    return concept_id == o.concept_id && op == o.op && value == o.value && unit == o.unit && word == o.word;
  }
};

// count(positive(gada, ia2a)) >= 1   count(severe_hypoglycemia within 12 months) >= 2
struct Count {
  bool positive = false;  // counts positive results of the concepts, else dated events
  std::vector<std::string> concepts;
  boost::optional<Window> window;
  CmpOp op = CmpOp::ge;
  int n = 1;
  Span span;
  bool operator==(const Count& o) const {
    return positive == o.positive && concepts == o.concepts && window == o.window && op == o.op && n == o.n;
  }
};

// duration(type1_diabetes) >= 1 year: time since onset.
// since(malignancy) < 1 year: time since it ended (abatement).
struct Duration {
  std::string function;  // "duration" or "since"
  std::string concept_id;
  CmpOp op = CmpOp::ge;
  double value = 0;
  std::string unit;
  Span span;
  bool operator==(const Duration& o) const {
    return function == o.function && concept_id == o.concept_id && op == o.op && value == o.value && unit == o.unit;
  }
};

// type1_diabetes   history(acute_pancreatitis)   positive(hiv)
// trial_participation within 3 months
struct Predicate {
  std::string function;  // "" (current), "history", "positive", "negative"
  std::string concept_id;
  boost::optional<Window> window;
  // "diabetes other than type 1 diabetes": a record of the concept counts
  // only when it is not also a record of one of these (concepts it includes).
  std::vector<std::string> except;
  Span span;
  bool operator==(const Predicate& o) const {
    return function == o.function && concept_id == o.concept_id && window == o.window && except == o.except;
  }
};

// manual(consent): only a person can establish it.
struct Manual {
  std::string kind;  // consent, willingness, compliance, judgement, contraception, procedure, other
  Span span;
  bool operator==(const Manual& o) const { return kind == o.kind; }
};

// unparsed("failure to normalize after drug treatment"): text that carries
// meaning the grammar could not compile; evaluates to unknown.
struct Unparsed {
  std::string text;
  Span span;
  bool operator==(const Unparsed& o) const { return text == o.text; }
};

// cohort("Part C"): the patient is evaluated for the cohort, part or arm of
// the study so named (product.md: a trial with cohorts is evaluated per
// cohort). True in that cohort's evaluation, false in the others'.
struct Cohort {
  std::string label;
  Span span;
  bool operator==(const Cohort& o) const { return label == o.label; }
};

struct Literal {
  bool value = true;
  bool operator==(const Literal&) const = default;
};

// any/all: a comparator shared by a list; at_least: n of the operands hold.
enum class Logic { and_, or_, any, all, at_least };

struct Not;
struct NAry;

struct Expr : x3::variant<Comparison, Count, Duration, Predicate, Manual, Unparsed, Cohort, Literal,
                          x3::forward_ast<Not>, x3::forward_ast<NAry>> {
  using base_type::base_type;
  using base_type::operator=;
};

struct Not {
  Expr operand;
};

struct NAry {
  Logic op = Logic::and_;
  std::vector<Expr> operands;
  int n = 0;  // at_least
};

bool operator==(const Expr& a, const Expr& b);
inline bool operator==(const Not& a, const Not& b) { return a.operand == b.operand; }
inline bool operator==(const NAry& a, const NAry& b) { return a.op == b.op && a.operands == b.operands && a.n == b.n; }

// Builders that keep the tree canonical: nested and-in-and is flattened, a
// single operand is returned as itself.
Expr make_nary(Logic op, std::vector<Expr> operands);
Expr make_not(Expr operand);
// "at least two of A, B, C": at_least(2, A, B, C); one of them is `or`, all
// of them `and`.
Expr make_at_least(int n, std::vector<Expr> operands);

// The cohorts a rule names, in order of first appearance.
void collect_cohorts(const Expr& e, std::vector<std::string>& out);

// The canonical one-line form.
std::string print(const Expr& e);
std::string format_number(double v);

}  // namespace trialmatch::ast
