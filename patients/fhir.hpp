#pragma once
// FHIR R4 Bundles as patient profiles: Patient, Condition (clinicalStatus,
// onset, abatement), Observation (valueQuantity with UCUM code,
// valueCodeableConcept, interpretation, referenceRange), MedicationRequest /
// MedicationStatement, Procedure, and Encounter where its reason is an event.
// Codes map to concepts through the lexicon, exactly as profile codes do.
#include <string>

#include <nlohmann/json.hpp>

#include "patients/profile.hpp"

namespace trialmatch {

// Structural problems (not a Bundle, no Patient) are errors naming the file
// and field; a resource that cannot be read is a warning and is skipped.
Profile load_fhir_bundle(const nlohmann::json& bundle, const std::string& file, const Lexicon& lexicon,
                         Diagnostics& warnings);

// FHIR system URL to trialmatch's short name ("http://loinc.org" -> "loinc");
// empty when unknown.
std::string fhir_system(const std::string& url);

}  // namespace trialmatch
