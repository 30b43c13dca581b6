#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "engine/json_util.hpp"
#include "engine/lexicon.hpp"
#include "grammar/criteria_compiler.hpp"

using namespace trialmatch;

TEST_CASE("the bundled lexicon holds every canonical id of vocabulary.md", "[lexicon]") {
  const Lexicon& lex = bundled_lexicon();
  // The fixed ids of shared/spec/vocabulary.md: acceptance checks use them.
  for (std::string id :
       {"age", "hba1c", "c_peptide", "c_peptide_fasting", "c_peptide_2h", "c_peptide_stimulated", "glucose",
        "glucose_fasting", "tir", "hemoglobin", "bmi", "bilirubin_total", "alt", "ast", "creatinine", "egfr",
        "insulin_dose", "weight", "gada", "ia2a", "iaa", "ica", "znt8a", "islet_autoantibodies", "type1_diabetes",
        "type2_diabetes", "diabetes", "gestational_diabetes", "monogenic_diabetes", "secondary_diabetes",
        "diabetic_ketoacidosis", "acute_pancreatitis", "chronic_pancreatitis", "pancreatectomy", "neoplasm",
        "malignancy", "hiv", "viral_hepatitis", "tuberculosis", "syphilis", "pulmonary_embolism", "thrombosis",
        "heart_disease", "liver_disease", "kidney_disease", "respiratory_disease", "neurological_disease",
        "mental_illness", "alcohol_abuse", "drug_abuse", "smoking", "cushing_syndrome", "thyroid_dysfunction",
        "acromegaly", "autoimmune_disease", "hematological_disorder", "anemia", "severe_allergy",
        "diabetic_retinopathy", "retinal_hemorrhage", "diabetic_foot", "hyperuricemia", "infection_uncontrolled",
        "pregnancy", "breastfeeding", "pregnancy_planned", "severe_hypoglycemia", "trial_participation",
        "islet_transplant", "insulin", "insulin_intensive", "immunosuppressant", "glucocorticoid_systemic", "sex",
        "healthy_volunteer"}) {
    INFO(id);
    CHECK(lex.find(id) != nullptr);
  }
}

TEST_CASE("canonical units, look-backs and cited conversions", "[lexicon]") {
  const Lexicon& lex = bundled_lexicon();
  CHECK(lex.find("c_peptide_fasting")->unit == "nmol/L");
  CHECK(lex.find("hba1c")->lookback->str() == "6 months");
  CHECK(lex.find("glucose")->lookback->str() == "3 months");
  CHECK(lex.find("gada")->lookback->any);
  for (const auto& c : lex.concepts())
    for (const auto& u : c.conversions) {
      INFO(c.id << " " << u.unit);
      CHECK(lex.sources().count(u.source) == 1);
    }
  auto conv = [&](std::string id, std::string unit) {
    for (const auto& u : lex.find(id)->conversions)
      if (u.unit == unit) return u;
    FAIL("no conversion " << id << " " << unit);
    throw;
  };
  // Values computed by hand from vocabulary.md's formulas.
  CHECK(conv("hba1c", "mmol/mol").to_canonical(64) == Approx(64 / 10.929 + 2.15));  // 8.006 %
  CHECK(conv("hba1c", "mmol/mol").to_canonical(53) == Approx(7.0). epsilon(0.001));
  CHECK(conv("c_peptide", "pmol/L").to_canonical(300) == Approx(0.3));
  CHECK(conv("c_peptide", "ng/mL").to_canonical(1.0) == Approx(0.331));
  CHECK(conv("glucose", "mg/dL").to_canonical(180.16) == Approx(10.0).epsilon(0.0001));
  CHECK(conv("hemoglobin", "g/L").to_canonical(128) == Approx(12.8));
  CHECK(conv("bilirubin_total", "µmol/L").to_canonical(34.2) == Approx(2.0));
  CHECK(conv("alt", "µkat/L").to_canonical(1) == Approx(60));
  CHECK(lex.canonical_unit_spelling("umol/L") == "µmol/L");
}

TEST_CASE("codes map through the lexicon", "[lexicon]") {
  const Lexicon& lex = bundled_lexicon();
  auto ids = [&](std::string sys, std::string code) {
    std::vector<std::string> out;
    for (auto* c : lex.by_code(sys, code)) out.push_back(c->id);
    return out;
  };
  CHECK(ids("icd10", "E10.65") == std::vector<std::string>{"type1_diabetes", "diabetes"});
  CHECK(ids("icd10", "E10.10") == std::vector<std::string>{"diabetic_ketoacidosis", "type1_diabetes", "diabetes"});
  CHECK(ids("icd10", "O24.41") == std::vector<std::string>{"gestational_diabetes", "pregnancy"});
  CHECK(ids("icd10", "O9A.1") == std::vector<std::string>{"pregnancy"});
  CHECK(ids("icd10", "E1065") == std::vector<std::string>{"type1_diabetes", "diabetes"});  // dotless, as in claims files
  CHECK(ids("icd10", "E11") == std::vector<std::string>{"type2_diabetes", "diabetes"});
  CHECK(ids("icd10", "E101") == std::vector<std::string>{"diabetic_ketoacidosis", "type1_diabetes", "diabetes"});
  CHECK(ids("snomed", "46635009") == std::vector<std::string>{"type1_diabetes"});
  CHECK(ids("loinc", "4548-4") == std::vector<std::string>{"hba1c"});
  CHECK(ids("atc", "L04AA06") == std::vector<std::string>{"immunosuppressant"});
  // Hypertension as Synthea codes it, and by ICD-10 (where heart disease's range holds it too).
  CHECK(ids("snomed", "38341003") == std::vector<std::string>{"hypertension"});
  auto i10 = ids("icd10", "I10");
  CHECK(std::find(i10.begin(), i10.end(), "hypertension") != i10.end());
  CHECK(std::find(i10.begin(), i10.end(), "heart_disease") != i10.end());
}

TEST_CASE("a bad lexicon file names the field", "[lexicon][errors]") {
  Lexicon lex;
  auto doc = nlohmann::json::parse(R"({"trialmatch_lexicon": 1, "concepts": [{"id": "x", "kind": "measure"}]})");
  try {
    lex.add_document(doc, "lex.json");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.diagnostic().str() == "lex.json: error: /concepts/0/unit: a measure needs its canonical unit");
  }
  auto bad_src = nlohmann::json::parse(
      R"({"trialmatch_lexicon": 1, "concepts": [{"id": "w", "kind": "measure", "unit": "kg", "conversions": [{"unit": "lb", "factor": 0.45, "source": "nowhere"}]}]})");
  Lexicon l2;
  l2.add_document(bad_src, "lex.json");
  CHECK_THROWS_WITH(l2.validate("lex.json"), Catch::Contains("cites unknown source \"nowhere\""));
  // A state only one sex can be in names that sex, and its source.
  Lexicon l3;
  CHECK_THROWS_WITH(l3.add_document(nlohmann::json::parse(
                        R"({"trialmatch_lexicon": 1, "concepts": [{"id": "p", "kind": "state", "sex": "women", "sex_source": "s"}]})"),
                                    "lex.json"),
                    Catch::Contains("/concepts/0/sex: expected \"female\" or \"male\""));
  Lexicon l4;
  CHECK_THROWS_WITH(l4.add_document(nlohmann::json::parse(
                        R"({"trialmatch_lexicon": 1, "concepts": [{"id": "p", "kind": "state", "sex": "female"}]})"),
                                    "lex.json"),
                    Catch::Contains("/concepts/0/sex_source"));
  Lexicon l5;
  l5.add_document(nlohmann::json::parse(
                      R"({"trialmatch_lexicon": 1, "concepts": [{"id": "p", "kind": "state", "sex": "female", "sex_source": "nowhere"}]})"),
                  "lex.json");
  CHECK_THROWS_WITH(l5.validate("lex.json"), Catch::Contains("cites unknown source \"nowhere\""));
  // Codes from elsewhere than the concept's source name theirs.
  Lexicon l6;
  l6.add_document(nlohmann::json::parse(
                      R"({"trialmatch_lexicon": 1, "concepts": [{"id": "m", "kind": "medication", "codes_source": "nowhere"}]})"),
                  "lex.json");
  CHECK_THROWS_WITH(l6.validate("lex.json"), Catch::Contains("/concepts/0/codes_source: cites unknown source \"nowhere\""));
  CHECK(bundled_lexicon().find("pregnancy")->sex == "female");
  CHECK(parse_window("12 months")->amount == 12);
  CHECK_FALSE(parse_window("12 fortnights"));
}

TEST_CASE("a language table without a cue the grammar reads is refused, naming it", "[lexicon][errors]") {
  auto doc = nlohmann::json::parse(read_file(std::string(TRIALMATCH_SOURCE_DIR) + "/rules/lexicon/language.json"));
  auto& cues = doc["phrases"]["cue"];
  for (auto it = cues.begin(); it != cues.end();) it = it.value() == "naive" ? cues.erase(it) : std::next(it);
  Lexicon lex;
  lex.add_document(doc, "language.json");
  CHECK_THROWS_WITH(grammar::CriteriaCompiler(lex), Catch::Contains("the cue \"naive\""));
  CHECK_NOTHROW(grammar::CriteriaCompiler(bundled_lexicon()));
}


namespace {
// The bundled lexicon with language.json edited by `edit`, loaded as --lexicon
// would load it, then given to the criteria compiler: its error, if any.
std::string compiler_error_with(const std::function<void(nlohmann::json&)>& edit) {
  const std::filesystem::path rules = std::filesystem::path(TRIALMATCH_SOURCE_DIR) / "rules" / "lexicon";
  const auto dir = std::filesystem::temp_directory_path() / ("trialmatch_language_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(rules / "lexicon.json", dir / "lexicon.json", std::filesystem::copy_options::overwrite_existing);
  nlohmann::json language;
  std::ifstream(rules / "language.json") >> language;
  edit(language);
  std::ofstream(dir / "language.json") << language.dump(1);
  Lexicon lex = load_lexicon_files({(dir / "lexicon.json").string(), (dir / "language.json").string()});
  try {
    grammar::CriteriaCompiler compiler(lex);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("the grammar's word lists are data: a class or cue it reads that the data lacks is a load error",
          "[lexicon][grammar]") {
  CHECK(compiler_error_with([](nlohmann::json&) {}).empty());
  CHECK_THAT(compiler_error_with([](nlohmann::json& j) {
               for (const char* w : {"if", "in the case of", "in case of", "in cases of", "in presence of", "in the presence of"}) j["phrases"]["word_class"].erase(w);
             }),
             Catch::Contains("language table \"word_class\"") && Catch::Contains("no word of the class \"condition\""));
  CHECK_THAT(compiler_error_with([](nlohmann::json& j) { j["phrases"]["word_class"]["unless"] = "condition, hedge"; }),
             Catch::Contains("the word \"unless\" has the class \"hedge\""));
  CHECK_THAT(compiler_error_with([](nlohmann::json& j) { j["phrases"].erase("word_class"); }),
             Catch::Contains("\"word_class\"") && Catch::Contains("is missing"));
  CHECK_THAT(compiler_error_with([](nlohmann::json& j) {
               auto& cues = j["phrases"]["cue"];
               for (auto it = cues.begin(); it != cues.end();) it = it.value() == "negative_test" ? cues.erase(it) : std::next(it);
             }),
             Catch::Contains("has no phrase for the cue \"negative_test\""));
}
