// libFuzzer: bytes as a patient profile (or FHIR Bundle), then evaluated
// against the bundled trials. Bad input must be an InputError, never a crash.
#include <cstdint>
#include <string_view>

#include "engine/diagnostic.hpp"
#include "engine/evaluate.hpp"
#include "engine/json_util.hpp"
#include "engine/lexicon.hpp"
#include "engine/trial_compiler.hpp"
#include "engine/trial_loader.hpp"
#include "patients/patient_loader.hpp"

using namespace trialmatch;

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
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    Diagnostics w;
    Profile p = load_patient(parse_json(text, "fuzz.json"), "fuzz.json", lex, w);
    for (bool explain : {true, false}) {
      PatientFacts f(p, lex, *parse_iso_date("2026-11-01"));
      f.set_explain(explain);
      for (const auto& plan : plans) (void)evaluate_trial(plan, f, lex);
    }
  } catch (const InputError&) {
  }
  return 0;
}
