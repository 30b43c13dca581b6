#pragma once
// Evaluation: a compiled trial becomes a plan once (concepts resolved,
// thresholds in canonical units); a patient becomes facts once (records
// indexed by concept, values converted); the plan then runs against the
// facts with three-valued logic, each result carrying its reason and evidence.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/date.hpp"
#include "engine/lexicon.hpp"
#include "engine/trial.hpp"
#include "patients/profile.hpp"

namespace trialmatch {

enum class Truth : unsigned char { no, yes, unknown };

// a op b, with a relative epsilon: thresholds come from text with a few
// decimals, and unit conversion must not push a value out of "=" or ">=".
inline bool compare_numbers(double a, ast::CmpOp op, double b) {
  const double eps = 1e-9 * std::max(1.0, std::max(std::fabs(a), std::fabs(b)));
  switch (op) {
    case ast::CmpOp::lt: return a < b - eps;
    case ast::CmpOp::le: return a <= b + eps;
    case ast::CmpOp::gt: return a > b + eps;
    case ast::CmpOp::ge: return a >= b - eps;
    case ast::CmpOp::eq: return std::fabs(a - b) <= eps;
    case ast::CmpOp::ne: return std::fabs(a - b) > eps;
  }
  return false;
}

// Why a result is unknown (shared/spec/product.md).
enum class Unknown : unsigned char { none, missing_data, manual, unparsed, unit_mismatch };
const char* to_string(Unknown reason);

struct Evidence {
  std::string concept_id;
  std::string value;        // "8.9", "positive", "3 in the window", "active since 2017-08-01"
  std::optional<double> number;
  std::string unit;
  std::string date;         // of the record used
  std::string note;         // conversion made, upper limit used, interpretation
  std::string field;        // where in the profile ("/observations/0")
};

struct Result {
  Truth truth = Truth::unknown;
  Unknown reason = Unknown::none;
  std::string why;                 // one line a coordinator can act on
  std::vector<Evidence> evidence;
  std::vector<std::string> needs;  // data that would decide an unknown
};

// ---------------------------------------------------------------- the plan

struct PlanNode {
  enum class Kind {
    compare, sex_is, count_positive, count_events, duration, since, present, history, positive, negative,
    manual, unparsed, literal, not_, and_, or_, at_least,
    // Lean plans only: presence of several concepts read from per-patient
    // bit sets at once (any_present: one holds; all_present: all hold), and
    // a result known before any patient is seen (constant).
    any_present, all_present, constant
  };
  Kind kind = Kind::literal;
  const Concept* concept_ref = nullptr;
  std::vector<const Concept*> concepts;  // count_positive
  ast::CmpOp op = ast::CmpOp::eq;
  double threshold = 0;       // canonical unit; a multiple of the ULN when uln
  bool uln = false;
  std::string time_unit;      // age thresholds compare completed years / months / days
  std::string unit_error;     // set when the written unit cannot be converted
  std::optional<ast::Window> window;
  std::vector<const Concept*> except;  // a present/history record counts only when it is none of these
  std::vector<std::uint32_t> except_index;  // theirs in the lexicon (resolve_words)
  int n = 0;                  // count_*: the count compared; at_least: how many children must hold
  std::string text;           // the rule as written, for explanations
  bool value = true;          // literal
  std::vector<PlanNode> children;

  // The words above, read once for batch screening (lean_evaluate.cpp).
  enum class Special : unsigned char { none, age, healthy_volunteer };
  Special special = Special::none;
  std::uint32_t concept_index = 0;   // of concept_ref in the lexicon
  TimeUnit unit = TimeUnit::years;   // time_unit (ages, durations)
  TimeUnit window_unit = TimeUnit::days;
  std::optional<Sex> sex;            // sex_is: the sex compared against, if one a profile can have
  std::optional<std::pair<int, TimeUnit>> lookback;  // the concept's look-back, unless "any"
  std::vector<std::uint64_t> present_bits, history_bits;  // any_present / all_present: concepts by index
  Truth constant_truth = Truth::unknown;                   // constant
  Unknown constant_reason = Unknown::none;
};

struct CriterionPlan {
  const Criterion* criterion = nullptr;
  std::optional<PlanNode> root;
  std::string rule_text;  // the rule as printed: equal text, equal rule (LeanMemo)
};

// The plan once more, flat, for batch screening (lean_evaluate.cpp): one
// small record per operation in prefix order, each subtree ending at `end`,
// so a patient's evaluation walks a few kilobytes in order.
struct LeanOp {
  enum class Code : unsigned char {
    constant, age, measure, sex, count_positive, count_events, duration, since, present, history,
    positive, negative, not_, and_, or_, at_least, any_bits, all_bits,
    // `x op threshold and/or x op2 threshold2` for one age or measure x
    // ("aged 18-65", "BMI < 14 or > 35"): x is read once.
    age_pair, measure_pair
  };
  Code code = Code::constant;
  ast::CmpOp op = ast::CmpOp::eq;
  ast::CmpOp op2 = ast::CmpOp::eq;         // age_pair, measure_pair
  bool both = false;                       // age_pair, measure_pair: and, else or
  TimeUnit unit = TimeUnit::years;         // age, duration, since
  TimeUnit window_unit = TimeUnit::days;   // count_events, present, history; look-back for measure
  bool has_window = false;                 // a window (count, presence) or look-back (measure)
  bool uln = false;
  bool has_plausible = false, has_uln_default = false;
  bool healthy_volunteer = false;          // present(healthy_volunteer)
  ConceptKind concept_kind = ConceptKind::condition;
  Truth truth = Truth::unknown;            // constant
  Unknown reason = Unknown::none;          // constant
  std::optional<Sex> sex;
  std::uint32_t concept_index = 0;
  std::uint32_t end = 0;                   // one past this op's subtree
  std::uint32_t pool = 0, pool_size = 0;   // bit words, concept indices (count_positive; present/history: the
                                           // exceptions) or measure limits in the program's pools
  int n = 0;
  int window = 0;                          // amount of the window or look-back
  double threshold = 0;
  double threshold2 = 0;                   // age_pair, measure_pair
};

// A measure's limits, kept apart so operations stay small.
struct LeanLimits {
  double plausible_low = 0, plausible_high = 0, uln_default = 0;
};

struct LeanProgram {
  // One per criterion, in order: where its rule starts (-1: not understood)
  // and how it counts, kept together so a trial's criteria are a few lines
  // of cache.
  struct Root {
    std::int32_t op = -1;
    bool inclusion = true;
    bool computable = false;
    // The root operation's code and bit words, so the commonest criteria
    // (a bit test) are decided without reading the operation itself.
    LeanOp::Code code = LeanOp::Code::constant;
    std::uint32_t pool = 0, pool_size = 0;
  };
  std::vector<Root> roots;
  std::vector<LeanOp> ops;
  // Criteria whose outcome is known before any patient (manual checks, text
  // not understood) are settled once, in `fixed_codes`. Of the others, the
  // commonest kind, a presence test within two words of the patient's bits,
  // is decided in one tight loop without branching on the patient;
  // `table_roots` and `general` hold the rest.
  struct BitRoot {
    std::uint32_t criterion = 0;
    bool all = false;  // all_bits, else any_bits
    // Two words of the patient's bits (the same twice for a one-word test:
    // the second then wants nothing).
    std::uint32_t word[2] = {0, 0};
    std::uint64_t present[2] = {0, 0}, history[2] = {0, 0};
    // The criterion's result when the test does not hold and when it does:
    // no and yes, or, for `test and K` / `test or K` with K an unknown known
    // before any patient ("... and the investigator judges"), K on one side.
    // `code` is the result's two-bit outcome code.
    Truth truth[2] = {Truth::no, Truth::yes};
    Unknown reason[2] = {Unknown::none, Unknown::none};
    unsigned char code[2] = {1, 0};
  };
  std::vector<BitRoot> bit_roots;  // those testing one word first
  std::size_t one_word = 0;        // how many test one word
  // A criterion that reads nothing of the patient but at most four presence
  // tests (under and / or / not, beside unknowns known before any patient)
  // is a function of those tests: tabulated once, looked up per patient.
  struct TableRoot {
    std::uint32_t criterion = 0;
    std::uint32_t tests = 0;
    struct Test {
      LeanOp::Code code = LeanOp::Code::any_bits;
      std::uint32_t pool = 0, pool_size = 0;
    } test[4];
    // By the tests' outcomes, bit k for test k: the result and its two-bit code.
    Truth truth[16] = {};
    Unknown reason[16] = {};
    unsigned char code[16] = {};
  };
  std::vector<TableRoot> table_roots;
  std::vector<std::uint32_t> general;
  // The two-bit outcome codes (met 0, not met 1, unknown 2, to confirm 3)
  // of the criteria known before any patient, 32 to a word, 0 elsewhere:
  // each patient's codes start from these.
  std::vector<std::uint64_t> fixed_codes;
  // The verdict is read off the two-bit codes of 32 criteria at once: per
  // word, bit 2i set for criterion i when it is an inclusion (or an
  // exclusion) criterion, and when it is also computable.
  struct Masks {
    std::uint64_t inclusion = 0, exclusion = 0, computable_inclusion = 0, computable_exclusion = 0;
  };
  std::vector<Masks> masks;
  std::vector<std::uint64_t> bits;        // any_bits / all_bits: (word index, present bits, history bits) triples
  std::vector<std::uint32_t> concepts;    // count_positive, and the exceptions of present / history
  std::vector<LeanLimits> limits;         // measure
};

struct TrialPlan {
  const Trial* trial = nullptr;
  std::vector<CriterionPlan> criteria;
  LeanProgram lean;
  // A trial whose criteria name cohorts, parts or arms (cohort("Part C"))
  // is evaluated per cohort: one plan each, `cohort` its label.
  std::string cohort;
  std::vector<TrialPlan> cohorts;
};

TrialPlan plan_trial(const Trial& trial, const Lexicon& lexicon);
// Cohorts told apart at most (combinations of parts, arms, ...).
constexpr std::size_t kMaxCohorts = 16;
// The cohorts the trial's rules name, in order of first appearance.
std::vector<std::string> cohorts_of(const Trial& trial);

// ---------------------------------------------------------------- facts

class PatientFacts {
 public:
  PatientFacts(const Profile& profile, const Lexicon& lexicon, Date as_of);

  const Profile& profile() const { return *profile_; }
  Date as_of() const { return as_of_; }

  struct Obs {
    const ObservationRecord* record;
  };
  // Records of a concept or of any concept it includes, on or before as-of,
  // newest first.
  const std::vector<const ObservationRecord*>& observations(const Concept& c) const;
  const std::vector<const ConditionRecord*>& conditions(const Concept& c) const;
  const std::vector<const MedicationRecord*>& medications(const Concept& c) const;
  // Dated occurrences of an event concept: events, and conditions coded as one.
  struct Occurrence {
    Date date;
    std::string field;
  };
  const std::vector<Occurrence>& events(const Concept& c) const;
  bool any_active_condition() const;

 private:
  const Profile* profile_;
  const Lexicon* lexicon_;
  Date as_of_;
  std::vector<std::vector<const ObservationRecord*>> obs_;
  std::vector<std::vector<const ConditionRecord*>> conds_;
  std::vector<std::vector<const MedicationRecord*>> meds_;
  std::vector<std::vector<Occurrence>> events_;
  std::size_t index_of(const Concept& c) const;
};

// The as-of date: the command line's, then the profile's, then today.
Date resolve_as_of(const std::optional<Date>& command_line, const Profile& profile);

// ---------------------------------------------------------------- results

enum class Outcome { met, not_met, unknown };
const char* to_string(Outcome outcome);

struct CriterionResult {
  const Criterion* criterion = nullptr;
  Outcome outcome = Outcome::unknown;
  Result result;
  bool answered = false;  // decided by the profile's manual answers
};

enum class Verdict { eligible, undetermined, ineligible };
const char* to_string(Verdict verdict);

struct TrialResult {
  const Trial* trial = nullptr;
  Verdict verdict = Verdict::undetermined;
  double score = 0;
  std::vector<CriterionResult> criteria;
  // A trial with cohorts: the cohort whose evaluation this is (the best for
  // the patient) and every cohort's verdict, in the order they are named.
  struct CohortVerdict {
    std::string cohort;
    Verdict verdict = Verdict::undetermined;
    double score = 0;
  };
  std::string cohort;
  std::vector<CohortVerdict> cohorts;
  // The first criterion that makes it ineligible or undetermined, if any.
  const CriterionResult* first_blocker() const;
};

Result evaluate(const PlanNode& node, const PatientFacts& facts, const Lexicon& lexicon);
TrialResult evaluate_trial(const TrialPlan& plan, const PatientFacts& facts, const Lexicon& lexicon);

// Eligible before undetermined before ineligible; then by score, highest
// first; then by trial id, so the order is deterministic.
void rank(std::vector<TrialResult>& results);

}  // namespace trialmatch
