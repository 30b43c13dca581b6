#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "cli/commands.hpp"
#include "engine/evaluate.hpp"
#include "engine/lean_evaluate.hpp"
#include "engine/lean_facts.hpp"
#include "engine/json_util.hpp"
#include "engine/report.hpp"
#include "engine/trial_compiler.hpp"
#include "engine/trial_loader.hpp"
#include "grammar/rule_parser.hpp"
#include "patients/patient_loader.hpp"

using namespace trialmatch;
using nlohmann::json;

namespace {

const Lexicon& lex() { return bundled_lexicon(); }

Profile profile(const json& j) {
  Diagnostics w;
  return load_patient(j, "p.json", lex(), w);
}

// Evaluates one rule written in the rule language.
Result eval(const std::string& rule, const Profile& p, const std::string& as_of = "2026-11-01") {
  auto parsed = grammar::parse_rule(rule);
  REQUIRE(std::holds_alternative<ast::Expr>(parsed));
  Trial t;
  t.id = "T";
  Criterion c;
  c.id = "I1";
  c.compiled.rule = std::get<ast::Expr>(parsed);
  t.criteria.push_back(c);
  auto plan = plan_trial(t, lex());
  PatientFacts facts(p, lex(), *parse_iso_date(as_of));
  return evaluate(*plan.criteria[0].root, facts, lex());
}

const json kBase = json::parse(R"({
  "id": "P", "birth_date": "2000-06-15", "sex": "female", "as_of": "2026-11-01",
  "conditions": [
    {"concept": "type1_diabetes", "onset": "2020-03-01", "status": "active"},
    {"code": "K85.9", "system": "icd10", "onset": "2021-02-01", "status": "resolved", "abatement": "2021-03-01"}
  ],
  "observations": [
    {"concept": "hba1c", "value": 64, "unit": "mmol/mol", "date": "2026-10-01"},
    {"concept": "hba1c", "value": 9.9, "unit": "%", "date": "2026-01-01"},
    {"concept": "c_peptide_stimulated", "value": 1.35, "unit": "ng/mL", "date": "2026-10-01"},
    {"concept": "hemoglobin", "value": 7.9, "unit": "mmol/L", "date": "2026-10-01"},
    {"concept": "bilirubin_total", "value": 34.2, "unit": "umol/L", "date": "2026-10-01"},
    {"concept": "alt", "value": 95, "unit": "U/L", "reference_high": 40, "date": "2026-10-01"},
    {"concept": "ast", "value": 80, "unit": "U/L", "date": "2026-10-01"},
    {"concept": "creatinine", "value": 88.4, "unit": "µmol/L", "date": "2026-10-01"},
    {"concept": "glucose", "value": 180.16, "unit": "mg/dL", "date": "2026-10-01"},
    {"concept": "weight", "value": 220, "unit": "lb", "date": "2026-10-01"},
    {"concept": "bmi", "value": 24, "unit": "stone", "date": "2026-10-01"},
    {"concept": "tir", "value": 700, "unit": "%", "date": "2026-10-01"},
    {"concept": "gada", "value": "positive", "date": "2020-03-02"},
    {"concept": "ia2a", "value": 3.0, "unit": "U/mL", "reference_high": 7.5, "date": "2020-03-02"},
    {"concept": "znt8a", "value": 12.0, "unit": "U/mL", "date": "2020-03-02"}
  ],
  "events": [
    {"concept": "severe_hypoglycemia", "date": "2025-11-01"},
    {"concept": "severe_hypoglycemia", "date": "2026-02-11"},
    {"concept": "severe_hypoglycemia", "date": "2026-09-30"},
    {"concept": "severe_hypoglycemia", "date": "2026-12-24"}
  ],
  "medications": [{"concept": "insulin_intensive", "start": "2020-03-01", "status": "active"}],
  "answers": {"T/I1": true}
})");

Truth truth_of(const std::string& rule) { return eval(rule, profile(kBase)).truth; }

}  // namespace

TEST_CASE("truth tables of and / or / not, written in the rule language", "[evaluate]") {
  // true, false and unknown (an unparsed term) in every combination.
  const std::map<std::string, Truth> v = {{"true", Truth::yes}, {"false", Truth::no}, {"unparsed(\"u\")", Truth::unknown}};
  auto kleene_and = [](Truth a, Truth b) {
    if (a == Truth::no || b == Truth::no) return Truth::no;
    if (a == Truth::unknown || b == Truth::unknown) return Truth::unknown;
    return Truth::yes;
  };
  auto kleene_or = [](Truth a, Truth b) {
    if (a == Truth::yes || b == Truth::yes) return Truth::yes;
    if (a == Truth::unknown || b == Truth::unknown) return Truth::unknown;
    return Truth::no;
  };
  // The table itself, spelled out: false and unknown = false, true or unknown = true.
  CHECK(truth_of("false and unparsed(\"u\")") == Truth::no);
  CHECK(truth_of("true and unparsed(\"u\")") == Truth::unknown);
  CHECK(truth_of("true or unparsed(\"u\")") == Truth::yes);
  CHECK(truth_of("false or unparsed(\"u\")") == Truth::unknown);
  CHECK(truth_of("not unparsed(\"u\")") == Truth::unknown);
  CHECK(truth_of("not true") == Truth::no);
  CHECK(truth_of("not false") == Truth::yes);
  for (const auto& [a, ta] : v)
    for (const auto& [b, tb] : v) {
      INFO(a << " / " << b);
      CHECK(truth_of(a + " and " + b) == kleene_and(ta, tb));
      CHECK(truth_of(a + " or " + b) == kleene_or(ta, tb));
      CHECK(truth_of("any(" + a + ", " + b + ")") == kleene_or(ta, tb));
      CHECK(truth_of("all(" + a + ", " + b + ")") == kleene_and(ta, tb));
    }
}

TEST_CASE("at_least(n, ...): n true is true, fewer than n true or unknown is false, in both evaluators",
          "[evaluate][n_of_m]") {
  const std::vector<std::string> values = {"true", "false", "unparsed(\"u\")"};
  const Profile p = profile(kBase);
  LeanFactsBuilder builder(lex());
  const LeanFacts& lean_facts = builder.from_profile(p, *parse_iso_date("2026-11-01"));
  // The table itself, spelled out.
  CHECK(truth_of("at_least(2, true, true, unparsed(\"u\"))") == Truth::yes);
  CHECK(truth_of("at_least(2, true, false, unparsed(\"u\"))") == Truth::unknown);
  CHECK(truth_of("at_least(2, false, false, unparsed(\"u\"))") == Truth::no);
  CHECK(truth_of("at_least(2, true, false, false)") == Truth::no);
  for (const auto& a : values)
    for (const auto& b : values)
      for (const auto& c : values) {
        const std::string rule = "at_least(2, " + a + ", " + b + ", " + c + ")";
        INFO(rule);
        int yes = (a == "true") + (b == "true") + (c == "true"), unknown = (a[0] == 'u') + (b[0] == 'u') + (c[0] == 'u');
        const Truth want = yes >= 2 ? Truth::yes : yes + unknown < 2 ? Truth::no : Truth::unknown;
        CHECK(truth_of(rule) == want);
        Trial t;
        t.id = "T";
        Criterion cr;
        cr.id = "I1";
        cr.compiled.rule = std::get<ast::Expr>(grammar::parse_rule(rule));
        t.criteria.push_back(cr);
        const TrialPlan plan = plan_trial(t, lex());
        CHECK(evaluate_lean(plan.lean, static_cast<std::uint32_t>(plan.lean.roots[0].op), lean_facts).truth == want);
      }
  // Its reason says how many hold.
  CHECK(eval("at_least(2, hba1c >= 7 %, tir > 50 %, egfr > 60 mL/min/1.73m2)", p).why.rfind("1 of 3 hold, 2 needed", 0) == 0);
}

TEST_CASE("unknowns carry their reason, a person's check dominates", "[evaluate]") {
  auto p = profile(kBase);
  CHECK(eval("unparsed(\"x\")", p).reason == Unknown::unparsed);
  CHECK(eval("manual(consent)", p).reason == Unknown::manual);
  CHECK(eval("egfr >= 60 mL/min/1.73m2", p).reason == Unknown::missing_data);
  CHECK(eval("bmi < 30 kg/m2", p).reason == Unknown::unit_mismatch);
  // Missing data and a manual check: whoever confirms sees both.
  auto both = eval("egfr >= 60 mL/min/1.73m2 and manual(judgement)", p);
  CHECK(both.truth == Truth::unknown);
  CHECK(both.reason == Unknown::manual);
  REQUIRE(both.needs.size() == 2);
}

TEST_CASE("every unit conversion, against values computed by hand", "[evaluate][units]") {
  // 64 mmol/mol = 64 / 10.929 + 2.15 = 8.0059 %
  CHECK(truth_of("hba1c >= 8 %") == Truth::yes);
  CHECK(truth_of("hba1c >= 8.01 %") == Truth::no);
  CHECK(truth_of("hba1c >= 64 mmol/mol") == Truth::yes);  // the threshold converts too
  // 1.35 ng/mL x 0.331 = 0.44685 nmol/L
  CHECK(truth_of("c_peptide_stimulated >= 0.446 nmol/L") == Truth::yes);
  CHECK(truth_of("c_peptide_stimulated >= 0.447 nmol/L") == Truth::no);
  CHECK(truth_of("c_peptide_stimulated >= 446 pmol/L") == Truth::yes);
  CHECK(truth_of("c_peptide >= 0.4 nmol/L") == Truth::yes);  // a stimulated value is a C-peptide value
  // 7.9 mmol/L x 1.611 = 12.727 g/dL; 127.27 g/L
  CHECK(truth_of("hemoglobin > 12.72 g/dL") == Truth::yes);
  CHECK(truth_of("hemoglobin > 12.73 g/dL") == Truth::no);
  CHECK(truth_of("hemoglobin < 128 g/L") == Truth::yes);
  // 34.2 umol/L / 17.1 = 2.0 mg/dL
  CHECK(truth_of("bilirubin_total >= 2 mg/dL") == Truth::yes);
  CHECK(truth_of("bilirubin_total > 2 mg/dL") == Truth::no);
  // 88.4 umol/L / 88.4 = 1.0 mg/dL
  CHECK(truth_of("creatinine = 1 mg/dL") == Truth::yes);
  // 180.16 mg/dL / 18.016 = 10.0 mmol/L
  CHECK(truth_of("glucose = 10 mmol/L") == Truth::yes);
  // 220 lb x 0.45359237 = 99.79 kg
  CHECK(truth_of("weight > 99.7 kg") == Truth::yes);
  CHECK(truth_of("weight > 99.8 kg") == Truth::no);
  // ALT 95 U/L; 1 ukat/L = 60 U/L
  CHECK(truth_of("alt > 1.5 µkat/L") == Truth::yes);  // 90 U/L
  CHECK(truth_of("alt > 1.6 µkat/L") == Truth::no);   // 96 U/L
}

TEST_CASE("x ULN uses the observation's reference range, else the lexicon's default, and says which", "[evaluate]") {
  auto p = profile(kBase);
  auto alt = eval("alt >= 2 xULN", p);  // 95 >= 2 x 40
  CHECK(alt.truth == Truth::yes);
  REQUIRE(alt.evidence.size() == 1);
  CHECK_THAT(alt.evidence[0].note, Catch::Contains("from the observation's reference range"));
  auto ast = eval("ast >= 2 xULN", p);  // 80 < 2 x 38 = 76? no: 80 >= 76
  CHECK(ast.truth == Truth::yes);
  CHECK_THAT(ast.evidence[0].note, Catch::Contains("the lexicon's default"));
  CHECK(eval("ast >= 2.2 xULN", p).truth == Truth::no);  // 2.2 x 38 = 83.6
}

TEST_CASE("implausible values and stale values are unknown, never used", "[evaluate]") {
  auto p = profile(kBase);
  auto tir = eval("tir >= 70 %", p);
  CHECK(tir.truth == Truth::unknown);
  CHECK(tir.reason == Unknown::missing_data);
  CHECK_THAT(tir.evidence[0].note, Catch::Contains("implausible"));
  // The newest HbA1c is used; as of 2027-05-01 it is older than the 6-month look-back.
  CHECK(eval("hba1c < 9 %", p).truth == Truth::yes);
  auto stale = eval("hba1c < 9 %", p, "2027-05-01");
  CHECK(stale.truth == Truth::unknown);
  CHECK_THAT(stale.why, Catch::Contains("within 6 months"));
  // Facts after the as-of date do not exist yet: as of 2026-05-01 the 9.9 % counts.
  CHECK(eval("hba1c > 9.5 %", p, "2026-05-01").truth == Truth::yes);
  // So is a threshold no value could reach (a unit or a reading gone wrong:
  // "HbA1c > 90 %", "bmi >= 1 kg/m2"): never decided against the patient.
  auto wrong = eval("hba1c > 90 %", p);
  CHECK(wrong.truth == Truth::unknown);
  CHECK(wrong.reason == Unknown::unit_mismatch);
  CHECK_THAT(wrong.why, Catch::Contains("outside what is plausible"));
  CHECK(eval("not hba1c > 90 %", p).truth == Truth::unknown);
}

TEST_CASE("autoantibodies: results, titres against cut-offs, counts", "[evaluate]") {
  auto p = profile(kBase);
  CHECK(truth_of("positive(gada)") == Truth::yes);
  CHECK(truth_of("negative(ia2a)") == Truth::yes);  // 3.0 below its cut-off 7.5
  CHECK(eval("positive(znt8a)", p).reason == Unknown::missing_data);  // titre without a cut-off
  CHECK(truth_of("count(positive(gada, ia2a)) >= 1") == Truth::yes);
  CHECK(truth_of("count(positive(gada, ia2a)) >= 2") == Truth::no);
  // One positive, one unknown: two or more might hold.
  CHECK(truth_of("count(positive(gada, znt8a)) >= 2") == Truth::unknown);
  CHECK(truth_of("count(positive(gada, znt8a, iaa)) >= 1") == Truth::yes);
}

TEST_CASE("events counted in windows back from the as-of date", "[evaluate]") {
  // 2025-11-01 is exactly 12 months back: the window is (as_of - 12 months, as_of].
  CHECK(truth_of("count(severe_hypoglycemia within 12 months) >= 2") == Truth::yes);
  CHECK(truth_of("count(severe_hypoglycemia within 12 months) >= 3") == Truth::no);
  CHECK(truth_of("count(severe_hypoglycemia within 3 months) >= 1") == Truth::yes);  // 2026-09-30
  CHECK(truth_of("count(severe_hypoglycemia) >= 3") == Truth::yes);  // 2026-12-24 is after as-of
  CHECK(truth_of("count(severe_hypoglycemia) >= 4") == Truth::no);
  CHECK(truth_of("trial_participation within 3 months") == Truth::no);  // closed world
}

TEST_CASE("durations, recency, history and the closed world", "[evaluate]") {
  auto p = profile(kBase);
  CHECK(truth_of("duration(type1_diabetes) >= 6 years") == Truth::yes);  // since 2020-03-01
  CHECK(truth_of("duration(type1_diabetes) >= 7 years") == Truth::no);
  CHECK(truth_of("duration(type1_diabetes) <= 100 days") == Truth::no);
  CHECK(truth_of("duration(insulin_intensive) >= 6 years") == Truth::yes);
  CHECK(truth_of("since(acute_pancreatitis) < 6 years") == Truth::yes);  // abated 2021-03-01
  CHECK(truth_of("since(acute_pancreatitis) < 5 years") == Truth::no);
  // "History of X" matches active and resolved X; plain X matches active X.
  CHECK(truth_of("history(acute_pancreatitis)") == Truth::yes);
  CHECK(truth_of("acute_pancreatitis") == Truth::no);
  CHECK(truth_of("diabetes") == Truth::yes);  // type 1 diabetes is diabetes
  CHECK(truth_of("type2_diabetes") == Truth::no);
  auto none = eval("pregnancy", p);
  CHECK(none.truth == Truth::no);
  CHECK(none.why == "no record of pregnancy");
  CHECK(truth_of("insulin") == Truth::yes);  // intensive insulin is insulin
  CHECK(truth_of("healthy_volunteer") == Truth::no);
}

TEST_CASE("age in completed years, and sex", "[evaluate]") {
  auto p = profile(kBase);  // born 2000-06-15
  CHECK(eval("age >= 26 years", p, "2026-06-15").truth == Truth::yes);
  CHECK(eval("age >= 26 years", p, "2026-06-14").truth == Truth::no);
  CHECK(eval("age < 312 months", p, "2026-06-15").truth == Truth::no);  // 312 completed months
  CHECK(eval("age < 313 months", p, "2026-06-15").truth == Truth::yes);
  CHECK(truth_of("sex = female") == Truth::yes);
  CHECK(truth_of("sex = male") == Truth::no);
  json no_birth = kBase;
  no_birth.erase("birth_date");
  CHECK(eval("age >= 18 years", profile(no_birth)).reason == Unknown::missing_data);
  no_birth["age"] = 17.9;
  CHECK(eval("age >= 18 years", profile(no_birth)).truth == Truth::no);
}

TEST_CASE("the as-of date: the command line, then the profile, then today", "[evaluate]") {
  auto p = profile(kBase);
  CHECK(format_iso_date(resolve_as_of(parse_iso_date("2025-01-01"), p)) == "2025-01-01");
  CHECK(format_iso_date(resolve_as_of(std::nullopt, p)) == "2026-11-01");
  json no_as_of = kBase;
  no_as_of.erase("as_of");
  CHECK(resolve_as_of(std::nullopt, profile(no_as_of)) == today_utc());
}

namespace {
std::map<std::string, std::string> verdicts(const std::string& example) {
  Diagnostics w;
  std::string path = std::string(TRIALMATCH_SOURCE_DIR) + "/patients/examples/" + example;
  Profile p = load_patient_file(path, lex(), w);
  static auto trials = [] {
    auto t = bundled_trials();
    compile_trials(t, lex());
    return t;
  }();
  PatientFacts facts(p, lex(), resolve_as_of(parse_iso_date("2026-11-01"), p));
  std::map<std::string, std::string> out;
  for (const auto& t : trials) out[t.id] = to_string(evaluate_trial(plan_trial(t, lex()), facts, lex()).verdict);
  return out;
}
}  // namespace

TEST_CASE("the example patients get the verdicts the semantics imply", "[evaluate][examples]") {
  // Worked out by hand from the criteria (p01-p03 are shared/spec/examples).
  const std::string I = "2025-521304-21-00", R = "IRCT20171021036903N2", A = "NCT06196996", B = "NCT06708780",
                    C = "NCT06751199";
  using V = std::map<std::string, std::string>;
  CHECK(verdicts("p01-brittle-adult.json") ==
        V{{A, "eligible"}, {C, "eligible"}, {B, "eligible"}, {I, "ineligible"}, {R, "ineligible"}});
  CHECK(verdicts("p02-brittle-adult-tir.json") ==
        V{{A, "eligible"}, {C, "undetermined"}, {B, "eligible"}, {I, "ineligible"}, {R, "ineligible"}});
  CHECK(verdicts("p03-new-onset-teen.json") ==
        V{{R, "eligible"}, {I, "undetermined"}, {B, "undetermined"}, {A, "ineligible"}, {C, "ineligible"}});
  // New onset (61 days), stimulated C-peptide 1.35 ng/mL = 0.447 nmol/L, GADA positive, no fasting C-peptide.
  CHECK(verdicts("p04-new-onset-adult.json") ==
        V{{I, "eligible"}, {B, "eligible"}, {C, "undetermined"}, {A, "ineligible"}, {R, "ineligible"}});
  // Pregnant: excluded wherever pregnancy excludes.
  CHECK(verdicts("p05-pregnant.json") ==
        V{{A, "ineligible"}, {B, "ineligible"}, {C, "ineligible"}, {I, "ineligible"}, {R, "ineligible"}});
  // Latest HbA1c 11 months old: no value within the 6-month look-back.
  CHECK(verdicts("p07-no-recent-labs.json") ==
        V{{A, "undetermined"}, {B, "eligible"}, {C, "undetermined"}, {I, "ineligible"}, {R, "ineligible"}});
  // Juvenile, type 1 diabetes with no onset date.
  CHECK(verdicts("p08-child-no-onset.json") ==
        V{{R, "undetermined"}, {I, "undetermined"}, {B, "undetermined"}, {A, "ineligible"}, {C, "ineligible"}});
  CHECK(verdicts("p08-child-no-onset.fhir.json") == verdicts("p08-child-no-onset.json"));
}

TEST_CASE("a profile and its FHIR twin give identical match --format json", "[evaluate][fhir]") {
  auto run = [](const std::string& file) {
    std::ostringstream out, err;
    std::string path = std::string(TRIALMATCH_SOURCE_DIR) + "/patients/examples/" + file;
    CHECK(cli::run({"match", path, "--as-of", "2026-11-01", "--format", "json"}, out, err) == 0);
    return out.str();
  };
  std::string plain = run("p08-child-no-onset.json");
  CHECK(plain.size() > 1000);
  CHECK(plain == run("p08-child-no-onset.fhir.json"));
}

TEST_CASE("manual answers in the profile decide manual criteria", "[evaluate]") {
  Trial t;
  t.id = "T";
  Criterion c;
  c.id = "I1";
  c.compiled.rule = std::get<ast::Expr>(grammar::parse_rule("manual(consent)"));
  c.compiled.status = grammar::Status::manual;
  t.criteria.push_back(c);
  auto p = profile(kBase);
  PatientFacts facts(p, lex(), *p.as_of);
  auto r = evaluate_trial(plan_trial(t, lex()), facts, lex());
  CHECK(r.criteria[0].outcome == Outcome::met);
  CHECK(r.criteria[0].answered);
  CHECK(r.verdict == Verdict::eligible);
  json unanswered = kBase;
  unanswered.erase("answers");
  auto q = profile(unanswered);
  PatientFacts f2(q, lex(), *q.as_of);
  auto r2 = evaluate_trial(plan_trial(t, lex()), f2, lex());
  CHECK(r2.criteria[0].outcome == Outcome::unknown);
  CHECK(r2.verdict == Verdict::eligible);  // manual criteria are listed, they do not block
}

TEST_CASE("ranking: eligible, undetermined, ineligible, then score, then id", "[evaluate]") {
  Trial a, b, c, d;
  a.id = "B";
  b.id = "A";
  c.id = "C";
  d.id = "D";
  std::vector<TrialResult> rs(4);
  rs[0] = {&a, Verdict::ineligible, 0.9, {}, {}, {}};
  rs[1] = {&b, Verdict::eligible, 0.5, {}, {}, {}};
  rs[2] = {&c, Verdict::eligible, 0.9, {}, {}, {}};
  rs[3] = {&d, Verdict::undetermined, 1.0, {}, {}, {}};
  rank(rs);
  CHECK(rs[0].trial->id == "C");
  CHECK(rs[1].trial->id == "A");
  CHECK(rs[2].trial->id == "D");
  CHECK(rs[3].trial->id == "B");
}

TEST_CASE("a panel's components are observations, a bad one is skipped with a warning, its sibling kept", "[evaluate][fhir]") {
  Diagnostics w;
  Profile p = load_patient_file(std::string(TRIALMATCH_SOURCE_DIR) + "/tests/bad_input/fhir-bp-component.json", lex(), w);
  REQUIRE(w.size() == 1);
  CHECK(w[0].field == "/entry/1/resource/component/1/valueQuantity/value");
  CHECK(eval("systolic_bp >= 150 mmHg", p).truth == Truth::yes);
  CHECK(eval("systolic_bp > 150 mmHg", p).truth == Truth::no);
  CHECK(eval("diastolic_bp < 90 mmHg", p).truth == Truth::unknown);
}

TEST_CASE("a score needs no unit: ECOG as a bare number, or as FHIR valueInteger (mCODE)", "[evaluate][fhir]") {
  Profile p = profile(json::parse(R"({"id": "S", "birth_date": "1970-01-01", "as_of": "2026-11-01", "observations": [
    {"concept": "ecog", "value": 1, "date": "2026-10-01"},
    {"code": "89243-0", "system": "loinc", "value": 70, "unit": "%", "date": "2026-10-01"},
    {"concept": "hba1c", "value": 7, "date": "2026-10-01"}]})"));
  CHECK(eval("ecog = 1 {score}", p).truth == Truth::yes);
  CHECK(eval("ecog = 0 {score} or ecog = 2 {score}", p).truth == Truth::no);
  CHECK(eval("ecog <= 1 {score}", p).why == "ecog 1 {score} (2026-10-01) is <= 1 {score}");
  CHECK(eval("ecog = 1 {score}", p).why == "ecog 1 {score} (2026-10-01) is 1 {score}");
  CHECK(eval("karnofsky >= 70 %", p).truth == Truth::yes);
  // A measure with a unit of its own still needs it written.
  CHECK(eval("hba1c < 8 %", p).reason == Unknown::unit_mismatch);

  Diagnostics w;
  Profile f = load_patient(json::parse(R"({"resourceType": "Bundle", "type": "collection", "entry": [
    {"resource": {"resourceType": "Patient", "id": "F", "birthDate": "1970-01-01"}},
    {"resource": {"resourceType": "Observation", "status": "final",
      "code": {"coding": [{"system": "http://loinc.org", "code": "89247-1"}]},
      "effectiveDateTime": "2026-10-01", "valueInteger": 2}}]})"), "f.json", lex(), w);
  CHECK(w.empty());
  CHECK(eval("ecog = 2 {score}", f).truth == Truth::yes);
  CHECK(eval("ecog <= 1 {score}", f).truth == Truth::no);
}

TEST_CASE("every Synthea bundle loads and evaluates, facts picked by hand", "[evaluate][fhir][datasets]") {
  std::string dir = std::string(TRIALMATCH_DATASETS_DIR) + "/synthea_smart_r4/bundles";
  if (!std::filesystem::exists(dir)) return;
  auto trials = bundled_trials();
  compile_trials(trials, lex());
  std::vector<TrialPlan> plans;
  for (const auto& t : trials) plans.push_back(plan_trial(t, lex()));
  int bundles = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    Diagnostics w;
    Profile p = load_patient_file(e.path().string(), lex(), w);
    PatientFacts f(p, lex(), *parse_iso_date("2021-04-01"));
    for (const auto& plan : plans) CHECK(evaluate_trial(plan, f, lex()).criteria.size() == plan.criteria.size());
    ++bundles;
  }
  CHECK(bundles == 57);
  // Almeda Conn: female, born 1942-09-05, type 2 diabetes (SNOMED 44054006)
  // since 1988-09-24, last HbA1c 5.64 % on 2000-07-29 (read off the bundle).
  Diagnostics w;
  Profile p = load_patient_file(dir + "/Almeda_Conn_67e13ece-8aed-46fa-ab6c-673137d5460e.json", lex(), w);
  CHECK(p.sex == Sex::female);
  CHECK(format_iso_date(*p.birth_date) == "1942-09-05");
  CHECK(eval("type2_diabetes", p, "2000-12-31").truth == Truth::yes);
  CHECK(eval("type1_diabetes", p, "2000-12-31").truth == Truth::no);
  CHECK(eval("duration(type2_diabetes) >= 12 years", p, "2000-12-31").truth == Truth::yes);
  CHECK(eval("duration(type2_diabetes) >= 13 years", p, "2000-12-31").truth == Truth::no);
  CHECK(eval("hba1c < 5.65 %", p, "2000-12-31").truth == Truth::yes);
  CHECK(eval("hba1c < 5.64 %", p, "2000-12-31").truth == Truth::no);
  CHECK(eval("age = 58 years", p, "2000-12-31").truth == Truth::yes);
  // Blood pressure comes as the components of a panel (LOINC 55284-4): last
  // 171.82 / 109.38 mm[Hg] on 2000-07-29.
  CHECK(eval("systolic_bp > 171.8 mmHg", p, "2000-12-31").truth == Truth::yes);
  CHECK(eval("systolic_bp > 171.9 mmHg", p, "2000-12-31").truth == Truth::no);
  CHECK(eval("diastolic_bp < 109.4 mmHg", p, "2000-12-31").truth == Truth::yes);
  CHECK(eval("diastolic_bp < 109.3 mmHg", p, "2000-12-31").truth == Truth::no);
  // Beyond the twelve-month look-back nothing is known.
  CHECK(eval("systolic_bp > 100 mmHg", p, "2001-08-01").truth == Truth::unknown);
  // Blood counts in 10*3/uL (= 10^9/L): Abdul Koepp's platelets 296.66 and
  // leukocytes 8.78 on 2017-11-17, compared in the unit a criterion writes.
  Profile k = load_patient_file(dir + "/Abdul_Koepp_e925b0f3-8006-43f6-aa31-94bd215e55e7.json", lex(), w);
  CHECK(eval("platelets > 296.6 x10^9/L", k, "2017-12-31").truth == Truth::yes);
  CHECK(eval("platelets > 296.7 x10^9/L", k, "2017-12-31").truth == Truth::no);
  CHECK(eval("platelets >= 100000 /uL", k, "2017-12-31").truth == Truth::yes);
  CHECK(eval("platelets < 296000 /uL", k, "2017-12-31").truth == Truth::no);
  CHECK(eval("wbc < 8.79 x10^9/L", k, "2017-12-31").truth == Truth::yes);
  CHECK(eval("wbc < 8780 /uL", k, "2017-12-31").truth == Truth::no);
  // Lipids on 2018-11-23: total 173.81, LDL 84.99, HDL 60.97, triglycerides
  // 139.29 mg/dL; in mmol/L by the cited factors (38.67, 88.57).
  CHECK(eval("cholesterol_total < 173.82 mg/dL", k, "2018-12-31").truth == Truth::yes);
  CHECK(eval("cholesterol_total < 173.8 mg/dL", k, "2018-12-31").truth == Truth::no);
  CHECK(eval("ldl_cholesterol < 2.2 mmol/L", k, "2018-12-31").truth == Truth::yes);   // 84.99 / 38.67 = 2.198
  CHECK(eval("ldl_cholesterol < 2.19 mmol/L", k, "2018-12-31").truth == Truth::no);
  CHECK(eval("hdl_cholesterol > 60 mg/dL", k, "2018-12-31").truth == Truth::yes);
  CHECK(eval("triglycerides > 1.57 mmol/L", k, "2018-12-31").truth == Truth::yes);    // 139.29 / 88.57 = 1.573
  CHECK(eval("triglycerides > 1.58 mmol/L", k, "2018-12-31").truth == Truth::no);
  // Josue Sipes on 2021-03-13: albumin 5.2896 g/dL (52.896 g/L), alkaline
  // phosphatase 113.298 U/L, against the cited default ULN of 96 U/L (1.1802 x ULN).
  Profile j = load_patient_file(dir + "/Josue_Sipes_7d27f180-98d6-456d-98c0-d91df32cd023.json", lex(), w);
  CHECK(eval("albumin > 52.8 g/L", j, "2021-04-01").truth == Truth::yes);
  CHECK(eval("albumin > 52.9 g/L", j, "2021-04-01").truth == Truth::no);
  CHECK(eval("alkaline_phosphatase > 1.18 xULN", j, "2021-04-01").truth == Truth::yes);
  CHECK(eval("alkaline_phosphatase > 1.19 xULN", j, "2021-04-01").truth == Truth::no);
  // Electrolytes in the units criteria write: 1 mEq/L of potassium is 1 mmol/L,
  // 1 mmol/L of calcium 4.008 mg/dL (cited).
  Profile e = profile(json::parse(R"({"id": "E", "as_of": "2026-11-01", "observations": [
    {"concept": "potassium", "value": 3.4, "unit": "mEq/L", "date": "2026-10-01"},
    {"concept": "calcium", "value": 2.5, "unit": "mmol/L", "date": "2026-10-01"}]})"));
  CHECK(eval("potassium < 3.5 mmol/L", e).truth == Truth::yes);
  CHECK(eval("calcium > 10.01 mg/dL", e).truth == Truth::yes);  // 2.5 x 4.008 = 10.02
  CHECK(eval("calcium > 10.03 mg/dL", e).truth == Truth::no);
  // His stroke (SNOMED 230690007) began on 2019-01-26.
  CHECK(eval("history(stroke)", j, "2021-04-01").truth == Truth::yes);
  CHECK(eval("history(stroke) within 3 years", j, "2021-04-01").truth == Truth::yes);
  CHECK(eval("history(stroke) within 2 years", j, "2021-04-01").truth == Truth::no);
  CHECK(eval("history(myocardial_infarction)", j, "2021-04-01").truth == Truth::no);
  // Tarsha Stokes: a myocardial infarction (22298006) and a percutaneous
  // coronary intervention (a Procedure, 415070008) on 2017-01-13.
  Profile t = load_patient_file(dir + "/Tarsha_Stokes_fd04234a-e56d-4362-88a5-bbaa47addb6b.json", lex(), w);
  CHECK(eval("history(myocardial_infarction) within 6 months", t, "2017-06-01").truth == Truth::yes);
  CHECK(eval("history(coronary_revascularization) within 6 months", t, "2017-06-01").truth == Truth::yes);
  CHECK(eval("history(coronary_revascularization) within 6 months", t, "2017-08-01").truth == Truth::no);
  // Heart disease includes a myocardial infarction, whatever code names it.
  CHECK(eval("heart_disease", t, "2017-06-01").truth == Truth::yes);
  // Parker Casper: chronic congestive heart failure (SNOMED 88805009) since 2020-08-02.
  Profile c = load_patient_file(dir + "/Parker_Casper_6d0c6969-6843-47e1-9921-d9bf11b1df31.json", lex(), w);
  CHECK(eval("heart_failure", c, "2021-01-01").truth == Truth::yes);
  CHECK(eval("heart_disease", c, "2021-01-01").truth == Truth::yes);
  CHECK(eval("heart_failure", c, "2020-07-01").truth == Truth::no);
}
