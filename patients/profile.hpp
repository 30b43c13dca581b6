#pragma once
// Patient profiles (shared/spec/patient-profile.md): loading and validation.
// Errors name the file and the field as a JSON pointer; unknown keys warn.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/date.hpp"
#include "engine/diagnostic.hpp"

namespace trialmatch {

class Lexicon;

enum class Sex : unsigned char { unknown, female, male, other };
const char* to_string(Sex sex);

// What a record is about: a canonical concept id, or a code in a system.
// `concepts` holds what the lexicon maps it to (empty if it knows neither).
struct CodedRef {
  std::string concept_id;
  std::string code;
  std::string system;
  std::vector<std::string> concepts;
};

enum class RecordStatus { active, resolved, history, stopped, completed };
const char* to_string(RecordStatus status);

struct ConditionRecord {
  CodedRef what;
  RecordStatus status = RecordStatus::active;
  std::optional<Date> onset;
  std::optional<Date> abatement;
  std::string field;  // JSON pointer of the record, for explanations
};

enum class Qualitative { none, positive, negative };

struct ObservationRecord {
  CodedRef what;
  std::optional<double> value;
  std::string unit;
  Qualitative qualitative = Qualitative::none;  // "positive"/"detected" or "negative"/"not detected"
  std::optional<double> reference_high;
  std::optional<double> reference_low;
  Date date;
  std::string field;
};

struct EventRecord {
  CodedRef what;
  Date date;
  std::string field;
};

struct MedicationRecord {
  CodedRef what;
  RecordStatus status = RecordStatus::active;
  std::optional<Date> start;
  std::optional<Date> end;
  std::string field;
};

struct Profile {
  std::string id;
  std::optional<Date> birth_date;
  std::optional<double> age;  // years, when the birth date is withheld
  Sex sex = Sex::unknown;
  std::optional<Date> as_of;
  std::vector<ConditionRecord> conditions;
  std::vector<ObservationRecord> observations;
  std::vector<EventRecord> events;
  std::vector<MedicationRecord> medications;
  std::map<std::string, bool> answers;  // "TRIAL_ID/CRITERION_ID" -> holds
  std::string source;                   // file (and line, for JSON Lines)
};

// Validates and loads one profile object. Warnings (unknown keys, unknown
// concepts, dates after as_of) are appended to `warnings`.
Profile load_profile(const nlohmann::json& doc, const std::string& file, const Lexicon& lexicon,
                     Diagnostics& warnings);

Profile load_profile_file(const std::string& path, const Lexicon& lexicon, Diagnostics& warnings);

}  // namespace trialmatch
