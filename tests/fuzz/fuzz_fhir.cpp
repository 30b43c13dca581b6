// libFuzzer: bytes wrapped as the resource of a FHIR Bundle entry beside a
// Patient, so the fuzzer spends its time inside the resource readers.
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/diagnostic.hpp"
#include "engine/json_util.hpp"
#include "engine/lexicon.hpp"
#include "patients/fhir.hpp"

using namespace trialmatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto resource = parse_json(text, "fuzz.json");
    nlohmann::json bundle = {{"resourceType", "Bundle"},
                             {"entry", nlohmann::json::array({{{"resource", {{"resourceType", "Patient"}, {"id", "p"}}}},
                                                              {{"resource", resource}}})}};
    Diagnostics w;
    (void)load_fhir_bundle(bundle, "fuzz.json", bundled_lexicon(), w);
    // And as a whole Bundle.
    (void)load_fhir_bundle(resource, "fuzz.json", bundled_lexicon(), w);
  } catch (const InputError&) {
  }
  return 0;
}
