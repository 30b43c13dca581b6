#include <catch2/catch.hpp>

#include <algorithm>

#include "engine/criteria_splitter.hpp"

using namespace trialmatch;

namespace {
std::vector<std::string> ids(const SplitResult& r) {
  std::vector<std::string> out;
  for (const auto& c : r.criteria) out.push_back(c.id);
  return out;
}
const Criterion& by_id(const SplitResult& r, const std::string& id) {
  for (const auto& c : r.criteria)
    if (c.id == id) return c;
  FAIL("no criterion " << id);
  throw;
}
bool has_warning(const SplitResult& r, const std::string& part) {
  for (const auto& d : r.diagnostics)
    if (d.message.find(part) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("headings and their real-world variants open sections", "[splitter]") {
  for (std::string heading : {"Inclusion Criteria:", "Key Inclusion Criteria", "INCLUSION CRITERIA", "Main inclusion criteria:",
                              "- Inclusion criteria:", "**Inclusion Criteria:**", "Inclusion criteria :", "Inclusion:"}) {
    auto r = split_criteria(heading + "\n* Adults\n\nExclusion Criteria:\n* Pregnancy\n");
    INFO(heading);
    REQUIRE(ids(r) == std::vector<std::string>{"I1", "E1"});
    CHECK(r.criteria[0].text == "Adults");
    CHECK(r.criteria[1].kind == CriterionKind::exclusion);
    CHECK_FALSE(has_warning(r, "no inclusion/exclusion headings"));
  }
}

TEST_CASE("a heading may end in a full-width colon", "[splitter]") {
  auto r = split_criteria("Inclusion criteria\xEF\xBC\x9A\n1. Adults\nExclusion criteria\xEF\xBC\x9A\n1. Pregnancy\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "E1"});
  CHECK(by_id(r, "I1").text == "Adults");
  CHECK(by_id(r, "E1").text == "Pregnancy");
  CHECK(by_id(r, "E1").kind == CriterionKind::exclusion);
}

TEST_CASE("a qualified heading names the group of its items", "[splitter]") {
  auto r = split_criteria(
      "Inclusion Criteria (control group)\n- Healthy adult\nExclusion criteria for patients:\n- Prior surgery\n"
      "Non-inclusion criteria:\n- Minors\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "E1", "E2"});
  CHECK(r.criteria[0].group == "control group");
  CHECK(r.criteria[1].group == "for patients");
  CHECK(r.criteria[2].kind == CriterionKind::exclusion);
}

TEST_CASE("text on the heading's own line is the first item", "[splitter]") {
  auto r = split_criteria("Inclusion criteria: adults aged 18 or more\nExclusion criteria: pregnancy");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "E1"});
  CHECK(r.criteria[0].text == "adults aged 18 or more");
  CHECK(r.criteria[1].text == "pregnancy");
}

TEST_CASE("a list run into wrapped lines is cut at its dashes and its inline heading", "[splitter]") {
  // As ClinicalTrials.gov text reached some datasets (TOP): 142 of 3,724 trials.
  auto r = split_criteria(
      "\n        Inclusion Criteria: - Male or female, age 18 - 65 years at the time of signing informed consent -\n"
      "        Type 1 Diabetes Mellitus for 12 months - HbA1c 7.0-9.5% as assessed by central\n"
      "        laboratory - Body Mass Index less than or equal to 35.0 kg/m^2 Key Exclusion Criteria: - Within\n"
      "        the past 180 days any of the following: stroke - Pregnancy\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2", "I3", "I4", "E1", "E2"});
  CHECK(r.criteria[0].text == "Male or female, age 18 - 65 years at the time of signing informed consent");
  CHECK(r.criteria[1].text == "Type 1 Diabetes Mellitus for 12 months");
  CHECK(r.criteria[2].text == "HbA1c 7.0-9.5% as assessed by central laboratory");
  CHECK(r.criteria[3].text == "Body Mass Index less than or equal to 35.0 kg/m^2");
  CHECK(r.criteria[4].text == "Within the past 180 days any of the following: stroke");
  CHECK(r.criteria[5].kind == CriterionKind::exclusion);
  // A heading wrapped after its first word.
  auto wrapped = split_criteria(
      "Inclusion Criteria: - Informed consent - Diagnosed with type 2 diabetes - Age at least 18 years Exclusion\n"
      "        Criteria: - Diagnosis of type 1 diabetes - Known hypoglycaemic unawareness\n");
  REQUIRE(ids(wrapped) == std::vector<std::string>{"I1", "I2", "I3", "E1", "E2"});
  CHECK(wrapped.criteria[2].text == "Age at least 18 years");
  CHECK(wrapped.criteria[3].text == "Diagnosis of type 1 diabetes");
  // A dash inside an ordinary list is not a cut.
  auto plain = split_criteria("Inclusion Criteria:\n- Age 18 - Adults only\nExclusion Criteria:\n- Pregnancy\n");
  CHECK(ids(plain) == std::vector<std::string>{"I1", "E1"});
}

TEST_CASE("sentences that mention inclusion are not headings", "[splitter]") {
  auto r = split_criteria(
      "Inclusion Criteria:\n- Adults\n- Other protocol-defined inclusion/exclusion criteria may apply\n"
      "- Exclusion of patients with prior therapy is not required\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2", "I3"});
}

TEST_CASE("bullets and numbering of every common kind make items", "[splitter]") {
  for (std::string list : {"* a\n* b\n", "- a\n- b\n", "• a\n• b\n", "1. a\n2. b\n", "1) a\n2) b\n", "(1) a\n(2) b\n",
                           "a) a\nb) b\n", "i. a\nii. b\n", "A. a\nB. b\n", "+ a\n+ b\n"}) {
    auto r = split_criteria("Inclusion Criteria:\n" + list);
    INFO(list);
    REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2"});
    CHECK(r.criteria[0].text == "a");
    CHECK(r.criteria[1].text == "b");
  }
}

TEST_CASE("a new marker style under an item announcing a list makes sub-items", "[splitter]") {
  auto r = split_criteria(
      "Inclusion Criteria:\n1. Adults\n2. Adequate organ function:\na) ANC >= 1500\nb) Platelets >= 100000\n3. Consent\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2", "I2.1", "I2.2", "I3"});
  CHECK(by_id(r, "I2.1").parent == "I2");
  CHECK(by_id(r, "I2.2").text == "Platelets >= 100000");
  CHECK(by_id(r, "I3").parent.empty());
}

TEST_CASE("deeper indentation makes sub-items, as in markdown lists", "[splitter]") {
  auto r = split_criteria("Exclusion Criteria:\n\n* Infection\n  * HIV\n  * Hepatitis B\n* Pregnancy\n");
  REQUIRE(ids(r) == std::vector<std::string>{"E1", "E1.1", "E1.2", "E2"});
  CHECK(by_id(r, "E1.2").parent == "E1");
}

TEST_CASE("nested numbering as ClinicalTrials.gov writes it", "[splitter]") {
  auto r = split_criteria(
      "Inclusion Criteria:\n\n1. Adults\n2. The index participant must:\n\n   1. Have symptoms\n   2. Test positive\n3. Live at home\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2", "I2.1", "I2.2", "I3"});
}

TEST_CASE("a letter i after h continues a letter list, otherwise i. opens romans", "[splitter]") {
  std::string letters = "Inclusion Criteria:\n";
  for (char c = 'a'; c <= 'j'; ++c) letters += std::string(1, c) + ". item " + std::string(1, c) + "\n";
  auto r = split_criteria(letters);
  REQUIRE(r.criteria.size() == 10);
  CHECK(r.criteria[8].text == "item i");
  CHECK(r.criteria[8].id == "I9");

  auto romans = split_criteria("Inclusion Criteria:\n1. Any of:\ni. one\nii. two\niii. three\n2. Next\n");
  REQUIRE(ids(romans) == std::vector<std::string>{"I1", "I1.1", "I1.2", "I1.3", "I2"});
}

TEST_CASE("hard-wrapped lines are re-joined", "[splitter]") {
  auto r = split_criteria(
      "\n        Inclusion Criteria:\n\n          -  Calculated creatinine clearance: during Stage 1, >80\n"
      "             mL/min/1.73m^2 and during Stage 2, >60 mL/min/1.73m^2\n\n"
      "          -  Patients with a 3-\n             month history\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2"});
  CHECK(r.criteria[0].text ==
        "Calculated creatinine clearance: during Stage 1, >80 mL/min/1.73m^2 and during Stage 2, >60 mL/min/1.73m^2");
  CHECK(r.criteria[1].text == "Patients with a 3-month history");
  CHECK(r.criteria[0].line == 4);
}

TEST_CASE("numbers and abbreviations at a line start are not markers", "[splitter]") {
  auto r = split_criteria("Inclusion Criteria:\n1. Creatinine below\n1.5 mg/dL\n2. Drugs, e.g.\naspirin\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2"});
  CHECK(r.criteria[0].text == "Creatinine below 1.5 mg/dL");
  CHECK(r.criteria[1].text == "Drugs, e.g. aspirin");
}

TEST_CASE("ClinicalTrials.gov API v2 backslash escapes are undone", "[splitter]") {
  auto r = split_criteria("Inclusion Criteria:\n\n* HbA1c(NGSP) \\>= 10.0 %\n* eGFR \\< 45 \\[CKD-EPI\\] \\*\n",
                          {.unescape_markdown = true});
  REQUIRE(r.criteria.size() == 2);
  CHECK(r.criteria[0].text == "HbA1c(NGSP) >= 10.0 %");
  CHECK(r.criteria[1].text == "eGFR < 45 [CKD-EPI] *");
  CHECK(unescape_markdown("a \\> b") == "a > b");
  CHECK(unescape_markdown("C:\\path") == "C:\\path");
}

TEST_CASE("text with no headings is one inclusion list, with a warning", "[splitter]") {
  auto r = split_criteria("Males and females aged 18 or more\nType 1 diabetes for at least one year\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2"});
  CHECK(has_warning(r, "no inclusion/exclusion headings"));
}

TEST_CASE("an unmarked line in lower case after an unfinished one is a wrap", "[splitter]") {
  auto r = split_criteria("Patients with diabetes and\nhypertension\nPregnancy.\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2"});
  CHECK(r.criteria[0].text == "Patients with diabetes and hypertension");
}

TEST_CASE("short lines ending in a colon label the items below them", "[splitter]") {
  auto r = split_criteria("Inclusion Criteria:\nPATIENT CHARACTERISTICS:\nAge:\n- 18 and over\nPerformance status:\n- ECOG 0-1\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2"});
  CHECK(r.criteria[0].group == "Age");
  CHECK(r.criteria[0].text == "18 and over");
  CHECK(r.criteria[1].group == "Performance status");
}

TEST_CASE("items before the first heading are inclusion, with a warning", "[splitter]") {
  auto r = split_criteria("- Adults\nExclusion Criteria:\n- Pregnancy\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "E1"});
  CHECK(has_warning(r, "before the first heading"));
}

TEST_CASE("a second heading of a kind continues its numbering", "[splitter]") {
  auto r = split_criteria(
      "Inclusion Criteria (patients):\n- A\nExclusion Criteria:\n- B\nInclusion Criteria (controls):\n- C\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "E1", "I2"});
  CHECK(r.criteria[2].group == "controls");
}

TEST_CASE("empty text and empty items give diagnostics, not silence", "[splitter]") {
  auto empty = split_criteria("   \n\n");
  CHECK(empty.criteria.empty());
  REQUIRE(empty.diagnostics.size() == 1);
  CHECK(empty.diagnostics[0].severity == Severity::error);

  auto dash = split_criteria("Inclusion Criteria:\n* Adults\nExclusion Criteria:\n-\n");
  REQUIRE(ids(dash) == std::vector<std::string>{"I1"});
  CHECK(has_warning(dash, "no text"));
}

TEST_CASE("sub-items nest no deeper than the configured depth", "[splitter]") {
  auto r = split_criteria("Inclusion Criteria:\n* a\n  * b\n    * c\n      * d\n", {.max_depth = 2});
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I1.1", "I1.2", "I1.3"});
}

TEST_CASE("blank-line paragraphs are items whose lines are wraps", "[splitter]") {
  auto r = split_criteria(
      "\n        DISEASE CHARACTERISTICS: Transitional cell carcinoma of the bladder\n"
      "        Unifocal No greater than 5 cm\n\n"
      "        PATIENT CHARACTERISTICS: Age: Not specified\n        Performance status: WHO 0-1\n");
  // The paragraph's heading and run-in labels head its items (see below).
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2", "I3"});
  CHECK(r.criteria[0].text == "Transitional cell carcinoma of the bladder Unifocal No greater than 5 cm");
  CHECK(r.criteria[2].text == "WHO 0-1");
}

TEST_CASE("a short plain line with items indented under it labels them, as a colon would", "[splitter]") {
  // The layout of old NCI records: "Age" alone, then "-  18 and over" under it.
  auto r = split_criteria(
      "Inclusion Criteria:\n\n        PATIENT CHARACTERISTICS:\n\n        Age\n\n          -  18 and over\n\n"
      "        Performance status\n\n          -  ECOG 0-1 OR\n\n          -  Karnofsky 80-100%\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2", "I3"});
  CHECK(by_id(r, "I1").text == "18 and over");
  CHECK(by_id(r, "I1").group == "Age");
  CHECK(by_id(r, "I2").group == "Performance status");
  CHECK(by_id(r, "I3").group == "Performance status");
  // "OR" between items joins them; it labels nothing.
  auto joined = split_criteria("Inclusion Criteria:\n  - ECOG 0-1\n  OR\n    - Karnofsky 80-100%\n");
  for (const auto& c : joined.criteria) CHECK(c.group != "OR");
  // A line with a number, or of four words or more, stays a criterion.
  auto kept = split_criteria("Inclusion Criteria:\n  Type 1 diabetes\n    - diagnosed at least 1 year ago\n"
                             "\n  Adults with type 1 diabetes\n    - C-peptide positive\n");
  REQUIRE(kept.criteria.size() >= 2);
  CHECK(kept.criteria[0].text == "Type 1 diabetes");
  for (const auto& c : kept.criteria) CHECK(c.group.empty());
  CHECK(std::any_of(kept.criteria.begin(), kept.criteria.end(),
                    [](const Criterion& c) { return c.text == "Adults with type 1 diabetes"; }));
}

TEST_CASE("old NCI records run into paragraphs get their run-in labels back", "[splitter]") {
  // ClinicalTrials.gov lost the line breaks of some PDQ records: each label
  // ("Age:", "Hepatic:") headed its own items, as in the layout above.
  auto r = split_criteria(
      "\n        DISEASE CHARACTERISTICS: Histologically confirmed sarcoma\n\n"
      "        PATIENT CHARACTERISTICS: Age: 18 and over Performance status: ECOG 0-2 Hepatic: Bilirubin no\n"
      "        greater than 1.5 mg/dL Renal: Not specified Other: Not pregnant\n\n"
      "        PRIOR CONCURRENT THERAPY: At least 30 days since therapy for sarcoma\n");
  REQUIRE(ids(r) == std::vector<std::string>{"I1", "I2", "I3", "I4", "I5", "I6", "I7"});
  CHECK(by_id(r, "I1").text == "Histologically confirmed sarcoma");
  CHECK(by_id(r, "I2").text == "18 and over");
  CHECK(by_id(r, "I2").group == "Age");
  CHECK(by_id(r, "I3").group == "Performance status");
  CHECK(by_id(r, "I4").text == "Bilirubin no greater than 1.5 mg/dL");
  CHECK(by_id(r, "I4").group == "Hepatic");
  CHECK(by_id(r, "I6").text == "Not pregnant");
  CHECK(by_id(r, "I7").text == "At least 30 days since therapy for sarcoma");
  // Lower-case words before a colon, or four words, are no label.
  auto kept = split_criteria(
      "PATIENT CHARACTERISTICS: Age: 18 and over Disease in one of the following categories: High-grade tumor\n");
  REQUIRE(kept.criteria.size() == 1);
  CHECK(kept.criteria[0].text == "18 and over Disease in one of the following categories: High-grade tumor");
  // An inclusion heading keeps its own reading.
  auto heading = split_criteria("INCLUSION CRITERIA: Age: 18 and over\nEXCLUSION CRITERIA: Pregnant\n");
  CHECK(heading.criteria.size() == 2);
}

TEST_CASE("a times sign wrapped to a line's start is no bullet", "[splitter]") {
  auto r = split_criteria(
      "Inclusion Criteria:\n  - Creatinine determined by serum creatinine levels <=1.5\n    * ULN or a creatinine clearance >= 50 mL/min\n"
      "  * A real bullet\n");
  REQUIRE(r.criteria.size() == 2);
  CHECK(r.criteria[0].text == "Creatinine determined by serum creatinine levels <=1.5 * ULN or a creatinine clearance >= 50 mL/min");
  CHECK(r.criteria[1].text == "A real bullet");
}
