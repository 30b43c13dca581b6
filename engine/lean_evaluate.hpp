#pragma once
// Evaluation for batch screening: the decisions evaluate() makes, returning
// only the truth and the reason (no explanation, no evidence), over
// LeanFacts, with `and`/`or` short-circuiting on the first decisive operand.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/evaluate.hpp"
#include "engine/lean_facts.hpp"

namespace trialmatch {

struct LeanResult {
  Truth truth = Truth::unknown;
  Unknown reason = Unknown::none;
};

// The plan reshaped for evaluate_lean(): presence tests of plain concepts
// under one `or` / `and` become a single bit-set test.
PlanNode lean_plan(const PlanNode& node, const Lexicon& lexicon);

// Appends `node` (a lean plan) to `program`; returns the index of its root.
std::int32_t compile_lean(const PlanNode& node, const Lexicon& lexicon, LeanProgram& program);

// Evaluates the subtree at `op`.
LeanResult evaluate_lean(const LeanProgram& program, std::uint32_t op, const LeanFacts& facts);

// One criterion's outcome as a trial verdict counts it.
struct LeanCriterion {
  Outcome outcome = Outcome::unknown;
  bool manual = false;  // unknown only because a person must confirm it
  bool operator==(const LeanCriterion&) const = default;
  // Its two-bit code in trial signatures: met 0, not met 1, unknown 2, to
  // confirm 3.
  unsigned code() const { return static_cast<unsigned>(outcome) + manual; }
};

struct LeanTrialResult {
  Verdict verdict = Verdict::undetermined;
  int passing = 0;      // computable criteria that pass (the score's numerator)
  // Up to 32 criteria, every criterion's two-bit outcome code (met 0, not
  // met 1, unknown 2, to confirm 3), criterion i at bit 2i; beyond, a hash
  // of those codes' words.
  std::uint64_t signature = 0;
};

// Trials share criteria ("pregnancy", an age range): a rule written the same
// way in several trials is evaluated once per patient and remembered.
class LeanMemo {
 public:
  explicit LeanMemo(const std::vector<TrialPlan>& plans);
  // Forget the last patient's results.
  void next_patient() { ++now_; }

 private:
  friend LeanTrialResult evaluate_trial_lean(const TrialPlan&, const LeanFacts&, std::span<LeanCriterion>, LeanMemo*,
                                             std::size_t, bool, std::vector<std::uint64_t>*);
  std::vector<std::vector<std::uint32_t>> ids_;  // trial -> criterion -> shared rule
  std::vector<std::uint32_t> stamp_;
  std::vector<LeanResult> results_;
  std::uint32_t now_ = 1;
};

// Fills program.fixed_codes, masks, bit_roots, table_roots and general
// once its roots are in.
void settle_fixed(LeanProgram& program);
// Writes the outcomes known before any patient into `out`: a caller that
// keeps `out` from patient to patient does it once, then passes
// fixed_filled = true and only the other criteria are evaluated.
void fill_fixed(const TrialPlan& plan, std::span<LeanCriterion> out);

// Evaluates every criterion of `plan` into `out` (one slot per criterion);
// with a memo, `trial` is the plan's index in the memo's plans. `codes`,
// if given, receives the outcome codes, 32 criteria to a word.
LeanTrialResult evaluate_trial_lean(const TrialPlan& plan, const LeanFacts& facts, std::span<LeanCriterion> out,
                                    LeanMemo* memo = nullptr, std::size_t trial = 0, bool fixed_filled = false,
                                    std::vector<std::uint64_t>* codes = nullptr);

// The score evaluate_trial() gives for `passing` of `computable`.
double lean_score(int passing, int computable);

}  // namespace trialmatch
