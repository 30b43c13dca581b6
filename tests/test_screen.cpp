#include <catch2/catch.hpp>

#include <sstream>

#include "cli/commands.hpp"
#include "engine/lexicon.hpp"
#include "engine/screen.hpp"
#include "engine/trial_compiler.hpp"
#include "engine/trial_loader.hpp"
#include "patients/patient_loader.hpp"
#include "patients/synthetic.hpp"

using namespace trialmatch;
using nlohmann::json;

namespace {

const std::vector<TrialPlan>& plans() {
  static std::vector<Trial> trials = [] {
    auto t = bundled_trials();
    compile_trials(t, bundled_lexicon());
    return t;
  }();
  static std::vector<TrialPlan> p = [] {
    std::vector<TrialPlan> out;
    for (const auto& t : trials) out.push_back(plan_trial(t, bundled_lexicon()));
    return out;
  }();
  return p;
}

std::string population(std::uint64_t first, std::uint64_t count, std::uint64_t seed = 3) {
  std::string s;
  for (std::uint64_t i = first; i < first + count; ++i) s += synthetic_patient(i, seed) + "\n";
  return s;
}

std::string run_screen(const std::string& input, int threads, ScreenFormat format = ScreenFormat::jsonl,
                       ScreenSummary* summary = nullptr, std::size_t batch = 64) {
  std::istringstream in(input);
  std::ostringstream out;
  ScreenOptions o;
  o.threads = threads;
  o.format = format;
  o.input_name = "pop.jsonl";
  o.batch_lines = batch;
  auto s = screen(in, out, plans(), bundled_lexicon(), o);
  if (summary) *summary = s;
  return out.str();
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("one output line per input line, in order, errors as records", "[screen]") {
  std::string input = population(0, 300);
  // Inject bad lines: malformed JSON, a wrong type, an empty line, a FHIR Bundle.
  auto lines = lines_of(input);
  lines[10] = "{\"id\": \"X\", \"sex\": ";
  lines[20] = "{\"id\": \"Y\", \"sex\": 3}";
  lines[30] = "";
  lines[40] = R"({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient", "id": "F-1", "gender": "female", "birthDate": "2001-01-01"}}]})";
  std::string joined;
  for (const auto& l : lines) joined += l + "\n";
  ScreenSummary summary;
  auto out = lines_of(run_screen(joined, 2, ScreenFormat::jsonl, &summary));
  REQUIRE(out.size() == 300);
  CHECK(summary.records == 300);
  CHECK(summary.errors == 3);
  CHECK_THAT(out[10], Catch::StartsWith("{\"line\":11,\"error\":\"pop.jsonl:11:"));
  CHECK_THAT(out[10], Catch::Contains("malformed JSON"));
  CHECK_THAT(out[20], Catch::Contains("pop.jsonl:21: error: /sex: expected a string, found number"));
  CHECK_THAT(out[30], Catch::Contains("\"line\":31,\"error\":\"empty line"));
  CHECK_THAT(out[40], Catch::StartsWith("{\"patient\":\"F-1\""));
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i == 10 || i == 20 || i == 30) continue;
    auto j = json::parse(out[i]);
    INFO(i);
    if (i != 40) CHECK(j["patient"] == json::parse(lines[i])["id"]);  // order kept
    CHECK(j["results"].size() == plans().size());
  }
  // Every trial's verdicts add up to the readable records.
  for (const auto& t : summary.trials) CHECK(t.eligible + t.undetermined + t.ineligible == 297);
}

TEST_CASE("the same bytes whatever the thread count and batch size", "[screen]") {
  std::string input = population(0, 500);
  std::string one = run_screen(input, 1);
  CHECK(one == run_screen(input, 2));
  CHECK(one == run_screen(input, 3, ScreenFormat::jsonl, nullptr, 7));
  CHECK(run_screen(input, 1, ScreenFormat::csv) == run_screen(input, 2, ScreenFormat::csv));
}

TEST_CASE("screening chunks separately and concatenating equals screening the whole", "[screen]") {
  std::string whole = run_screen(population(0, 400), 2);
  std::string a = run_screen(population(0, 150), 1), b = run_screen(population(150, 250), 2);
  // No state crosses records, so output does not depend on where a chunk
  // starts. (Only error records name their line, which counts per chunk.)
  CHECK(whole == a + b);
}

TEST_CASE("screen agrees with match for every patient of a generated sample", "[screen]") {
  std::string input = population(1000, 200, 11);
  auto out = lines_of(run_screen(input, 2));
  auto in = lines_of(input);
  REQUIRE(out.size() == in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    Diagnostics w;
    Profile p = load_patient(json::parse(in[i]), "x", bundled_lexicon(), w);
    PatientFacts facts(p, bundled_lexicon(), resolve_as_of(std::nullopt, p));
    std::vector<TrialResult> rs;
    for (const auto& plan : plans()) rs.push_back(evaluate_trial(plan, facts, bundled_lexicon()));
    rank(rs);
    auto j = json::parse(out[i]);
    REQUIRE(j["results"].size() == rs.size());
    for (std::size_t k = 0; k < rs.size(); ++k) {
      INFO(p.id << " " << rs[k].trial->id);
      CHECK(j["results"][k]["trial"] == rs[k].trial->id);
      CHECK(j["results"][k]["verdict"] == to_string(rs[k].verdict));
      CHECK(j["results"][k]["score"].get<double>() == Approx(rs[k].score));
    }
  }
}

TEST_CASE("CSV: a header, then one row per patient and trial, errors in their own rows", "[screen]") {
  std::string input = population(0, 20) + "not json\n";
  auto rows = lines_of(run_screen(input, 2, ScreenFormat::csv));
  REQUIRE(rows.size() == 1 + 20 * plans().size() + 1);
  CHECK(rows[0] == "line,patient,trial,verdict,score,not_met,excluded_by,unknown,error");
  CHECK_THAT(rows[1], Catch::StartsWith("1,SYN-3-0,"));
  CHECK_THAT(rows.back(), Catch::StartsWith("21,,,,,,,,"));
}

TEST_CASE("the summary is written as JSON and read as a table", "[screen]") {
  ScreenSummary s;
  run_screen(population(0, 100), 2, ScreenFormat::jsonl, &s);
  auto j = s.to_json();
  CHECK(j["records"] == 100);
  CHECK(j["trials"].size() == plans().size());
  CHECK(j["trials"][0]["criteria"].size() == plans()[0].criteria.size());
  std::ostringstream table;
  s.print(table);
  CHECK_THAT(table.str(), Catch::Contains("Screened 100 records (0 unreadable)"));
}

TEST_CASE("screen from the command line: stdin, --out, --summary", "[screen][cli]") {
  std::ostringstream out, err;
  CHECK(cli::run({"screen", "/nonexistent.jsonl"}, out, err) == 1);
  CHECK_THAT(err.str(), Catch::Contains("/nonexistent.jsonl: error: cannot open file"));
  std::ostringstream o2, e2;
  CHECK(cli::run({"screen"}, o2, e2) == 2);
  std::ostringstream o3, e3;
  CHECK(cli::run({"generate", "--count", "3", "--seed", "5"}, o3, e3) == 0);
  CHECK(lines_of(o3.str()).size() == 3);
  CHECK(o3.str() == population(0, 3, 5));
}
