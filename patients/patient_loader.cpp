#include "patients/patient_loader.hpp"

#include "engine/json_util.hpp"
#include "patients/fhir.hpp"

namespace trialmatch {

Profile load_patient(const nlohmann::json& doc, const std::string& file, const Lexicon& lexicon, Diagnostics& warnings) {
  if (doc.is_object() && doc.contains("resourceType")) return load_fhir_bundle(doc, file, lexicon, warnings);
  return load_profile(doc, file, lexicon, warnings);
}

Profile load_patient_file(const std::string& path, const Lexicon& lexicon, Diagnostics& warnings) {
  return load_patient(parse_json(read_file(path), path), path, lexicon, warnings);
}

}  // namespace trialmatch
