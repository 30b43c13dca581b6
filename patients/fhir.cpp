#include "patients/fhir.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "engine/json_util.hpp"
#include "engine/lexicon.hpp"

namespace trialmatch {

using nlohmann::json;

std::string fhir_system(const std::string& url) {
  static const std::map<std::string, std::string> systems = {
      {"http://loinc.org", "loinc"},
      {"http://snomed.info/sct", "snomed"},
      {"http://hl7.org/fhir/sid/icd-10-cm", "icd10"},
      {"http://hl7.org/fhir/sid/icd-10", "icd10"},
      {"http://www.nlm.nih.gov/research/umls/rxnorm", "rxnorm"},
      {"http://www.whocc.no/atc", "atc"},
  };
  auto it = systems.find(url);
  return it == systems.end() ? std::string() : it->second;
}

namespace {

const json* member(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

std::string str(const json& j, const char* key) {
  auto* m = member(j, key);
  return m && m->is_string() ? m->get<std::string>() : std::string();
}

// FHIR dates may be partial ("2017", "2017-08") or dateTimes; the first day
// of a partial date stands for it.
std::optional<Date> fhir_date(const std::string& s) {
  if (s.size() == 4) return parse_iso_date(s + "-01-01");
  if (s.size() == 7) return parse_iso_date(s + "-01");
  return parse_iso_date(s, /*allow_time=*/true);
}

class BundleReader {
 public:
  BundleReader(const std::string& file, const Lexicon& lex, Diagnostics& warnings)
      : file_(file), lex_(lex), warnings_(warnings) {}

  Profile read(const json& bundle) {
    FieldReader top(bundle, file_, "", &warnings_);
    if (str(bundle, "resourceType") != "Bundle")
      top.fail("resourceType", "expected a FHIR Bundle, found \"" + str(bundle, "resourceType") + "\"");
    const json* entries = member(bundle, "entry");
    if (!entries || !entries->is_array()) top.fail("entry", "a Bundle needs an array of entries");
    Profile p;
    p.source = file_;
    // The Patient first: every other resource must point at it.
    bool found = false;
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const json* r = resource(*entries, i);
      if (r && str(*r, "resourceType") == "Patient") {
        if (found) warn(i, "", "a second Patient resource is ignored");
        else read_patient(*r, i, p);
        found = true;
      }
    }
    if (!found) top.fail("entry", "the Bundle has no Patient resource");
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const json* r = resource(*entries, i);
      if (!r) continue;
      std::string type = str(*r, "resourceType");
      if (type == "Patient") continue;
      if (!refers_to_patient(*r, i)) continue;
      if (type == "Condition") read_condition(*r, i, p);
      else if (type == "Observation") read_observation(*r, i, p);
      else if (type == "MedicationRequest" || type == "MedicationStatement") read_medication(*r, i, p, *entries);
      else if (type == "Procedure") read_procedure(*r, i, p);
      else if (type == "Encounter") read_encounter(*r, i, p);
    }
    return p;
  }

 private:
  std::string ptr(std::size_t i, const std::string& rest = "") const {
    return "/entry/" + std::to_string(i) + "/resource" + rest;
  }
  void warn(std::size_t i, const std::string& rest, const std::string& msg) {
    warnings_.push_back({Severity::warning, file_, 0, 0, ptr(i, rest), msg});
  }

  const json* resource(const json& entries, std::size_t i) {
    const json& e = entries[i];
    if (!e.is_object() || !member(e, "resource") || !e["resource"].is_object()) {
      warnings_.push_back({Severity::warning, file_, 0, 0, "/entry/" + std::to_string(i), "entry has no resource; skipped"});
      return nullptr;
    }
    return &e["resource"];
  }

  void read_patient(const json& r, std::size_t i, Profile& p) {
    p.id = str(r, "id");
    if (p.id.empty()) throw InputError({Severity::error, file_, 0, 0, ptr(i, "/id"), "the Patient has no id"});
    patient_refs_ = {"Patient/" + p.id, p.id};
    std::string birth = str(r, "birthDate");
    if (!birth.empty()) {
      p.birth_date = fhir_date(birth);
      if (!p.birth_date) throw InputError({Severity::error, file_, 0, 0, ptr(i, "/birthDate"), "unreadable date \"" + birth + "\""});
    }
    std::string g = str(r, "gender");
    p.sex = g == "female" ? Sex::female : g == "male" ? Sex::male : g == "other" ? Sex::other : Sex::unknown;
  }

  // Resources name their patient in subject (or patient); one that names
  // someone else is not this patient's and is left out, with a warning.
  bool refers_to_patient(const json& r, std::size_t i) {
    const json* s = member(r, "subject");
    if (!s) s = member(r, "patient");
    if (!s) return true;
    std::string ref = s->is_object() ? str(*s, "reference") : std::string();
    if (ref.empty()) return true;
    if (ref.rfind("urn:uuid:", 0) == 0) ref = ref.substr(9);
    if (std::find(patient_refs_.begin(), patient_refs_.end(), ref) != patient_refs_.end() || full_urls_ok(ref)) return true;
    warn(i, "/subject", "refers to " + ref + ", not the Bundle's Patient; skipped");
    return false;
  }
  bool full_urls_ok(const std::string& ref) const { return ref == patient_uuid_; }

  // All codings of a CodeableConcept, mapped through the lexicon.
  CodedRef coded(const json* cc) {
    CodedRef ref;
    if (!cc || !cc->is_object()) return ref;
    const json* codings = member(*cc, "coding");
    if (!codings || !codings->is_array()) return ref;
    for (const auto& c : *codings) {
      if (!c.is_object()) continue;
      std::string sys = fhir_system(str(c, "system")), code = str(c, "code");
      if (sys.empty() || code.empty()) continue;
      if (ref.code.empty()) {
        ref.code = code;
        ref.system = sys;
      }
      for (const auto* k : lex_.by_code(sys, code))
        if (std::find(ref.concepts.begin(), ref.concepts.end(), k->id) == ref.concepts.end()) ref.concepts.push_back(k->id);
    }
    return ref;
  }

  std::optional<Date> date_of(const json& r, std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
      const json* v = member(r, k);
      if (!v) continue;
      std::string s = v->is_string() ? v->get<std::string>() : v->is_object() ? str(*v, "start") : std::string();
      if (s.empty()) continue;
      if (auto d = fhir_date(s)) return d;
    }
    return std::nullopt;
  }

  void read_condition(const json& r, std::size_t i, Profile& p) {
    ConditionRecord c;
    c.what = coded(member(r, "code"));
    if (c.what.concepts.empty()) return;  // not a condition trialmatch knows
    c.field = ptr(i);
    std::string status;
    if (const json* cs = member(r, "clinicalStatus"); cs && cs->is_object())
      if (const json* cd = member(*cs, "coding"); cd && cd->is_array() && !cd->empty()) status = str((*cd)[0], "code");
    c.onset = date_of(r, {"onsetDateTime", "onsetPeriod", "recordedDate"});
    c.abatement = date_of(r, {"abatementDateTime", "abatementPeriod"});
    c.status = (status == "inactive" || status == "resolved" || status == "remission" || c.abatement) ? RecordStatus::resolved
                                                                                                   : RecordStatus::active;
    p.conditions.push_back(std::move(c));
  }

  // A panel (blood pressure, LOINC 85354-9) carries its values as coded
  // components, each an observation of its own on the panel's date.
  void read_components(const json& r, std::size_t i, Profile& p) {
    const json* comps = member(r, "component");
    if (!comps || !comps->is_array()) return;
    std::optional<Date> d;
    for (std::size_t k = 0; k < comps->size(); ++k) {
      const json& c = (*comps)[k];
      if (!c.is_object()) continue;
      ObservationRecord o;
      o.what = coded(member(c, "code"));
      if (o.what.concepts.empty()) continue;
      const std::string at = "/component/" + std::to_string(k);
      const json* q = member(c, "valueQuantity");
      if (!q || !q->is_object()) continue;
      const json* v = member(*q, "value");
      if (!v || !v->is_number()) {
        warn(i, at + "/valueQuantity/value", "no numeric value; skipped");
        continue;
      }
      if (!d) d = date_of(r, {"effectiveDateTime", "effectivePeriod", "issued"});
      if (!d) {
        warn(i, "/effectiveDateTime", "observation without a readable date; skipped");
        return;
      }
      o.field = ptr(i, at);
      o.date = *d;
      o.value = v->get<double>();
      o.unit = unit_of(*q);
      p.observations.push_back(std::move(o));
    }
  }

  // The UCUM code is the precise unit; the display unit is a fallback.
  std::string unit_of(const json& quantity) const {
    std::string ucum = str(quantity, "system") == "http://unitsofmeasure.org" ? str(quantity, "code") : std::string();
    return lex_.canonical_unit_spelling(ucum.empty() ? str(quantity, "unit") : ucum);
  }

  void read_observation(const json& r, std::size_t i, Profile& p) {
    read_components(r, i, p);
    ObservationRecord o;
    o.what = coded(member(r, "code"));
    if (o.what.concepts.empty()) return;
    o.field = ptr(i);
    auto d = date_of(r, {"effectiveDateTime", "effectivePeriod", "issued"});
    if (!d) {
      warn(i, "/effectiveDateTime", "observation without a readable date; skipped");
      return;
    }
    o.date = *d;
    if (const json* q = member(r, "valueQuantity"); q && q->is_object()) {
      const json* v = member(*q, "value");
      if (!v || !v->is_number()) {
        warn(i, "/valueQuantity/value", "no numeric value; skipped");
        return;
      }
      o.value = v->get<double>();
      o.unit = unit_of(*q);
    } else if (const json* n = member(r, "valueInteger")) {
      if (!n->is_number_integer()) {
        warn(i, "/valueInteger", "not an integer; skipped");
        return;
      }
      o.value = n->get<double>();  // a score (ECOG in mCODE): no unit
    } else if (const json* cc = member(r, "valueCodeableConcept"); cc && cc->is_object()) {
      o.qualitative = qualitative(*cc);
    } else if (const json* s = member(r, "valueString"); s && s->is_string()) {
      std::string v = s->get<std::string>();
      for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (v == "positive" || v == "detected") o.qualitative = Qualitative::positive;
      if (v == "negative" || v == "not detected") o.qualitative = Qualitative::negative;
    }
    if (o.qualitative == Qualitative::none && !o.value) {
      if (const json* in = member(r, "interpretation"); in && in->is_array() && !in->empty()) o.qualitative = qualitative(in->at(0));
    }
    if (o.qualitative == Qualitative::none && !o.value) return;  // e.g. a panel: nothing to compare
    if (const json* rr = member(r, "referenceRange"); rr && rr->is_array() && !rr->empty() && rr->at(0).is_object()) {
      if (const json* h = member(rr->at(0), "high"); h && h->is_object() && member(*h, "value") && (*h)["value"].is_number())
        o.reference_high = (*h)["value"].get<double>();
      if (const json* l = member(rr->at(0), "low"); l && l->is_object() && member(*l, "value") && (*l)["value"].is_number())
        o.reference_low = (*l)["value"].get<double>();
    }
    p.observations.push_back(std::move(o));
  }

  static Qualitative qualitative(const json& cc) {
    std::string text = str(cc, "text");
    std::vector<std::string> words{text};
    if (const json* cd = member(cc, "coding"); cd && cd->is_array())
      for (const auto& c : *cd)
        if (c.is_object()) {
          words.push_back(str(c, "code"));
          words.push_back(str(c, "display"));
        }
    for (auto w : words) {
      for (char& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      // SNOMED 10828004 = positive, 260385009 = negative; HL7 v3 POS / NEG.
      if (w == "positive" || w == "pos" || w == "detected" || w == "10828004") return Qualitative::positive;
      if (w == "negative" || w == "neg" || w == "not detected" || w == "260385009") return Qualitative::negative;
    }
    return Qualitative::none;
  }

  void read_medication(const json& r, std::size_t i, Profile& p, const json& entries) {
    MedicationRecord m;
    m.what = coded(member(r, "medicationCodeableConcept"));
    if (m.what.concepts.empty()) {
      // medicationReference to a Medication in the Bundle
      if (const json* ref = member(r, "medicationReference"); ref && ref->is_object()) {
        std::string target = str(*ref, "reference");
        for (const auto& e : entries) {
          if (!e.is_object() || !member(e, "resource")) continue;
          const json& res = e["resource"];
          std::string url = str(e, "fullUrl");
          if (str(res, "resourceType") == "Medication" &&
              (target == "Medication/" + str(res, "id") || (!url.empty() && target == url))) {
            m.what = coded(member(res, "code"));
            break;
          }
        }
      }
    }
    if (m.what.concepts.empty()) return;
    m.field = ptr(i);
    m.start = date_of(r, {"authoredOn", "effectiveDateTime", "effectivePeriod", "dateAsserted"});
    if (const json* ep = member(r, "effectivePeriod"); ep && ep->is_object())
      if (auto end = fhir_date(str(*ep, "end"))) m.end = end;
    std::string status = str(r, "status");
    m.status = status == "active" || status == "intended" || status == "on-hold" ? RecordStatus::active
               : status == "completed"                                          ? RecordStatus::completed
                                                                                : RecordStatus::stopped;
    p.medications.push_back(std::move(m));
  }

  // A procedure is an event (islet transplantation) or a condition in history
  // (pancreatectomy), whichever its concept is.
  void read_procedure(const json& r, std::size_t i, Profile& p) {
    CodedRef what = coded(member(r, "code"));
    if (what.concepts.empty()) return;
    auto d = date_of(r, {"performedDateTime", "performedPeriod"});
    bool event = false;
    for (const auto& id : what.concepts)
      if (const auto* c = lex_.find(id); c && c->kind == ConceptKind::event) event = true;
    if (event) {
      if (!d) {
        warn(i, "/performedDateTime", "procedure without a date; skipped");
        return;
      }
      p.events.push_back({what, *d, ptr(i)});
    } else {
      p.conditions.push_back({what, RecordStatus::history, d, std::nullopt, ptr(i)});
    }
  }

  // An encounter whose reason is an event (a severe hypoglycaemia admission).
  void read_encounter(const json& r, std::size_t i, Profile& p) {
    const json* reasons = member(r, "reasonCode");
    if (!reasons || !reasons->is_array()) return;
    auto d = date_of(r, {"period"});
    if (!d) return;
    for (const auto& rc : *reasons) {
      CodedRef what = coded(&rc);
      bool event = false;
      for (const auto& id : what.concepts)
        if (const auto* c = lex_.find(id); c && c->kind == ConceptKind::event) event = true;
      if (event) p.events.push_back({what, *d, ptr(i)});
    }
  }

  const std::string& file_;
  const Lexicon& lex_;
  Diagnostics& warnings_;
  std::vector<std::string> patient_refs_;
  std::string patient_uuid_;
};

}  // namespace

Profile load_fhir_bundle(const json& bundle, const std::string& file, const Lexicon& lexicon, Diagnostics& warnings) {
  return BundleReader(file, lexicon, warnings).read(bundle);
}

}  // namespace trialmatch
