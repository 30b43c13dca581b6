#include "patients/profile.hpp"

#include <algorithm>
#include <cctype>

#include "engine/json_util.hpp"
#include "engine/lexicon.hpp"

namespace trialmatch {

const char* to_string(Sex sex) {
  switch (sex) {
    case Sex::female: return "female";
    case Sex::male: return "male";
    case Sex::other: return "other";
    case Sex::unknown: break;
  }
  return "unknown";
}

const char* to_string(RecordStatus status) {
  switch (status) {
    case RecordStatus::active: return "active";
    case RecordStatus::resolved: return "resolved";
    case RecordStatus::history: return "history";
    case RecordStatus::stopped: return "stopped";
    case RecordStatus::completed: return "completed";
  }
  return "active";
}

namespace {

std::string lower_copy(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class ProfileReader {
 public:
  ProfileReader(const std::string& file, const Lexicon& lexicon, Diagnostics& warnings)
      : file_(file), lexicon_(lexicon), warnings_(warnings) {}

  Profile read(const nlohmann::json& doc) {
    FieldReader r(doc, file_, "", &warnings_);
    if (r.has("resourceType"))
      r.fail("resourceType", "FHIR resources are not read yet; give a trialmatch profile (shared/spec/patient-profile.md)");
    r.warn_unknown_keys({"id", "birth_date", "age", "sex", "as_of", "conditions", "observations", "events",
                         "medications", "answers"});
    Profile p;
    p.source = file_;
    p.id = *r.string("id", true);
    if (p.id.empty()) r.fail("id", "patient id is empty");
    p.as_of = date(r, "as_of", false);
    p.birth_date = date(r, "birth_date", false);
    p.age = r.number("age");
    if (p.age && (*p.age < 0 || *p.age > 130)) r.fail("age", "age must be between 0 and 130 years");
    if (p.birth_date && p.as_of && *p.birth_date > *p.as_of) r.fail("birth_date", "birth date is after as_of");
    if (p.birth_date && p.age) r.warn("age", "both birth_date and age given; birth_date is used");
    if (auto sex = r.string("sex")) {
      std::string s = lower_copy(*sex);
      if (s == "female") p.sex = Sex::female;
      else if (s == "male") p.sex = Sex::male;
      else if (s == "other") p.sex = Sex::other;
      else if (s == "unknown") p.sex = Sex::unknown;
      else r.fail("sex", "sex must be female, male, other or unknown, found \"" + *sex + "\"");
    }
    as_of_ = p.as_of;

    for (const auto& c : r.objects("conditions")) {
      c.warn_unknown_keys({"concept", "code", "system", "onset", "abatement", "status", "display"});
      ConditionRecord rec{coded(c), status(c, {RecordStatus::active, RecordStatus::resolved, RecordStatus::history}),
                          date(c, "onset", false), date(c, "abatement", false), pointer(c)};
      if (rec.onset && rec.abatement && *rec.abatement < *rec.onset) c.fail("abatement", "abatement is before onset");
      p.conditions.push_back(std::move(rec));
    }
    for (const auto& o : r.objects("observations")) p.observations.push_back(observation(o));
    for (const auto& e : r.objects("events")) {
      e.warn_unknown_keys({"concept", "code", "system", "date", "display"});
      p.events.push_back({coded(e), *date(e, "date", true), pointer(e)});
    }
    for (const auto& m : r.objects("medications")) {
      m.warn_unknown_keys({"concept", "code", "system", "start", "end", "status", "display"});
      MedicationRecord rec{coded(m),
                           status(m, {RecordStatus::active, RecordStatus::stopped, RecordStatus::completed, RecordStatus::history}),
                           date(m, "start", false), date(m, "end", false), pointer(m)};
      if (rec.start && rec.end && *rec.end < *rec.start) m.fail("end", "end is before start");
      p.medications.push_back(std::move(rec));
    }
    if (auto answers = r.child("answers")) {
      for (auto it = answers->object().begin(); it != answers->object().end(); ++it) {
        if (it.key().find('/') == std::string::npos)
          answers->fail(it.key(), "answer keys are TRIAL_ID/CRITERION_ID, found \"" + it.key() + "\"");
        p.answers[it.key()] = *answers->boolean(it.key(), true);
      }
    }
    return p;
  }

 private:
  static std::string pointer(const FieldReader& r) {
    std::string p = r.pointer("");
    return p.substr(0, p.size() - 1);
  }

  std::optional<Date> date(const FieldReader& r, std::string_view key, bool required) {
    auto text = r.string(key, required);
    if (!text) return std::nullopt;
    auto d = parse_iso_date(*text);
    if (!d) r.fail(key, "unreadable date \"" + *text + "\" (expected YYYY-MM-DD)");
    if (as_of_ && *d > *as_of_ && key != "as_of")
      r.warn(key, *text + " is after as_of " + format_iso_date(*as_of_) + "; ignored when evaluating");
    return d;
  }

  RecordStatus status(const FieldReader& r, std::initializer_list<RecordStatus> allowed) {
    auto s = r.string("status");
    if (!s) return RecordStatus::active;
    std::string expected;
    for (auto a : allowed) {
      if (*s == to_string(a)) return a;
      expected += std::string(expected.empty() ? "" : ", ") + to_string(a);
    }
    r.fail("status", "status must be one of " + expected + ", found \"" + *s + "\"");
  }

  CodedRef coded(const FieldReader& r) {
    CodedRef ref;
    ref.concept_id = r.string("concept").value_or("");
    ref.code = r.string("code").value_or("");
    ref.system = r.string("system").value_or("");
    if (ref.concept_id.empty() && ref.code.empty()) r.fail("", "a record needs \"concept\" or \"code\" with \"system\"");
    if (!ref.code.empty()) {
      if (ref.system.empty()) r.fail("system", "\"code\" needs its \"system\" (icd10, snomed, loinc, atc, rxnorm)");
      if (!is_known_code_system(ref.system))
        r.fail("system", "unknown code system \"" + ref.system + "\" (icd10, snomed, loinc, atc, rxnorm)");
      for (const auto* c : lexicon_.by_code(ref.system, ref.code)) ref.concepts.push_back(c->id);
    }
    if (!ref.concept_id.empty()) {
      if (!lexicon_.find(ref.concept_id)) r.warn("concept", "unknown concept \"" + ref.concept_id + "\"; record not used");
      else if (std::find(ref.concepts.begin(), ref.concepts.end(), ref.concept_id) == ref.concepts.end())
        ref.concepts.insert(ref.concepts.begin(), ref.concept_id);
    } else if (ref.concepts.empty()) {
      r.warn("code", "the lexicon maps no concept to " + ref.system + " code " + ref.code + "; record not used");
    }
    return ref;
  }

  ObservationRecord observation(const FieldReader& o) {
    o.warn_unknown_keys({"concept", "code", "system", "value", "unit", "date", "reference_high", "reference_low",
                         "interpretation", "display"});
    ObservationRecord rec;
    rec.what = coded(o);
    rec.field = pointer(o);
    rec.date = *date(o, "date", true);
    const auto& obj = o.object();
    auto v = obj.find("value");
    if (v == obj.end() || v->is_null()) o.fail("value", "required field is missing");
    if (v->is_number()) {
      rec.value = v->get<double>();
      rec.unit = o.string("unit").value_or("");
    } else if (v->is_string()) {
      std::string s = lower_copy(v->get<std::string>());
      if (s == "positive" || s == "detected") rec.qualitative = Qualitative::positive;
      else if (s == "negative" || s == "not detected") rec.qualitative = Qualitative::negative;
      else o.fail("value", "expected a number or positive / negative / detected / not detected, found \"" + v->get<std::string>() + "\"");
    } else {
      o.fail("value", "expected a number or a string, found " + json_type_name(*v));
    }
    rec.reference_high = o.number("reference_high");
    rec.reference_low = o.number("reference_low");
    if (rec.reference_high && rec.reference_low && *rec.reference_low > *rec.reference_high)
      o.fail("reference_low", "reference_low is above reference_high");
    return rec;
  }

  const std::string& file_;
  const Lexicon& lexicon_;
  Diagnostics& warnings_;
  std::optional<Date> as_of_;
};

}  // namespace

Profile load_profile(const nlohmann::json& doc, const std::string& file, const Lexicon& lexicon, Diagnostics& warnings) {
  return ProfileReader(file, lexicon, warnings).read(doc);
}

Profile load_profile_file(const std::string& path, const Lexicon& lexicon, Diagnostics& warnings) {
  return load_profile(parse_json(read_file(path), path), path, lexicon, warnings);
}

}  // namespace trialmatch
