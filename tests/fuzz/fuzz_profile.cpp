// libFuzzer: bytes as a patient profile (or FHIR Bundle), then evaluated
// against the bundled trials. Bad input must be an InputError, never a crash.
// Differential too: for every profile the loader accepts, the screening
// evaluator must reach the explaining evaluator's outcomes, and whenever the
// fast reader accepts the bytes it must give what the loader's facts give.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/diagnostic.hpp"
#include "engine/evaluate.hpp"
#include "engine/json_util.hpp"
#include "engine/lean_evaluate.hpp"
#include "engine/lexicon.hpp"
#include "engine/trial_compiler.hpp"
#include "engine/trial_loader.hpp"
#include "patients/patient_loader.hpp"
#include "patients/profile_fast.hpp"

using namespace trialmatch;

namespace {

struct Outcomes {
  std::vector<Verdict> verdicts;
  std::vector<std::pair<Outcome, bool>> criteria;  // outcome, manual
  bool operator==(const Outcomes&) const = default;
};

Outcomes lean_outcomes(const std::vector<TrialPlan>& plans, const LeanFacts& facts) {
  Outcomes out;
  for (const auto& plan : plans) {
    std::vector<LeanCriterion> cs(plan.criteria.size());
    out.verdicts.push_back(evaluate_trial_lean(plan, facts, cs).verdict);
    for (const auto& c : cs) out.criteria.emplace_back(c.outcome, c.manual);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Lexicon& lex = bundled_lexicon();
  static std::vector<Trial> trials = [] {
    auto t = bundled_trials();
    compile_trials(t, lex);
    return t;
  }();
  static std::vector<TrialPlan> plans = [] {
    std::vector<TrialPlan> p;
    for (const auto& t : trials) p.push_back(plan_trial(t, lex));
    return p;
  }();
  static LeanFactsBuilder builder(lex), fast_builder(lex);
  static FastProfileReader reader;
  const Date as_of = *parse_iso_date("2026-11-01");
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto fast = reader.read(text, fast_builder);
  try {
    Diagnostics w;
    Profile p = load_patient(parse_json(text, "fuzz.json"), "fuzz.json", lex, w);
    PatientFacts f(p, lex, as_of);
    Outcomes full;
    for (const auto& plan : plans) {
      TrialResult r = evaluate_trial(plan, f, lex);
      full.verdicts.push_back(r.verdict);
      for (const auto& c : r.criteria)
        full.criteria.emplace_back(c.outcome, c.outcome == Outcome::unknown && c.result.reason == Unknown::manual);
    }
    Outcomes lean = lean_outcomes(plans, builder.from_profile(p, as_of));
    if (!(lean == full)) std::abort();  // the two evaluators disagree
    if (fast && !(lean_outcomes(plans, fast_builder.finish(as_of)) == full)) std::abort();  // the readers disagree
    if (fast && fast->id != p.id) std::abort();
  } catch (const InputError&) {
    if (fast) std::abort();  // the fast reader accepted what the loader rejects
  }
  return 0;
}
