#include <catch2/catch.hpp>

#include "engine/lexicon.hpp"
#include "grammar/criteria_compiler.hpp"

using namespace trialmatch;
using grammar::Status;

namespace {
const grammar::CriteriaCompiler& compiler() {
  static grammar::CriteriaCompiler c(bundled_lexicon());
  return c;
}
std::string rule(const std::string& text, bool exclusion = false) {
  auto r = compiler().compile(text, exclusion);
  return r.rule ? ast::print(*r.rule) : "(none)";
}
Status status(const std::string& text, bool exclusion = false) { return compiler().compile(text, exclusion).status; }
}  // namespace

TEST_CASE("measures with symbolic and worded comparators", "[grammar]") {
  CHECK(rule("HbA1c ≥ 7.5%") == "hba1c >= 7.5 %");
  CHECK(rule("HbA1c >/= 7.5 %") == "hba1c >= 7.5 %");
  CHECK(rule("BMI =< 35 kg/m2") == "bmi <= 35 kg/m2");
  CHECK(rule("fasting C-peptide does not exceed 300pmol/L") == "c_peptide_fasting <= 300 pmol/L");
  CHECK(rule("HbA1c of at least 7.0%") == "hba1c >= 7 %");
  CHECK(rule("hemoglobin below 10 g/dL") == "hemoglobin < 10 g/dL");
  CHECK(rule("HbA1c no more than 10%") == "hba1c <= 10 %");
  CHECK(rule("serum creatinine greater than or equal to 1.5 mg/dL") == "creatinine >= 1.5 mg/dL");
  CHECK(rule("glycated hemoglobin of 7.0% or more") == "hba1c >= 7 %");
  CHECK(rule("HbA1c (glycosylated haemoglobin A1c) lesser than or equal to 8.6%") == "hba1c <= 8.6 %");
}

TEST_CASE("decimal commas, ranges, two units, x ULN", "[grammar]") {
  CHECK(rule("HbA1c ≥ 7,5 %") == "hba1c >= 7.5 %");
  CHECK(rule("HbA1c 7.0-9.0% (53-75 mmol/mol)") == "hba1c >= 7 % and hba1c <= 9 %");
  CHECK(rule("Body mass index between 18.5 and 30 kg/m2") == "bmi >= 18.5 kg/m2 and bmi <= 30 kg/m2");
  CHECK(rule("Hemoglobin ≤ 11.0 g/dL (110 g/L)") == "hemoglobin <= 11 g/dL");
  CHECK(rule("Total bilirubin < 1.5 X ULN") == "bilirubin_total < 1.5 xULN");
  CHECK(rule("ALT > 2.5 times the upper limit of normal") == "alt > 2.5 xULN");
  CHECK(rule("BMI < 14 or > 35.") == "bmi < 14 kg/m2 or bmi > 35 kg/m2");
  CHECK(rule("HbA1c ≥ 7.7% and ≤ 11.0%") == "hba1c >= 7.7 % and hba1c <= 11 %");
  // A number bound to a time, or glued to a word, is no threshold.
  CHECK(rule("Stable basal insulin dose ≥ 2 weeks").find("insulin_dose") == std::string::npos);
  CHECK(rule("BMI over 85th percentile").find("bmi >") == std::string::npos);
}

TEST_CASE("one comparator over a list of measures", "[grammar]") {
  CHECK(rule("total bilirubin, ALT, and AST ≥2×ULN", true) ==
        "any(bilirubin_total >= 2 xULN, alt >= 2 xULN, ast >= 2 xULN)");
  CHECK(rule("total bilirubin, ALT, and AST ≤ 2×ULN", false) ==
        "all(bilirubin_total <= 2 xULN, alt <= 2 xULN, ast <= 2 xULN)");
  CHECK(rule("AST or ALT > 2.5 x ULN", false) == "any(ast > 2.5 xULN, alt > 2.5 xULN)");
  // A list ends with its conjunction: creatinine alone carries the threshold.
  CHECK(rule("Normal ALT and AST, creatinine < 1.8 mg/dl") == "creatinine < 1.8 mg/dL");
}

TEST_CASE("sex-specific thresholds", "[grammar]") {
  CHECK(rule("Severe anemia (hemoglobin < 8 g/dL in males, < 7 g/dL in females).", true) ==
        "(sex = male and hemoglobin < 8 g/dL) or (sex = female and hemoglobin < 7 g/dL)");
  CHECK(rule("Serum creatinine < 1.5 mg/dL for males and < 1.4 mg/dL for females") ==
        "(sex = male and creatinine < 1.5 mg/dL) or (sex = female and creatinine < 1.4 mg/dL)");
}

TEST_CASE("ages and age ranges", "[grammar]") {
  CHECK(rule("Aged 8 to 65 years") == "age >= 8 years and age <= 65 years");
  CHECK(rule("Age 6-65 years") == "age >= 6 years and age <= 65 years");
  CHECK(rule("Aged 18-70, no gender restriction.") == "age >= 18 years and age <= 70 years");
  CHECK(rule("Males and females ≥ 18 years old.") == "age >= 18 years");
  CHECK(rule("18 years of age or older") == "age >= 18 years");
  CHECK(rule("Children 2 to <12 years old") == "age >= 2 years and age < 12 years");
  CHECK(rule("Male or female adults between the ages of 18 and 45 years of age") == "age >= 18 years and age <= 45 years");
  CHECK(rule("age ≥18 and < 65 years") == "age >= 18 years and age < 65 years");
  // Age at onset is not the patient's age.
  CHECK(compiler().compile("Age at onset between 25~70 years.", false).atoms.empty());
  CHECK(compiler().compile("gestational age < 36 weeks", false).atoms.empty());
}

TEST_CASE("autoantibody positivity with counts", "[grammar]") {
  CHECK(rule("at least one positive result for diabetes-related autoantibodies [glutamic acid decarboxylase autoantibody "
             "(GADA), insulinoma-associated-2 autoantibody (IA-2A), insulin autoantibody (IAA), islet cell antibody "
             "(ICA), zinc transporter 8 antibody (ZaT8A)]") == "count(positive(gada, ia2a, iaa, ica, znt8a)) >= 1");
  CHECK(rule("At least one islet autoantibody positive") == "count(positive(gada, ia2a, iaa, ica, znt8a)) >= 1");
  CHECK(rule("GAD65 antibody positive") == "positive(gada)");
  CHECK(rule("Positive GAD 65 and/or islet cell antibody") == "count(positive(gada, ica)) >= 1");
}

TEST_CASE("events counted in windows", "[grammar]") {
  CHECK(rule("Experiencing two or more severe hypoglycemic events in the past year, with at least one severe "
             "hypoglycemic event in the past 3 months") ==
        "count(severe_hypoglycemia within 1 year) >= 2 and count(severe_hypoglycemia within 3 months) >= 1");
  CHECK(rule("More than one episode of severe hypoglycemia during the past 6 months") ==
        "count(severe_hypoglycemia within 6 months) > 1");
  CHECK(rule("Participation in other clinical trials in the 3 months prior to enrollment", true) ==
        "trial_participation within 3 months");
}

TEST_CASE("durations and recency", "[grammar]") {
  CHECK(rule("Diagnosed with type 1 diabetes for at least 1 year") == "duration(type1_diabetes) >= 1 year");
  CHECK(rule("Type 1 diabetes mellitus (as diagnosed clinically) for at least 12 months") ==
        "duration(type1_diabetes) >= 12 months");
  CHECK(rule("Untreated cancer or less than 1 year since cure", true) == "malignancy or since(malignancy) < 1 year");
  CHECK(rule("Type 1 diabetes, within 100 days of diagnosis") ==
        "type1_diabetes and duration(type1_diabetes) <= 100 days");
}

TEST_CASE("vague words are interpreted from the lexicon, and say so", "[grammar]") {
  auto r = compiler().compile("Newly diagnosed type 1 diabetes.", false);
  REQUIRE(r.rule);
  CHECK(ast::print(*r.rule) == "duration(type1_diabetes) <= 100 days");
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("within the last 100 days"));
  CHECK(rule("Juvenile type 1 diabetes.") == "age < 18 years and type1_diabetes");
}

TEST_CASE("conditions, states and treatments with qualifiers and lists", "[grammar]") {
  CHECK(rule("Pregnant or lactating women;", true) == "pregnancy or breastfeeding");
  CHECK(rule("History of acute pancreatitis, pulmonary embolism, or other thrombotic diseases", true) ==
        "history(acute_pancreatitis) or history(pulmonary_embolism) or history(thrombosis)");
  CHECK(rule("HIV-positive", true) == "hiv");
  CHECK(rule("The condition of diabetic ketoacidosis has not been controlled;", true) == "diabetic_ketoacidosis");
  CHECK(rule("Known or suspected tumor;", true) == "neoplasm");
  // An "and"-list of conditions in an exclusion excludes on any of them.
  CHECK(rule("Acute pancreatitis, and severe heart, liver, kidney, rheumatic immune, respiratory, nervous or "
             "infectious diseases.",
             true) == "acute_pancreatitis or heart_disease or liver_disease or kidney_disease or autoimmune_disease or "
                      "respiratory_disease or neurological_disease or infection_uncontrolled");
  CHECK(rule("Mental illness, alcohol or drug abuse", true) == "mental_illness or alcohol_abuse or drug_abuse");
  // "diabetes caused by X" is secondary diabetes, and X is not a condition of its own.
  CHECK(rule("other secondary diabetes (such as diabetes caused by Cushing's syndrome, thyroid dysfunction or acromegaly)",
             true) == "secondary_diabetes");
  CHECK(rule("Complications of severe diabetes, including but not limited to retinal hemorrhage, diabetic foot, etc.;",
             true) == "diabetes_complications or retinal_hemorrhage or diabetic_foot");
  CHECK(rule("on intensified insulin therapy") == "insulin_intensive");
}

TEST_CASE("connectives: and, or, and/or, brackets", "[grammar]") {
  CHECK(rule("Despite intensified exogenous insulin therapy, blood glucose control remains inadequate [glycated "
             "hemoglobin ≥7.5%, or TIR (time in range) <70%].") ==
        "insulin_intensive and (hba1c >= 7.5 % or tir < 70 %)");
  CHECK(rule("At least one islet autoantibody positive and/or fasting C-peptide does not exceed 300pmol/L;") ==
        "count(positive(gada, ia2a, iaa, ica, znt8a)) >= 1 or c_peptide_fasting <= 300 pmol/L");
  CHECK(rule("fasting C-peptide < 0.1 nmol/L, 2-hour postprandial C-peptide < 0.2 nmol/L, and HbA1c ≥ 7%") ==
        "c_peptide_fasting < 0.1 nmol/L and c_peptide_2h < 0.2 nmol/L and hba1c >= 7 %");
  // ", and" after alternatives joined by "or" closes them; after a comma
  // list it is the list's own "and", and ", or" changes nothing.
  CHECK(rule("Type 1 diabetes or type 2 diabetes, and HbA1c ≥ 7%") ==
        "(type1_diabetes or type2_diabetes) and hba1c >= 7 %");
  CHECK(rule("Type 1 diabetes or type 2 diabetes and HbA1c ≥ 7%") ==
        "type1_diabetes or (type2_diabetes and hba1c >= 7 %)");
  CHECK(rule("Type 1 diabetes, type 2 diabetes, or HbA1c ≥ 7%") ==
        "type1_diabetes or type2_diabetes or hba1c >= 7 %");
  CHECK(rule("HbA1c ≥ 7% and type 1 diabetes, or type 2 diabetes") ==
        "(hba1c >= 7 % and type1_diabetes) or type2_diabetes");
  // The same ", and" ends a negation's reach.
  CHECK(rule("Must not be pregnant or breastfeeding, and HbA1c ≥ 7%") ==
        "not (pregnancy or breastfeeding) and hba1c >= 7 %");
  CHECK(rule("History of positive test for hepatitis B or hepatitis C, and ALT above 3 x ULN", true) ==
        "history(viral_hepatitis) and alt > 3 xULN");
  // In an exclusion, conditions alone still exclude on any of them.
  CHECK(rule("Pregnant or breastfeeding, and HIV", true) == "pregnancy or breastfeeding or hiv");
}

TEST_CASE("conditions: \"if X, Y\" requires Y only when X holds", "[grammar]") {
  CHECK(rule("If HbA1c is above 9%, must have C-peptide below 0.3 nmol/L") == "not hba1c > 9 % or c_peptide < 0.3 nmol/L");
  CHECK(rule("If a subject is diabetic, HbA1c at Screening is < 9.0%") == "not diabetes or hba1c < 9 %");
  CHECK(rule("Type 1 diabetes; if HbA1c above 9%, C-peptide below 0.3 nmol/L") ==
        "type1_diabetes and (not hba1c > 9 % or c_peptide < 0.3 nmol/L)");
  // Mid-sentence, after ", and"; what comes before stands on its own.
  CHECK(rule("Must not be pregnant or breastfeeding, and if ≥ 8 years of age must have a negative pregnancy test") ==
        "not (pregnancy or breastfeeding) and (not age >= 8 years or (not pregnancy and manual(procedure)))");
  // A sex gates a clause too.
  CHECK(rule("If female, hemoglobin ≥ 12 g/dL") == "not sex = female or hemoglobin >= 12 g/dL");
  CHECK(rule("If male, subjects must be willing to use effective birth control") == "not sex = male or manual(willingness)");
  // An exclusion excludes those for whom both hold.
  CHECK(rule("If female, is pregnant or lactating", true) == "sex = female and (pregnancy or breastfeeding)");
  CHECK(rule("If HbA1c is above 9%, C-peptide below 0.3 nmol/L", true) == "hba1c > 9 % and c_peptide < 0.3 nmol/L");
  // A condition with nothing data can decide leaves the sentence as it was
  // (a required negative test: not pregnant, and the test a check).
  CHECK(rule("If applicable, negative pregnancy test") == "not pregnancy and manual(procedure)");
  CHECK(rule("If female and of childbearing potential, must use an effective method of contraception") ==
        "manual(contraception)");
}

TEST_CASE("units spelled out, units restated, thresholds by sex", "[grammar]") {
  // Spelled out, the unit is read (it was "g", or the measure's own unit).
  CHECK(rule("Hemoglobin <8 grams per deciliter (g/dL)", true) == "hemoglobin < 8 g/dL");
  CHECK(rule("Blood glucose <50 milligrams per deciliter (mg/dL)", true) == "glucose < 50 mg/dL");
  CHECK(rule("eGFR ≥ 60 milliliters per minute per 1.73 square meter (mL/min/1.73 m²)") == "egfr >= 60 mL/min/1.73m2");
  // "(ULN)" after "upper limit of normal" restates the unit: no residue.
  CHECK(rule("Total bilirubin ≤ 1.5 x upper limit of normal (ULN)") == "bilirubin_total <= 1.5 xULN");
  // A restated unit is not a definition of the words before it.
  CHECK(rule("Serum phosphate < 3.0 milligrams per deciliter (mg/dL)", true) ==
        "unparsed(\"Serum phosphate < 3.0 milligrams per deciliter\")");
  CHECK(rule("Serum albumin < 3.0 grams per deciliter (g/dL)", true) == "albumin < 3 g/dL");
  // The other sex's value takes the comparator before it.
  CHECK(rule("Weight: At least 60 kg (132 lbs) for men and 48 kg (106 lbs) for women") ==
        "(sex = male and weight >= 60 kg) or (sex = female and weight >= 48 kg)");
  CHECK(rule("Serum creatinine ≥ 1.5 milligrams per deciliter (mg/dL) for males and ≥ 1.4 mg/dL for females", true) ==
        "(sex = male and creatinine >= 1.5 mg/dL) or (sex = female and creatinine >= 1.4 mg/dL)");
  // A measure restated for each sex: one alternative per sex, not both at once.
  CHECK(rule("Renal impairment defined with creatinine >1.4 mg/dL in women and creatinine >1.5 mg/dL in men", true) ==
        "kidney_disease and unparsed(\"defined\") and ((sex = female and creatinine > 1.4 mg/dL) or "
        "(sex = male and creatinine > 1.5 mg/dL))");
  // An alternative for some patients only is not one more threshold: it is
  // the looser bound with the words that say for whom, unread.
  CHECK(rule("AST and ALT ≤ 2.5 x ULN or ≤ 5 x ULN if hepatic metastases are present") ==
        "all(ast <= 2.5 xULN, alt <= 2.5 xULN) or (all(ast <= 5 xULN, alt <= 5 xULN) and "
        "unparsed(\"if hepatic metastases are present\"))");
  CHECK(rule("Total bilirubin ≤ 2 x ULN or < 3 x ULN for patients with Gilbert syndrome") ==
        "bilirubin_total <= 2 xULN or (bilirubin_total < 3 xULN and unparsed(\"for patients with Gilbert syndrome\"))");
  CHECK(rule("BMI < 14 or > 35 kg/m2") == "bmi < 14 kg/m2 or bmi > 35 kg/m2");
}

TEST_CASE("blood counts in their units, and a bare count in the unit it is plausible in", "[grammar]") {
  CHECK(rule("Platelet count ≥ 100,000/mm3") == "platelets >= 100000 /uL");
  CHECK(rule("Platelets ≥ 100 x 10^9/L") == "platelets >= 100 x10^9/L");
  CHECK(rule("Absolute neutrophil count (ANC) ≥ 1.5 × 10^9/L") == "neutrophils >= 1.5 x10^9/L");
  CHECK(rule("WBC ≥ 3,000/mm³") == "wbc >= 3000 /uL");
  CHECK(rule("platelet count below 50 x 10e9 per liter", true) == "platelets < 50 x10^9/L");
  // No unit: the canonical unit where the value is plausible in it, else the
  // unit where it is, with a note.
  CHECK(rule("ANC ≥ 1.5") == "neutrophils >= 1.5 x10^9/L");
  auto r = compiler().compile("ANC > 1500", false);
  CHECK(ast::print(*r.rule) == "neutrophils > 1500 /uL");
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("no unit written: 1500 read in /uL"));
  CHECK(rule("HbA1c > 75") == "hba1c > 75 mmol/mol");
  CHECK(rule("HbA1c > 7.5") == "hba1c > 7.5 %");
}

TEST_CASE("lipids in mg/dL or mmol/L", "[grammar]") {
  CHECK(rule("Fasting triglycerides > 500 mg/dL", true) == "triglycerides > 500 mg/dL");
  CHECK(rule("LDL-C > 4.9 mmol/L", true) == "ldl_cholesterol > 4.9 mmol/L");
  CHECK(rule("HDL < 35 mg/dL", true) == "hdl_cholesterol < 35 mg/dL");
  CHECK(rule("Total cholesterol ≥ 300 mg/dl", true) == "cholesterol_total >= 300 mg/dL");
  CHECK(rule("Triglycerides > 5.65", true) == "triglycerides > 5.65 mmol/L");
}

TEST_CASE("blood pressure: each value, a pair, a change", "[grammar]") {
  CHECK(rule("SBP ≥ 140 mm Hg", true) == "systolic_bp >= 140 mmHg");
  CHECK(rule("Systolic blood pressure > 160 mmHg or diastolic blood pressure > 100 mmHg", true) ==
        "systolic_bp > 160 mmHg or diastolic_bp > 100 mmHg");
  // A pair is above its threshold when either value is, below it when both are.
  CHECK(rule("Blood pressure ≥ 140/90 mmHg", true) == "systolic_bp >= 140 mmHg or diastolic_bp >= 90 mmHg");
  CHECK(rule("BP < 140/90") == "systolic_bp < 140 mmHg and diastolic_bp < 90 mmHg");
  CHECK(rule("Uncontrolled hypertension (BP > 160/100 mmHg)", true) == "systolic_bp > 160 mmHg or diastolic_bp > 100 mmHg");
  // A change of a measure is not its value.
  CHECK(status("a decrease in systolic blood pressure ≥ 20 mmHg within 3 minutes of standing", true) == Status::unparsed);
  CHECK(status("an increase in HbA1c of more than 1%", true) == Status::unparsed);
}

TEST_CASE("performance status: ECOG grades as a list or a range, Karnofsky and Lansky in percent", "[grammar]") {
  // A list of whole numbers: each a grade the score may take.
  CHECK(rule("Eastern Cooperative Oncology Group (ECOG) performance status of 0 or 1") == "ecog = 0 {score} or ecog = 1 {score}");
  CHECK(rule("Patients must have an ECOG performance status of 0, 1, or 2.") ==
        "ecog = 0 {score} or ecog = 1 {score} or ecog = 2 {score}");
  CHECK(rule("ECOG 3 or 4", true) == "ecog = 3 {score} or ecog = 4 {score}");
  CHECK(rule("ECOG PS 0-2") == "ecog >= 0 {score} and ecog <= 2 {score}");
  CHECK(rule("Performance status (PS) <= 2 (ECOG scale).") == "ecog <= 2 {score}");
  CHECK(rule("Have a performance status of less than or equal to 2 on the Eastern Cooperative Oncology Group (ECOG) scale") ==
        "ecog <= 2 {score}");
  CHECK(rule("ECOG performance status 2 or less") == "ecog <= 2 {score}");
  CHECK(rule("Karnofsky performance status >= 70%") == "karnofsky >= 70 %");
  CHECK(rule("KPS >= 60") == "karnofsky >= 60 {score}");
  CHECK(rule("Lansky play-performance scale >= 50") == "lansky >= 50 {score}");
  // A cross-reference in brackets is not part of the criterion.
  CHECK(rule("ECOG performance status <= 2 (see Appendix A)") == "ecog <= 2 {score}");
  // Not a list: a count with "or more", numbers with a time. A single grade
  // of a scale of grades is that grade.
  CHECK(rule("HbA1c 7 or more") == "hba1c >= 7 %");
  CHECK(rule("ECOG 2") == "ecog = 2 {score}");
  CHECK(status("HbA1c 7") != Status::computable);
  CHECK(rule("Severe hypoglycaemia 1 or 2 years ago", true).find(" = ") == std::string::npos);
}

TEST_CASE("QTc, LVEF, INR, albumin, alkaline phosphatase and a bracketed alternative for some patients", "[grammar]") {
  CHECK(rule("QTc > 450 msec", true) == "qtc > 450 ms");
  CHECK(rule("QTcF > 450 ms for males and > 470 ms for females", true) ==
        "(sex = male and qtc > 450 ms) or (sex = female and qtc > 470 ms)");
  CHECK(rule("Left ventricular ejection fraction (LVEF) ≥ 50% by echocardiogram") == "lvef >= 50 %");
  CHECK(rule("INR ≤ 1.5") == "inr <= 1.5 {INR}");
  CHECK(rule("Albumin < 30 g/L", true) == "albumin < 30 g/L");
  CHECK(rule("Alkaline phosphatase ≤ 2.5 x ULN") == "alkaline_phosphatase <= 2.5 xULN");
  // A stricter threshold for some patients: required of them, unless the words leave them out.
  CHECK(rule("AST ≤ 2.5 x ULN (≤ 1.5 x ULN if alkaline phosphatase is > 2.5 x ULN)") ==
        "ast <= 2.5 xULN and (ast <= 1.5 xULN or not unparsed(\"if alkaline phosphatase is > 2.5 x ULN\"))");
  // A looser one: an alternative, so a patient who meets the rule is not held up.
  CHECK(rule("HbA1c < 8% (or < 9% if on insulin)") == "hba1c < 8 % or (hba1c < 9 % and unparsed(\"if on insulin\"))");
}

TEST_CASE("electrolytes, hematocrit and PSA in their units", "[grammar]") {
  CHECK(rule("Serum potassium < 3.5 mEq/L", true) == "potassium < 3.5 mEq/L");
  CHECK(rule("Sodium < 130 mmol/L", true) == "sodium < 130 mmol/L");
  CHECK(rule("Corrected serum calcium > 11 mg/dL", true) == "calcium > 11 mg/dL");
  CHECK(rule("Hematocrit of less than or equal to 30%.", true) == "hematocrit <= 30 %");
  CHECK(rule("PSA > 4 ng/mL", true) == "psa > 4 ng/mL");
  // Longer names win: a drug class is not sodium, a comorbidity index not a hematocrit.
  CHECK(rule("Use of sodium-glucose cotransporter (SGLT) inhibitors within 8 weeks prior to screening", true) ==
        "sglt2_inhibitor within 8 weeks");
  CHECK(rule("HCT-CI < 5", true).find("hematocrit") == std::string::npos);
}

TEST_CASE("cardiovascular events, impaired awareness of hypoglycaemia, a plural ending in brackets", "[grammar]") {
  // The window after a list under "history of" dates every item.
  CHECK(rule("History of myocardial infarction, unstable angina, or revascularization within the past 6 months.", true) ==
        "history(myocardial_infarction) within 6 months or history(unstable_angina) within 6 months or "
        "history(coronary_revascularization) within 6 months");
  CHECK(rule("History of alcohol or drug abuse in the past year", true) ==
        "history(alcohol_abuse) within 1 year or history(drug_abuse) within 1 year");
  // ... before it, whatever follows the window.
  CHECK(rule("History of drug or alcohol abuse within 6 months and/or positive urine drug screen", true) ==
        "history(drug_abuse) within 6 months or history(alcohol_abuse) within 6 months or unparsed(\"urine drug screen\")");
  // Without it, the list is left as read.
  CHECK(rule("Acute pancreatitis or diabetic ketoacidosis within the past 6 months", true) ==
        "acute_pancreatitis or history(diabetic_ketoacidosis) within 6 months");
  CHECK(rule("Acute coronary syndrome, stroke or Transient Ischaemic Attack (TIA) within last 3 months", true).find("stroke") !=
        std::string::npos);
  CHECK(rule("History of cerebrovascular accident (CVA)", true) == "history(stroke)");
  CHECK(rule("Has a history of hypoglycemia unawareness", true) == "history(hypoglycemia_unawareness)");
  CHECK(rule("Hypoglycaemic unawareness", true) == "hypoglycemia_unawareness");
  CHECK(rule("Symptomatic congestive heart failure", true) == "unparsed(\"Symptomatic\") and heart_failure");
  CHECK(rule("Evidence of hepatic, renal or cardiac failure", true) == "liver_disease or kidney_disease or heart_failure");
  CHECK(rule("History of asthma or schizophrenia", true) == "history(asthma) or history(schizophrenia)");
  // "(s)" glued to a word is its plural, not a bracket of its own.
  CHECK(rule("History of myocardial infarction(s) within 6 months", true) == "history(myocardial_infarction) within 6 months");
  CHECK(rule("Signed Informed Consent Form(s)") == "manual(consent)");
}

TEST_CASE("an allergy to a drug is for a person to confirm", "[grammar]") {
  // No profile holds allergies to a study drug: a person checks them. The
  // drugs named are what the check covers, not treatments of the patient.
  CHECK(rule("Known hypersensitivity to insulin glargine or excipients of the study drug", true) == "manual(allergy)");
  CHECK(rule("Intolerance or allergy to study drug", true) == "manual(allergy)");
  // The check covers a comma list of drugs, up to a condition or a state.
  CHECK(rule("Have known allergies to LY900014, insulin lispro, related compounds or any components", true) ==
        "manual(allergy)");
  CHECK(rule("Coagulopathy, allergy to contrast material, pregnancy", true).find("pregnancy") != std::string::npos);
  // A severe allergy is a condition the lexicon knows.
  CHECK(rule("History of anaphylaxis", true) == "history(severe_allergy)");
}

TEST_CASE("an exception naming what the concept includes is read as except", "[grammar]") {
  // Set aside, these excluded every patient with type 1 diabetes, or on insulin.
  CHECK(rule("Diabetes mellitus (DM) other than T1DM", true) == "diabetes except(type1_diabetes)");
  CHECK(rule("Use of antidiabetic agent other than insulin or insulin analog at the time of screening.", true) ==
        "antidiabetic except(insulin)");
  CHECK(rule("Treatment with any anti-diabetic medication other than insulin including insulin pump within 4 weeks of trial start",
             true) == "antidiabetic within 4 weeks except(insulin)");
  CHECK(rule("Psychiatric disorder other than schizophrenia", true) == "mental_illness except(schizophrenia)");
  // Words that begin the name of exactly one included concept name it.
  CHECK(rule("Diabetes other than Type 1", true) == "diabetes except(type1_diabetes)");
  CHECK(rule("Diabetes mellitus other than type 2", true) == "diabetes except(type2_diabetes)");
  CHECK(rule("Any diabetes other than type", true) == "diabetes and unparsed(\"other than type\")");
  // A qualified concept names less than the concept ("lung cancer"), and
  // examples after the exception are not exceptions: the exception is not
  // read, and stays as residue (a person checks which tumour it was).
  CHECK(rule("Previous tumor other than lung cancer", true) == "neoplasm and unparsed(\"other than lung cancer\")");
  CHECK(rule("Respiratory disease other than COPD (e.g., asthma, tuberculosis)", true) ==
        "respiratory_disease and unparsed(\"other than COPD (e.g., asthma, tuberculosis)\")");
  CHECK(rule("Other primary tumor within last 5 years (except for cancer in situ)", true) ==
        "unparsed(\"Other primary\") and history(neoplasm) within 5 years and unparsed(\"except for cancer in situ\")");
  // A drug named within a class excepts that drug, not the class: not read.
  CHECK(rule("Use of anti-diabetic medications other than liraglutide or metformin", true) ==
        "antidiabetic and unparsed(\"other than liraglutide or metformin\")");
  // In brackets as outside them.
  CHECK(rule("Taking any antidiabetic medication (other than insulin)", true) == "antidiabetic except(insulin)");
  // Nor is one the lexicon cannot place. Set aside, it made "Liver disease
  // other than CHB" exclude the patients a hepatitis B trial is for.
  CHECK(rule("Any malignancy except basal cell carcinoma", true) == "malignancy and unparsed(\"except basal cell carcinoma\")");
  CHECK(rule("Liver disease other than CHB", true) == "liver_disease and unparsed(\"other than CHB\")");
}

TEST_CASE("an exception not read stays as residue, narrowing a concept or relaxing a requirement", "[grammar]") {
  // Narrowing: the concept and not the exception, which a person checks.
  CHECK(rule("History of malignancy within 5 years, except for basal cell carcinoma of the skin", true) ==
        "history(malignancy) within 5 years and unparsed(\"except for basal cell carcinoma of the skin\")");
  CHECK(rule("No history of malignancy except basal cell carcinoma") ==
        "not (history(malignancy) and unparsed(\"except basal cell carcinoma\"))");
  // Relaxing what an inclusion requires: met when either holds.
  CHECK(rule("Total bilirubin <= 1.5 x ULN unless due to Gilbert syndrome") ==
        "bilirubin_total <= 1.5 xULN or unparsed(\"unless due to Gilbert syndrome\")");
  CHECK(rule("The subject has no current or prior malignancy, other than non-melanoma skin cancer") ==
        "not malignancy or unparsed(\"other than non-melanoma skin cancer\")");
  // In an exclusion a threshold's exception narrows it.
  CHECK(rule("AST > 2.5 x ULN unless related to primary disease", true) ==
        "ast > 2.5 xULN and unparsed(\"unless related to primary disease\")");
  // A state of the patient alone is read; after a comma the exception is to
  // all before it, and it ends at its own comma.
  CHECK(rule("Active hepatitis B or HIV infection, unless pregnant, or celiac disease as judged by the investigator", true) ==
        "((viral_hepatitis and unparsed(\"B\")) or hiv) and not pregnancy and manual(judgement)");
  CHECK(rule("HbA1c < 8%, unless pregnant") == "hba1c < 8 % or pregnancy");
  // ", and" opens the next clause.
  CHECK(rule("Life expectancy of 5 years, excluding their diagnosis of cancer, and an ECOG performance status of 0 or 1")
            .find("ecog = 0 {score} or ecog = 1 {score}") != std::string::npos);
}

TEST_CASE("a clause for an age group holds for that group only", "[grammar]") {
  // Joined by "and": each group's requirement applies to that group.
  CHECK(rule("Karnofsky >= 50% for patients > 16 years of age and Lansky >= 50 for patients <= 16 years of age") ==
        "(not age > 16 years or karnofsky >= 50 %) and (not age <= 16 years or lansky >= 50 {score})");
  CHECK(rule("A Karnofsky performance status of >=50% (for participants aged >16 years) and a Lansky performance "
             "status of >=50% (for participants aged <=16 years).") ==
        "(not age > 16 years or karnofsky >= 50 %) and (not age <= 16 years or lansky >= 50 %)");
  // Joined by "or": the groups are alternatives.
  CHECK(rule("Karnofsky performance status > 50% for patients >16 years of age, or Lansky performance status > 50% for "
             "patients < 16 years of age.") ==
        "(age > 16 years and karnofsky > 50 %) or (age < 16 years and lansky > 50 %)");
  // "X or Y for children": the group is Y's alone.
  CHECK(rule("Karnofsky performance status of at least 70% or Lansky performance status of at least 70% for participants "
             "less than 16 years old") == "karnofsky >= 70 % or (age < 16 years and lansky >= 70 %)");
  // The group first.
  CHECK(rule("For patients aged 2-55 years, HbA1c > 8%") == "not (age >= 2 years and age <= 55 years) or hba1c > 8 %");
  // An exclusion names the group it excludes.
  CHECK(rule("HbA1c > 10% for patients over 60 years of age", true) == "age > 60 years and hba1c > 10 %");
  // A group named by what patients have holds for that group only too.
  CHECK(rule("HbA1c < 8% in patients with diabetes") == "not diabetes or hba1c < 8 %");
  CHECK(rule("HbA1c > 10% in patients with diabetes", true) == "diabetes and hba1c > 10 %");
}

TEST_CASE("one sex as the criterion's subject restricts the sex", "[grammar]") {
  // The population's sex, beside its age.
  CHECK(rule("Women aged 18-45 years") == "sex = female and age >= 18 years and age <= 45 years");
  CHECK(rule("Male subjects aged 18-55") == "sex = male and age >= 18 years and age <= 55 years");
  CHECK(rule("Male, T2DM patients aged 20-60 years") == "sex = male and type2_diabetes and age >= 20 years and age <= 60 years");
  // The sex alone.
  CHECK(rule("Female") == "sex = female");
  CHECK(rule("Men only") == "sex = male");
  CHECK(rule("Male patients.", true) == "sex = male");
  // An exclusion names whom it excludes.
  CHECK(rule("Women who require treatment for tuberculosis", true) == "sex = female and tuberculosis");
  // Both sexes, or a sex beside a qualifier: no restriction.
  CHECK(rule("Male or female, 18 years or older") == "age >= 18 years");
  CHECK(rule("Male or non-pregnant female aged 18 or older") == "not pregnancy and age >= 18 years");
  // A requirement for one sex, not a restriction to it.
  CHECK(rule("Females must not be pregnant") == "not pregnancy");
  // A required negative test states the patient is not pregnant (product.md), for either sex.
  CHECK(rule("Female subjects <=65 years of age must have a negative serum pregnancy test") ==
        "age <= 65 years and not pregnancy and manual(procedure)");
  CHECK(rule("Women of childbearing potential who are not pregnant or nursing") ==
        "unparsed(\"of childbearing potential who are\") and not (pregnancy or breastfeeding)");
  // A state only that sex can be in already says it (the lexicon's `sex`).
  CHECK(rule("Females who are pregnant or lactating", true) == "pregnancy or breastfeeding");
  // Thresholds by sex keep their own reading.
  CHECK(rule("Male participants with creatinine > 1.5 mg/dL or female participants with creatinine > 1.4 mg/dL", true)
            .find("sex = male and") == std::string::npos);
}

TEST_CASE("non- negates the word it is glued to", "[grammar]") {
  CHECK(rule("Non-diabetic") == "not diabetes");
  CHECK(rule("Non-smoking participants with type 1 diabetes") == "not smoking and type1_diabetes");
  // Glued to words not understood, it does not reach the next concept.
  CHECK(rule("Non-hospitalized ambulatory subjects suffering from Diabetes mellitus") ==
        "unparsed(\"hospitalized ambulatory subjects suffering from\") and diabetes");
  CHECK(rule("Intercurrence with one of the following: non-controlled hypertension, coronary artery disease", true)
            .find("not heart_disease") == std::string::npos);
  // "Non-insulin-dependent diabetes mellitus" is type 2 diabetes, not "not type 1".
  CHECK(rule("Non-Insulin-Dependent Diabetes Mellitus") == "type2_diabetes");
}

TEST_CASE("negation", "[grammar]") {
  CHECK(rule("No history of acute pancreatitis") == "not history(acute_pancreatitis)");
  CHECK(rule("Type 1 diabetes without diabetic ketoacidosis") == "type1_diabetes and not diabetic_ketoacidosis");
  // The exception names a part of the concept: those records do not count.
  CHECK(rule("Diabetes other than type 1", true) == "diabetes except(type1_diabetes)");
}

TEST_CASE("manual criteria", "[grammar]") {
  CHECK(status("Voluntarily participate and sign the informed consent form.") == Status::manual);
  CHECK(status("Able and willing to use the blood glucose meter provided by the sponsor, conduct self-blood glucose "
               "monitoring as required, and complete the patient log as instructed.") == Status::manual);
  CHECK(status("Other situations judged by the investigator as unsuitable for participation in the trial.", true) ==
        Status::manual);
  // A manual check that is an item of an exclusion's list excludes on its
  // own, beside the data the list names.
  CHECK(rule("Mental illness, alcohol or drug abuse, unable to cooperate with treatment;", true) ==
        "mental_illness or alcohol_abuse or drug_abuse or manual(compliance)");
}

TEST_CASE("a vague word's default applies only where the words name nothing else", "[grammar]") {
  // It failed every patient without type 1 diabetes in a leukaemia trial.
  CHECK(rule("Newly diagnosed AML") == "unparsed(\"Newly diagnosed AML\")");
  CHECK(rule("Juvenile idiopathic arthritis", true) == "unparsed(\"Juvenile idiopathic arthritis\")");
  CHECK(rule("Newly diagnosed type 1 diabetes") == "duration(type1_diabetes) <= 100 days");
  CHECK(rule("Type 1 diabetes, newly diagnosed") == "type1_diabetes and duration(type1_diabetes) <= 100 days");
  CHECK(rule("Juvenile patients") == "age < 18 years");
}

TEST_CASE("after the age requirement, an age group that must do something is its condition", "[grammar]") {
  CHECK(rule("Ages 18 to 65 years, inclusive - >= 18 years old and < 20 years old must have assent forms signed and "
             "dated by their parents or guardians") ==
        "age >= 18 years and age <= 65 years and (not (age >= 18 years and age < 20 years) or manual(consent))");
  CHECK(rule("Age 18 or older. Subjects younger than 21 must have parental consent.") ==
        "age >= 18 years and (not age < 21 years or manual(consent))");
  // The criterion's own age requirement is a requirement.
  CHECK(rule("Subjects 18 years or older must provide written informed consent") == "age >= 18 years and manual(consent)");
}

TEST_CASE("a bare 'antibodies' is not the islet autoantibodies", "[grammar]") {
  // It excluded every patient with two islet autoantibodies from trials that exclude HIV.
  CHECK(rule("Has a known history of human immunodeficiency virus (HIV) (HIV 1/2 antibodies)", true).find("count(") ==
        std::string::npos);
  CHECK(rule("Previous treatment with a monoclonal antibody or a fusion protein.", true).find("count(") == std::string::npos);
  // Named as islet autoantibodies, or listed, it is.
  CHECK(rule("Positive for at least 2 autoantibodies") == "count(positive(gada, ia2a, iaa, ica, znt8a)) >= 2");
  CHECK(rule("Presence of 2 or more antibodies (GAD65, IA-2, ZnT8)") == "count(positive(gada, ia2a, znt8a)) >= 2");
  CHECK(rule("At least one positive islet antibody") == "count(positive(gada, ia2a, iaa, ica, znt8a)) >= 1");
}

TEST_CASE("in an exclusion, not before words not understood negates those words only", "[grammar]") {
  // Covering the cancer too, it excluded every patient who never had one.
  CHECK(rule("Patients who are not agreeable for collection of tumor tissue", true)
            .starts_with("not unparsed(\"agreeable\") and "));
  // A list stays under the negation; so do words that qualify a condition.
  CHECK(rule("Patients who have not recovered or stabilized", true) == "not (unparsed(\"recovered\") or unparsed(\"stabilized\"))");
  CHECK(rule("without uncured tumor", true).starts_with("not ("));
  // In an inclusion the negation covers the clause, as before.
  CHECK(rule("Patients who are not agreeable for collection of tumor tissue").starts_with("not ("));
}

TEST_CASE("an exception ends where a consequence or a person's check begins", "[grammar]") {
  CHECK(rule("Have a neurological condition other than tardive dyskinesia that may interfere with assessing the severity of "
             "dyskinesias",
             true) == "neurological_disease and manual(judgement)");
  // A relative clause of the exception's own noun stays in it.
  CHECK(rule("Prior malignancy, except for adequately treated basal cell skin cancer that has been resected", true)
            .find("unparsed(\"except for adequately treated basal cell skin cancer that has been resected\")") !=
        std::string::npos);
  // "non-" negates only what it is glued to.
  CHECK(rule("Concomitant severe non-neuropathic pain or the presence of illness such as diabetes mellitus", true)
            .find("not diabetes") == std::string::npos);
  CHECK(rule("Not pregnant or lactating", true) == "pregnancy or breastfeeding");
}

TEST_CASE("with or without, regardless of: either way, so nothing to decide", "[grammar]") {
  CHECK(rule("Had serum sodium < 120 mEq/L (mmol/L), with or without associated neurologic impairment (that is, "
             "symptoms such as apathy, confusion, or seizures).",
             true) == "sodium < 120 mEq/L");
  CHECK(rule("History of liver cirrhosis with or without hepatitis viral co-infection.", true) == "history(liver_disease)");
  CHECK(rule("Type 1 diabetes, regardless of prior insulin therapy") == "type1_diabetes");
}

TEST_CASE("a prohibition in an exclusion list names what it excludes", "[grammar]") {
  CHECK(rule("Patient must not be pregnant or lactating at screening and/or baseline;", true) == "pregnancy or breastfeeding");
  CHECK(rule("No acute or chronic renal disease", true) == "unparsed(\"acute\") or kidney_disease");
  CHECK(rule("Women must not be pregnant", true) == "pregnancy");
  // A negation that is not a prohibition stays.
  CHECK(rule("Not on a stable dose of insulin", true) == "not insulin");
  // In an inclusion a prohibition is a requirement, read as written.
  CHECK(rule("Patient must not be pregnant") == "not pregnancy");
}

TEST_CASE("'including, but not limited to' introduces examples, never a negation", "[grammar]") {
  CHECK(rule("Serious illness, including but not limited to, heart failure or active infection", true) ==
        "heart_failure or infection_uncontrolled");
  CHECK(rule("Other conditions, such as, but not limited to, asthma", true) == "asthma");
}

TEST_CASE("hypertension, and the hypertensions that are something else", "[grammar]") {
  CHECK(rule("Uncontrolled hypertension", true) == "unparsed(\"Uncontrolled\") and hypertension");
  CHECK(rule("Known coronary artery disease or high blood pressure", true) == "heart_disease or hypertension");
  CHECK(rule("Pulmonary hypertension", true) == "unparsed(\"Pulmonary\") and hypertension");
}

TEST_CASE("whether a condition is controlled no profile says", "[grammar]") {
  // An exclusion of uncontrolled diabetes does not exclude every diabetic.
  CHECK(rule("Uncontrolled diabetes mellitus", true) == "unparsed(\"Uncontrolled\") and diabetes");
  CHECK(rule("Recent history of poor control of diabetes", true) == "unparsed(\"poor control of\") and history(diabetes)");
  // A bracket that defines it decides it.
  CHECK(rule("Poorly controlled diabetes (Hemoglobin A1c value >= 8.5%)", true) == "hba1c >= 8.5 %");
  // An active record of some conditions is itself uncontrolled (lexicon).
  CHECK(rule("The condition of diabetic ketoacidosis has not been controlled;", true) == "diabetic_ketoacidosis");
  CHECK(rule("Uncontrolled, active infection", true) == "infection_uncontrolled");
}

TEST_CASE("multiples of the upper limit of normal however written", "[grammar]") {
  CHECK(rule("Alanine aminotransferase >=5*upper limit of normal", true) == "alt >= 5 xULN");
  CHECK(rule("AST(SGOT)/ALT(SGPT) <= 3.0 x IULN") == "all(ast <= 3 xULN, alt <= 3 xULN)");
  CHECK(rule("ALT and AST > 2.5 X ULRR", true) == "any(alt > 2.5 xULN, ast > 2.5 xULN)");
  CHECK(rule("AST, ALT > 2.5 \xE2\x85\xB9upper limit of normal", true) == "any(ast > 2.5 xULN, alt > 2.5 xULN)");
  // No unit written, far below the normal range: the multiple is meant.
  CHECK(rule("ALT < 2.5") == "alt < 2.5 xULN");
  CHECK(rule("ALT < 100") == "alt < 100 U/L");
}

TEST_CASE("a unit after 'or more' belongs to its number", "[grammar]") {
  CHECK(rule("ALT 2.5 or more times upper normal limit", true) == "alt >= 2.5 xULN");
  CHECK(rule("Body mass index of 40 or more kg/m2", true) == "bmi >= 40 kg/m2");
  CHECK(rule("Serum total bilirubin < 1.5 x upper limit or normal (ULN)") == "bilirubin_total < 1.5 xULN");
}

TEST_CASE("what applies in some places or parts of a study is required there only", "[grammar]") {
  // Where the patient is, no profile says: unknown, so an 18-year-old is
  // undecided, and a 25-year-old meets it.
  CHECK(rule("Male or female, age greater than or equal to 18 years (for Japan and Taiwan: age greater than or equal "
             "to 20 years)") == "age >= 18 years and (not unparsed(\"for Japan and Taiwan\") or age >= 20 years)");
  CHECK(rule("Male or female, age above or equal to 18 years. For Korea only: Male or female, age above or equal to "
             "19 years") == "age >= 18 years and (not unparsed(\"For Korea only\") or age >= 19 years)");
  // An exclusion for one part of a study excludes there: the trial is
  // evaluated per cohort (cohort(...) is true in that cohort's evaluation).
  CHECK(rule("For Part C: have diabetes", true) == "cohort(\"Part C\") and diabetes");
  // A bracket for some people still counts.
  CHECK(rule("Karnofsky >= 50% (for participants aged > 16 years)") == "not age > 16 years or karnofsky >= 50 %");
}

TEST_CASE("non- glued to a modifier of a longer name is not a negation of the name", "[grammar]") {
  CHECK(rule("Currently taking a non-oral antihyperglycemic agent.", true) ==
        "unparsed(\"non-oral antihyperglycemic agent\")");
  CHECK(rule("Severe non-proliferative retinopathy", true) == "diabetic_retinopathy");
  CHECK(rule("Use of oral antihyperglycemic medications", true) == "oral_antidiabetic");
  // A name, or a state of a person, is still negated.
  CHECK(rule("Non-smoker") == "not smoking");
  CHECK(rule("Non-pregnant women") == "not pregnancy");
}

TEST_CASE("a manual check in a list is an alternative, not a condition on its neighbours", "[grammar]") {
  // Joined by "or": the pregnant are excluded whatever the check finds.
  CHECK(rule("Pregnant or breastfeeding women, or women of childbearing potential who are unwilling to use "
             "contraception",
             true) == "pregnancy or breastfeeding or manual(willingness)");
  CHECK(rule("Pregnant or lactating women, or men or women not using effective contraception", true) ==
        "pregnancy or breastfeeding or manual(contraception)");
  CHECK(rule("Pregnancy or lack of adequate birth control.", true) == "pregnancy or manual(contraception)");
  // "and" joins two items when a person starts the second ...
  CHECK(rule("Pregnancy, lactation women and women of childbearing age who do not want to practice effective "
             "methods of contraception;",
             true) == "pregnancy or breastfeeding or manual(contraception)");
  // ... and one case otherwise.
  CHECK(rule("Participant is an excessive smoker and is unwilling to restrict smoking", true) ==
        "smoking and manual(willingness)");
  // A check that covers words up to a comma, then a condition.
  CHECK(rule("Coagulopathy, allergy to contrast material, pregnancy", true) == "manual(allergy) or pregnancy");
  // A medication after the comma may be what the check is about.
  CHECK(rule("Unable to provide compliance with study drug, insulin and study visits,", true) ==
        "insulin and manual(compliance)");
  // A relative clause, a judgement or a modal qualifies what precedes it.
  CHECK(rule("Uncontrolled psychiatric disorder that prohibited the giving of informed consent or unable to comply", true) ==
        "mental_illness and manual(consent) and manual(compliance)");
  CHECK(rule("Recurrent severe hypoglycemia or hypoglycemic unawareness, as judged by the investigator", true) ==
        "(severe_hypoglycemia or hypoglycemia_unawareness) and manual(judgement)");
  CHECK(rule("Females > 13 years of age or those who have achieved menarche must have a negative pregnancy test", true) ==
        "age > 13 years and manual(procedure)");
  // In an inclusion a comma still joins with "and".
  CHECK(rule("Type 1 diabetes, willing to comply with study procedures") == "type1_diabetes and manual(willingness)");
  // A later sentence of an exclusion that is only checks excludes on its own ...
  CHECK(rule("Pregnant and/or breastfeeding. Women of childbearing potential must have a negative pregnancy test "
             "within 14 days of study entry.",
             true) == "pregnancy or breastfeeding or manual(procedure)");
  CHECK(rule("Pregnancy or breastfeeding. Patients with preserved reproductive capacity, unwilling to use a medically "
             "acceptable method of contraception.",
             true) == "pregnancy or breastfeeding or manual(willingness)");
  // ... unless it admits some patients, or is a judgement.
  CHECK(rule("Untreated oral candidiasis. Subjects who agree to receive treatment may enter the study.", true) ==
        "unparsed(\"Untreated oral candidiasis\") and manual(willingness)");
  CHECK(rule("Active infection. As judged by the investigator.", true) == "infection_uncontrolled and manual(judgement)");
  CHECK(rule("Pregnant and/or breastfeeding. Women of childbearing potential must have a negative pregnancy test.") ==
        "(pregnancy or breastfeeding) and (not (sex = female and unparsed(\"of childbearing potential\")) or (not pregnancy and "
        "manual(procedure)))");
}

TEST_CASE("what is not understood stays as residue with its offsets", "[grammar]") {
  std::string text = "Serum phosphate > 3.5 mg/dL and HbA1c < 9%";
  auto r = compiler().compile(text, false);
  CHECK(r.status == Status::partial);
  REQUIRE(!r.unparsed.empty());
  CHECK(text.substr(r.unparsed[0].begin, r.unparsed[0].end - r.unparsed[0].begin) == r.unparsed[0].text);
  CHECK_THAT(r.unparsed[0].text, Catch::Contains("phosphate"));
  auto none = compiler().compile("Tanner stage greater than or equal to 3", false);
  CHECK(none.status == Status::unparsed);
  // Set-aside text is listed with why, never dropped silently.
  auto def = compiler().compile("Severe allergic constitution, meaning prone to allergic reactions", true);
  REQUIRE(def.ignored.size() == 1);
  CHECK(def.ignored[0].reason == "definition");
  // Words a manual check absorbs are listed as covered by it.
  auto check = compiler().compile("Patients with glioma who sign the informed consent document", false);
  CHECK(check.status == Status::manual);
  bool covered = false;
  for (const auto& span : check.ignored)
    covered = covered || (span.reason == "covered by the manual check" && span.text.find("glioma") != std::string::npos);
  CHECK(covered);
}

TEST_CASE("atoms are in the criterion's own sense", "[grammar]") {
  auto r = compiler().compile("BMI < 14 or > 35.", true);
  REQUIRE(r.atoms.size() == 2);
  CHECK(r.atoms[0].concept_id == "bmi");
  CHECK(r.atoms[0].op == ast::CmpOp::lt);
  CHECK(r.atoms[0].value == 14);
  CHECK(r.atoms[0].unit == "kg/m2");  // none written: the measure's canonical unit
  auto as_written = compiler().compile("fasting C-peptide does not exceed 300pmol/L", false);
  REQUIRE(as_written.atoms.size() == 1);
  CHECK(as_written.atoms[0].unit == "pmol/L");
  auto negated = compiler().compile("No HbA1c > 10%", false);
  REQUIRE(negated.atoms.size() == 1);
  CHECK(negated.atoms[0].op == ast::CmpOp::le);
}

TEST_CASE("each atom names the words it was read from", "[grammar]") {
  auto r = compiler().compile("HbA1c ≥ 7.5% and age 18-65 years, BMI ≤ 20 or above 40 kg/m^2", false);
  REQUIRE(r.atoms.size() == 5);
  CHECK(r.atoms[0].source == "HbA1c ≥ 7.5%");
  CHECK(r.atoms[1].source == "age 18-65 years");
  CHECK(r.atoms[2].source == "age 18-65 years");
  CHECK(r.atoms[3].source == "BMI ≤ 20 or above 40 kg/m^2");
  // A definition read for the words it defines keeps the words of the definition.
  auto d = compiler().compile("Preoperative renal failure (defined as a serum creatinine > 2.0 mg/dL.)", true);
  REQUIRE(d.atoms.size() == 1);
  CHECK(d.atoms[0].source == "serum creatinine > 2.0 mg/dL");
}
