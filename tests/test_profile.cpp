#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "engine/lexicon.hpp"
#include "patients/profile.hpp"

using namespace trialmatch;
using nlohmann::json;

namespace {
const json kProfile = json::parse(R"({
  "id": "P-0007", "birth_date": "2012-05-01", "sex": "female", "as_of": "2026-11-01",
  "conditions": [
    {"concept": "type1_diabetes", "onset": "2025-09-20", "status": "active"},
    {"code": "K85.9", "system": "icd10", "onset": "2021-02-01", "status": "resolved"}
  ],
  "observations": [
    {"concept": "hba1c", "value": 8.1, "unit": "%", "date": "2026-10-10"},
    {"code": "13037-7", "system": "loinc", "value": 0.42, "unit": "ng/mL", "date": "2026-10-10"},
    {"concept": "alt", "value": 95, "unit": "U/L", "reference_high": 40, "date": "2026-10-10"},
    {"concept": "gada", "value": "positive", "date": "2025-09-21"},
    {"concept": "znt8a", "value": 12.0, "unit": "U/mL", "reference_high": 15, "date": "2025-09-21"}
  ],
  "events": [{"concept": "severe_hypoglycemia", "date": "2026-08-30"}],
  "medications": [{"concept": "insulin_intensive", "start": "2025-09-21", "status": "active"}],
  "answers": {"NCT06196996/I3": true}
})");

Profile load(const json& j, Diagnostics& w) { return load_profile(j, "p.json", bundled_lexicon(), w); }

std::string error_of(json j) {
  Diagnostics w;
  try {
    load(j, w);
  } catch (const InputError& e) {
    return e.diagnostic().str();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("the spec's profile loads with every field", "[profile]") {
  Diagnostics w;
  Profile p = load(kProfile, w);
  CHECK(w.empty());
  CHECK(p.id == "P-0007");
  CHECK(p.sex == Sex::female);
  CHECK(format_iso_date(*p.birth_date) == "2012-05-01");
  CHECK(completed_years(*p.birth_date, *p.as_of) == 14);
  REQUIRE(p.conditions.size() == 2);
  CHECK(p.conditions[1].status == RecordStatus::resolved);
  CHECK(p.conditions[1].what.concepts == std::vector<std::string>{"acute_pancreatitis"});  // K85.9 via the lexicon
  REQUIRE(p.observations.size() == 5);
  CHECK(p.observations[1].what.concepts == std::vector<std::string>{"c_peptide_fasting"});  // LOINC 13037-7
  CHECK(p.observations[2].reference_high == 40);
  CHECK(p.observations[3].qualitative == Qualitative::positive);
  CHECK(p.observations[0].field == "/observations/0");
  CHECK(p.events.size() == 1);
  CHECK(p.medications[0].status == RecordStatus::active);
  CHECK(p.answers.at("NCT06196996/I3"));
}

TEST_CASE("the worked example profiles load", "[profile]") {
  std::string dir = std::string(TRIALMATCH_SOURCE_DIR) + "/../shared/spec/examples";
  if (!std::filesystem::exists(dir)) return;
  for (std::string name : {"example-1.json", "example-2.json", "example-3.json"}) {
    Diagnostics w;
    Profile p = load_profile_file(dir + "/" + name, bundled_lexicon(), w);
    INFO(name);
    CHECK(w.empty());
    CHECK(!p.conditions.empty());
  }
}

TEST_CASE("ICD-10 codes map to every concept that covers them, most specific first", "[profile][lexicon]") {
  json j = {{"id", "x"}, {"conditions", {{{"code", "e10.9"}, {"system", "icd10"}}}}};
  Diagnostics w;
  auto p = load(j, w);
  CHECK(p.conditions[0].what.concepts == std::vector<std::string>{"type1_diabetes", "diabetes"});
}

TEST_CASE("bad profiles are errors naming the file and the field", "[profile][errors]") {
  json j = kProfile;
  j["sex"] = "F";
  CHECK_THAT(error_of(j), Catch::Contains("p.json: error: /sex: sex must be female, male, other or unknown"));
  j = kProfile;
  j["observations"][2]["date"] = "10/10/2026";
  CHECK_THAT(error_of(j), Catch::Contains("/observations/2/date: unreadable date \"10/10/2026\""));
  j = kProfile;
  j["observations"][0]["value"] = true;
  CHECK_THAT(error_of(j), Catch::Contains("/observations/0/value: expected a number or a string, found boolean"));
  j = kProfile;
  j["observations"][3]["value"] = "weakly";
  CHECK_THAT(error_of(j), Catch::Contains("/observations/3/value"));
  j = kProfile;
  j.erase("id");
  CHECK_THAT(error_of(j), Catch::Contains("/id: required field is missing"));
  j = kProfile;
  j["age"] = -3;
  CHECK_THAT(error_of(j), Catch::Contains("/age: age must be between"));
  j = kProfile;
  j["conditions"][1]["system"] = "icd9";
  CHECK_THAT(error_of(j), Catch::Contains("/conditions/1/system: unknown code system"));
  j = kProfile;
  j["conditions"] = json::array({json{{"onset", "2020-01-01"}}});
  CHECK_THAT(error_of(j), Catch::Contains("/conditions/0: a record needs"));
  j = kProfile;
  j["answers"] = {{"I3", true}};
  CHECK_THAT(error_of(j), Catch::Contains("/answers/I3: answer keys are TRIAL_ID/CRITERION_ID"));
  j = kProfile;
  j["events"] = {{{"concept", "severe_hypoglycemia"}, {"date", "2026-02-30"}}};
  CHECK_THAT(error_of(j), Catch::Contains("/events/0/date: unreadable date"));
  CHECK_THAT(error_of(json::array()), Catch::Contains("expected an object, found array"));
  CHECK_THAT(error_of(json{{"resourceType", "Bundle"}}), Catch::Contains("/resourceType"));
}

TEST_CASE("unknown keys and unknown concepts warn, never fail", "[profile]") {
  json j = kProfile;
  j["favourite_colour"] = "blue";
  j["observations"][0]["concept"] = "hba1cc";
  j["events"][0]["date"] = "2027-01-01";  // after as_of
  Diagnostics w;
  load(j, w);
  REQUIRE(w.size() == 3);
  CHECK(w[0].str() == "p.json: warning: /favourite_colour: unknown key ignored");
  CHECK_THAT(w[1].str(), Catch::Contains("/observations/0/concept: unknown concept \"hba1cc\""));
  CHECK_THAT(w[2].str(), Catch::Contains("/events/0/date: 2027-01-01 is after as_of"));
}

TEST_CASE("the hand-written date reader agrees with std::chrono on every day, valid or not", "[date]") {
  using namespace std::chrono;
  int checked = 0;
  for (int y : {0, 1, 4, 100, 400, 1582, 1600, 1700, 1899, 1900, 1969, 1970, 1999, 2000, 2024, 2025, 2100, 2400, 9999})
    for (unsigned m = 0; m <= 13; ++m)
      for (unsigned d = 0; d <= 32; ++d) {
        char text[16];
        std::snprintf(text, sizeof text, "%04d-%02u-%02u", y, m, d);
        year_month_day ymd{year{y}, month{m}, day{d}};
        auto parsed = parse_iso_date(text);
        INFO(text);
        REQUIRE(parsed.has_value() == ymd.ok());
        if (parsed) CHECK(parsed->days == sys_days{ymd}.time_since_epoch().count());
        ++checked;
      }
  CHECK(checked == 19 * 14 * 33);
}

TEST_CASE("the date reader refuses every byte but a digit or the two dashes, wherever it stands", "[date]") {
  const std::string good = "2024-02-29";
  REQUIRE(parse_iso_date(good));
  int refused = 0;
  for (std::size_t at = 0; at < good.size(); ++at)
    for (int c = 0; c < 256; ++c) {
      std::string text = good;
      text[at] = static_cast<char>(c);
      const bool dash = at == 4 || at == 7;
      const bool fits = dash ? c == '-' : c >= '0' && c <= '9';
      INFO(at << " " << c);
      if (!fits) {
        CHECK_FALSE(parse_iso_date(text));
        ++refused;
      }
    }
  CHECK(refused == 10 * 256 - 8 * 10 - 2);
}

TEST_CASE("dates are exact", "[date]") {
  CHECK(parse_iso_date("2024-02-29"));
  CHECK_FALSE(parse_iso_date("2023-02-29"));
  CHECK_FALSE(parse_iso_date("2023-2-01"));
  CHECK_FALSE(parse_iso_date("2023-02-01T10:00:00Z"));
  CHECK(format_iso_date(*parse_iso_date("2023-02-01T10:00:00Z", true)) == "2023-02-01");
  auto b = *parse_iso_date("2002-02-14");
  CHECK(completed_years(b, *parse_iso_date("2026-02-13")) == 23);
  CHECK(completed_years(b, *parse_iso_date("2026-02-14")) == 24);
  CHECK(parse_iso_date("1970-01-02")->days == 1);
}
