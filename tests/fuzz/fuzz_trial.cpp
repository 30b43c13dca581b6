// libFuzzer: bytes as a trial file (ClinicalTrials.gov v2 or native), then
// compiled with the grammar and planned.
#include <cstdint>
#include <string_view>

#include "engine/diagnostic.hpp"
#include "engine/evaluate.hpp"
#include "engine/json_util.hpp"
#include "engine/lexicon.hpp"
#include "engine/trial_compiler.hpp"
#include "engine/trial_loader.hpp"

using namespace trialmatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto trials = load_trial_document(parse_json(text, "fuzz.json"), "fuzz.json", text);
    compile_trials(trials, bundled_lexicon());
    for (const auto& t : trials) (void)plan_trial(t, bundled_lexicon());
  } catch (const InputError&) {
  }
  return 0;
}
