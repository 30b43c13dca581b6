#pragma once
// One entry point for a patient file: a trialmatch profile, or a FHIR R4
// Bundle (recognised by "resourceType": "Bundle").
#include <string>

#include <nlohmann/json.hpp>

#include "patients/profile.hpp"

namespace trialmatch {

Profile load_patient(const nlohmann::json& doc, const std::string& file, const Lexicon& lexicon, Diagnostics& warnings);
Profile load_patient_file(const std::string& path, const Lexicon& lexicon, Diagnostics& warnings);

}  // namespace trialmatch
