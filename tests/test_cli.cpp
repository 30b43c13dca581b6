#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"

using trialmatch::cli::run;

namespace {
struct Result {
  int code;
  std::string out, err;
};
Result call(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = run(args, out, err);
  return {code, out.str(), err.str()};
}
}  // namespace

TEST_CASE("help and version", "[cli]") {
  auto h = call({"--help"});
  CHECK(h.code == 0);
  CHECK_THAT(h.out, Catch::Contains("compile"));
  auto v = call({"--version"});
  CHECK(v.code == 0);
  CHECK_THAT(v.out, Catch::StartsWith("trialmatch "));
  auto ch = call({"compile", "--help"});
  CHECK(ch.code == 0);
  CHECK_THAT(ch.out, Catch::Contains("--trials"));
  auto none = call({});
  CHECK(none.code == 2);
  auto unknown = call({"frobnicate"});
  CHECK(unknown.code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown command \"frobnicate\""));
}

TEST_CASE("compile --format json lists the bundled trials with their criteria", "[cli]") {
  auto r = call({"compile", "--format", "json"});
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["trials"].size() == 5);
  std::vector<std::string> ids;
  for (const auto& t : j["trials"]) ids.push_back(t["id"]);
  CHECK(ids == std::vector<std::string>{"2025-521304-21-00", "IRCT20171021036903N2", "NCT06196996", "NCT06708780", "NCT06751199"});
  const auto& nct = j["trials"][2];
  CHECK(nct["title"] == "Allogeneic Regenerative Islet Transplantation for the Treatment of Brittle Type 1 Diabetes Mellitus");
  CHECK(nct["criteria"][0]["id"] == "I1");
  CHECK(nct["criteria"][0]["kind"] == "inclusion");
  CHECK(nct["criteria"][0]["text"] == "Age 6-65 years, gender not specified.");
  CHECK(nct["criteria"].back()["id"] == "E14");
}

TEST_CASE("compile text shows sections and ids", "[cli]") {
  auto r = call({"compile"});
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("NCT06751199  UCMSCs Combined With Allogeneic Islet Transplantation"));
  CHECK_THAT(r.out, Catch::Contains("  Exclusion criteria\n    E1   Diabetic ketoacidosis that is not yet controlled."));
}

TEST_CASE("compile reports bad input and bad usage with exit codes", "[cli][errors]") {
  auto bad_format = call({"compile", "--format", "xml"});
  CHECK(bad_format.code == 2);
  CHECK_THAT(bad_format.err, Catch::Contains("--format must be text or json"));
  auto missing = call({"compile", "--trials", "/nonexistent/x.json"});
  CHECK(missing.code == 1);
  CHECK_THAT(missing.err, Catch::Contains("/nonexistent/x.json: error: no such file or directory"));
  auto bad_option = call({"compile", "--frobnicate"});
  CHECK(bad_option.code == 2);
}

TEST_CASE("compile --trials reads the 51 ClinicalTrials.gov samples", "[cli][datasets]") {
  std::string dir = std::string(TRIALMATCH_DATASETS_DIR) + "/ctgov_api_v2_samples";
  if (!std::filesystem::exists(dir)) return;
  auto r = call({"compile", "--trials", dir, "--format", "json"});
  REQUIRE(r.code == 0);
  CHECK(nlohmann::json::parse(r.out)["trials"].size() == 51);
}

TEST_CASE("explain --format json says which words each comparison was read from", "[cli]") {
  const std::string patient = std::string(TRIALMATCH_SOURCE_DIR) + "/../shared/spec/examples/example-1.json";
  auto r = call({"explain", patient, "NCT06196996", "--format", "json"});
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  const nlohmann::json* i2 = nullptr;
  for (const auto& c : j["criteria"])
    if (c["id"] == "I2") i2 = &c;
  REQUIRE(i2);
  REQUIRE(i2->contains("read_from"));
  const auto& from = (*i2)["read_from"];
  REQUIRE(from.size() == 2);
  CHECK(from[0]["text"] == "glycated hemoglobin ≥7.5%");
  CHECK(from[0]["read"] == nlohmann::json::array({"hba1c >= 7.5 %"}));
  CHECK(from[1]["text"] == "TIR (time in range) <70%");
}
