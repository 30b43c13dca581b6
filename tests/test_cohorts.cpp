// A trial whose criteria are scoped by cohorts, parts or arms is evaluated
// per cohort; its verdict is the best cohort's, named (shared/spec/cli.md).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"

using nlohmann::json;

namespace {

std::filesystem::path scratch() {
  auto dir = std::filesystem::temp_directory_path() / ("trialmatch_cohorts_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

// Part A takes well-controlled diabetes, Part B poorly controlled; the
// exclusion holds in Part B only.
std::string write_trial() {
  auto path = scratch() / "parts.json";
  std::ofstream(path) << R"trial({"trialmatch_trial": 1, "id": "PARTS-1", "criteria": [
    "Inclusion Criteria:",
    "1. Type 1 diabetes",
    "Part A only:",
    "2. HbA1c below 7%",
    "Part B only:",
    "3. HbA1c 7% to 10%",
    "Exclusion Criteria:",
    "1. Pregnancy (Part B)"
  ]})trial";
  return path.string();
}

std::string write_patient(const std::string& id, double hba1c, bool pregnant) {
  json p = {{"id", id}, {"birth_date", "1990-01-01"}, {"sex", "female"}, {"as_of", "2026-11-01"},
            {"conditions", json::array({{{"concept", "type1_diabetes"}, {"onset", "2010-01-01"}, {"status", "active"}}})},
            {"observations", json::array({{{"concept", "hba1c"}, {"value", hba1c}, {"unit", "%"}, {"date", "2026-10-01"}}})}};
  if (pregnant) p["conditions"].push_back({{"concept", "pregnancy"}, {"onset", "2026-09-01"}, {"status", "active"}});
  auto path = scratch() / (id + ".json");
  std::ofstream(path) << p.dump();
  return path.string();
}

json match(const std::string& patient, const std::string& trial) {
  std::ostringstream out, err;
  REQUIRE(trialmatch::cli::run({"match", patient, "--trials", trial, "--format", "json"}, out, err) == 0);
  return json::parse(out.str())["results"][0];
}

}  // namespace

TEST_CASE("a trial with cohorts takes the best cohort's verdict and names it", "[cohorts][evaluate]") {
  const std::string trial = write_trial();
  SECTION("well controlled: Part A") {
    json r = match(write_patient("A1", 6.5, false), trial);
    CHECK(r["verdict"] == "eligible");
    CHECK(r["cohort"] == "Part A");
    REQUIRE(r["cohorts"].size() == 2);
    CHECK(r["cohorts"][0] == json({{"cohort", "Part A"}, {"verdict", "eligible"}, {"score", 1.0}}));
    CHECK(r["cohorts"][1]["verdict"] == "ineligible");
  }
  SECTION("poorly controlled: Part B, where pregnancy excludes") {
    json r = match(write_patient("B1", 8.2, false), trial);
    CHECK(r["verdict"] == "eligible");
    CHECK(r["cohort"] == "Part B");
    json pregnant = match(write_patient("B2", 8.2, true), trial);
    CHECK(pregnant["verdict"] == "ineligible");
    CHECK(pregnant["cohorts"][1] == json({{"cohort", "Part B"}, {"verdict", "ineligible"}, {"score", 0.75}}));
  }
  SECTION("in no cohort: ineligible, reported for the first cohort that scores best") {
    json r = match(write_patient("C1", 11.0, false), trial);
    CHECK(r["verdict"] == "ineligible");
    CHECK(r["cohort"] == "Part A");
    // The criteria shown are that cohort's: Part B's item is met there.
    CHECK(r["criteria"][1]["outcome"] == "not_met");
    CHECK(r["criteria"][2]["outcome"] == "met");
    CHECK(r["criteria"][2]["reason"] == "for cohort Part B only, not this one");
  }
}

TEST_CASE("screen names the same cohort as match, with the same outcomes", "[cohorts][screen]") {
  const std::string trial = write_trial();
  std::vector<std::pair<std::string, json>> patients;
  for (auto [id, hba1c, pregnant] : {std::tuple{"S1", 6.5, false}, {"S2", 8.2, false}, {"S3", 8.2, true}, {"S4", 11.0, false}}) {
    std::ifstream in(write_patient(id, hba1c, pregnant));
    json p;
    in >> p;
    patients.emplace_back(write_patient(id, hba1c, pregnant), p);
  }
  auto jsonl = scratch() / "population.jsonl";
  {
    std::ofstream out(jsonl);
    for (auto& [path, p] : patients) out << p.dump() << "\n";
  }
  for (const char* threads : {"1", "2"}) {
    std::ostringstream out, err;
    REQUIRE(trialmatch::cli::run({"screen", jsonl.string(), "--trials", trial, "--threads", threads, "--quiet"}, out, err) == 0);
    std::istringstream lines(out.str());
    std::string line;
    for (auto& [path, p] : patients) {
      REQUIRE(std::getline(lines, line));
      json s = json::parse(line)["results"][0];
      json m = match(path, trial);
      CHECK(s["cohort"] == m["cohort"]);
      CHECK(s["verdict"] == m["verdict"]);
      CHECK(s["score"] == m["score"]);
    }
  }
  std::ostringstream csv, err;
  REQUIRE(trialmatch::cli::run({"screen", jsonl.string(), "--trials", trial, "--format", "csv", "--quiet"}, csv, err) == 0);
  CHECK_THAT(csv.str(), Catch::Contains("\n2,S2,PARTS-1,eligible,1,,,,Part B,\n"));
}
