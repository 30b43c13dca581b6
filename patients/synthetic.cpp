#include "patients/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/date.hpp"

namespace trialmatch {

namespace {

// SplitMix64: small, fast, and the same numbers on every platform.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  int between(int lo, int hi) { return lo + static_cast<int>(uniform() * (hi - lo + 1)); }
  bool chance(double p) { return uniform() < p; }
  double normal(double mean, double sd) {
    double u1 = std::max(uniform(), 1e-12), u2 = uniform();
    return mean + sd * std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

std::string num(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Built by appending: g++ 12 at -O3 warns falsely (-Wrestrict) on "x" + string.
std::string date(Date d) {
  std::string s(1, '"');
  s += format_iso_date(d);
  s += '"';
  return s;
}

}  // namespace

std::string synthetic_patient(std::uint64_t index, std::uint64_t seed, const std::string& as_of_text) {
  Rng rng{seed * 0x100000001B3ull ^ (index + 1) * 0x9E3779B97F4A7C15ull};
  for (int i = 0; i < 3; ++i) rng.next();
  Date as_of = *parse_iso_date(as_of_text);
  auto days_ago = [&](int lo, int hi) { return Date{as_of.days - rng.between(lo, hi)}; };

  double kind = rng.uniform();
  bool t1d = kind < 0.40, t2d = !t1d && kind < 0.65;
  int age = t1d ? rng.between(5, 70) : t2d ? rng.between(30, 85) : rng.between(18, 85);
  bool female = rng.chance(0.5);
  Date birth = add(as_of, -age, "years");
  birth.days -= rng.between(0, 364);

  std::string id = "SYN-" + std::to_string(seed) + "-" + std::to_string(index);
  std::string conds, obs, events, meds;
  auto add_item = [](std::string& list, const std::string& item) { list += (list.empty() ? "" : ",") + item; };

  // Diabetes and its onset: a tenth of type 1 patients are newly diagnosed.
  Date onset = as_of;
  if (t1d) {
    bool recent = rng.chance(0.1);
    onset = recent ? days_ago(5, 120) : days_ago(365, std::max(366, (age - 1) * 365));
    bool coded = rng.chance(0.3);
    add_item(conds, coded ? "{\"code\":\"E10.9\",\"system\":\"icd10\",\"onset\":" + date(onset) + "}"
                          : "{\"concept\":\"type1_diabetes\",\"onset\":" + date(onset) + ",\"status\":\"active\"}");
    if (rng.chance(0.8))
      add_item(meds, "{\"concept\":\"" + std::string(rng.chance(0.8) ? "insulin_intensive" : "insulin") +
                         "\",\"start\":" + date(onset) + ",\"status\":\"active\"}");
  } else if (t2d) {
    onset = days_ago(365, 20 * 365);
    add_item(conds, "{\"code\":\"E11.9\",\"system\":\"icd10\",\"onset\":" + date(onset) + "}");
    if (rng.chance(0.3)) add_item(meds, "{\"concept\":\"insulin\",\"start\":" + date(days_ago(30, 3000)) + ",\"status\":\"active\"}");
  }

  // HbA1c in % or mmol/mol, sometimes old, sometimes missing.
  if ((t1d || t2d) ? rng.chance(0.9) : rng.chance(0.3)) {
    double pct = std::clamp(rng.normal(t1d ? 8.2 : t2d ? 7.4 : 5.4, t1d || t2d ? 1.3 : 0.3), 4.0, 15.0);
    Date d = days_ago(1, rng.chance(0.15) ? 400 : 170);
    if (rng.chance(0.3))
      add_item(obs, "{\"concept\":\"hba1c\",\"value\":" + num((pct - 2.15) * 10.929, 0) + ",\"unit\":\"mmol/mol\",\"date\":" + date(d) + "}");
    else
      add_item(obs, "{\"code\":\"4548-4\",\"system\":\"loinc\",\"value\":" + num(pct, 1) + ",\"unit\":\"%\",\"date\":" + date(d) + "}");
  }
  // C-peptide in nmol/L, pmol/L or ng/mL; fasting, 2-hour or stimulated.
  if (t1d && rng.chance(0.6)) {
    bool recent = as_of.days - onset.days < 400;
    double nmol = std::max(0.003, rng.normal(recent ? 0.5 : 0.05, recent ? 0.25 : 0.05));
    const char* concepts[] = {"c_peptide_fasting", "c_peptide_2h", "c_peptide_stimulated"};
    const char* which = concepts[rng.between(0, 2)];
    Date d = days_ago(1, 200);
    double u = rng.uniform();
    if (u < 0.4) add_item(obs, std::string("{\"concept\":\"") + which + "\",\"value\":" + num(nmol * 1000, 0) + ",\"unit\":\"pmol/L\",\"date\":" + date(d) + "}");
    else if (u < 0.7) add_item(obs, std::string("{\"concept\":\"") + which + "\",\"value\":" + num(nmol, 3) + ",\"unit\":\"nmol/L\",\"date\":" + date(d) + "}");
    else add_item(obs, std::string("{\"concept\":\"") + which + "\",\"value\":" + num(nmol / 0.331, 2) + ",\"unit\":\"ng/mL\",\"date\":" + date(d) + "}");
  }
  // Autoantibodies: qualitative results or titres with their cut-off.
  if (t1d) {
    const char* abs[] = {"gada", "ia2a", "iaa", "znt8a"};
    for (const char* ab : abs) {
      if (!rng.chance(0.5)) continue;
      bool pos = rng.chance(0.7);
      if (rng.chance(0.5)) add_item(obs, std::string("{\"concept\":\"") + ab + "\",\"value\":\"" + (pos ? "positive" : "negative") + "\",\"date\":" + date(onset) + "}");
      else add_item(obs, std::string("{\"concept\":\"") + ab + "\",\"value\":" + num(pos ? rng.between(20, 400) : rng.between(1, 9), 0) + ",\"unit\":\"U/mL\",\"reference_high\":10,\"date\":" + date(onset) + "}");
    }
    int hypos = rng.chance(0.3) ? rng.between(1, 5) : 0;
    for (int h = 0; h < hypos; ++h) add_item(events, "{\"concept\":\"severe_hypoglycemia\",\"date\":" + date(days_ago(1, 500)) + "}");
  }
  if (rng.chance(0.4)) add_item(obs, "{\"concept\":\"tir\",\"value\":" + num(rng.between(20, 95), 0) + ",\"unit\":\"%\",\"date\":" + date(days_ago(1, 120)) + "}");
  if (rng.chance(0.8)) add_item(obs, "{\"concept\":\"bmi\",\"value\":" + num(std::clamp(rng.normal(t2d ? 31 : 25, 4.5), 13.0, 55.0), 1) + ",\"unit\":\"kg/m2\",\"date\":" + date(days_ago(1, 500)) + "}");
  if (rng.chance(0.6)) {
    double g = std::clamp(rng.normal(female ? 12.8 : 14.5, 1.6), 5.0, 19.0);
    if (rng.chance(0.3)) add_item(obs, "{\"concept\":\"hemoglobin\",\"value\":" + num(g * 10, 0) + ",\"unit\":\"g/L\",\"date\":" + date(days_ago(1, 250)) + "}");
    else add_item(obs, "{\"code\":\"718-7\",\"system\":\"loinc\",\"value\":" + num(g, 1) + ",\"unit\":\"g/dL\",\"date\":" + date(days_ago(1, 250)) + "}");
  }
  if (rng.chance(0.5)) add_item(obs, "{\"concept\":\"alt\",\"value\":" + num(std::max(5.0, rng.normal(30, 25)), 0) + ",\"unit\":\"U/L\",\"reference_high\":40,\"date\":" + date(days_ago(1, 250)) + "}");
  // Pregnancy, breastfeeding, and a few comorbidities.
  if (female && age >= 18 && age <= 45 && rng.chance(0.08))
    add_item(conds, "{\"code\":\"Z33.1\",\"system\":\"icd10\",\"onset\":" + date(days_ago(10, 250)) + "}");
  if (female && age >= 18 && age <= 45 && rng.chance(0.04)) add_item(conds, "{\"concept\":\"breastfeeding\",\"onset\":" + date(days_ago(10, 300)) + "}");
  const char* comorbid[][2] = {{"I25.10", "0.05"}, {"N18.3", "0.04"}, {"B18.1", "0.01"}, {"C50.9", "0.02"}, {"F32.9", "0.03"}, {"K85.9", "0.01"}, {"F17.210", "0.10"}};
  for (auto& c : comorbid) {
    if (!rng.chance(std::atof(c[1]))) continue;
    bool resolved = rng.chance(0.3);
    add_item(conds, std::string("{\"code\":\"") + c[0] + "\",\"system\":\"icd10\",\"onset\":" + date(days_ago(100, 4000)) +
                        ",\"status\":\"" + (resolved ? "resolved" : "active") + "\"}");
  }
  std::string out = "{\"id\":\"" + id + "\"";
  if (rng.chance(0.97)) out += ",\"birth_date\":" + date(birth);
  out += std::string(",\"sex\":\"") + (female ? "female" : "male") + "\",\"as_of\":\"" + as_of_text + "\"";
  out += ",\"conditions\":[" + conds + "],\"observations\":[" + obs + "],\"events\":[" + events + "],\"medications\":[" + meds + "]}";
  return out;
}

}  // namespace trialmatch
