#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "cli/commands.hpp"
#include "datasets.hpp"
#include "engine/json_util.hpp"
#include "engine/lexicon.hpp"
#include "engine/screen.hpp"
#include "engine/trial_compiler.hpp"
#include "engine/trial_loader.hpp"
#include "patients/patient_loader.hpp"
#include "patients/profile_fast.hpp"
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
                       ScreenSummary* summary = nullptr, std::size_t batch = 64, bool fast_reader = true,
                       std::optional<Date> as_of = std::nullopt, const std::vector<TrialPlan>* trial_plans = nullptr) {
  std::istringstream in(input);
  std::ostringstream out;
  ScreenOptions o;
  o.fast_reader = fast_reader;
  o.as_of = as_of;
  o.threads = threads;
  o.format = format;
  o.input_name = "pop.jsonl";
  o.batch_lines = batch;
  auto s = screen(in, out, trial_plans ? *trial_plans : plans(), bundled_lexicon(), o);
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

TEST_CASE("a file is mapped and read in place: the same bytes as a stream", "[screen]") {
  const auto dir = std::filesystem::temp_directory_path() / ("trialmatch_mapped_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  auto check = [&](const std::string& name, const std::string& input) {
    INFO(name);
    const std::string path = (dir / name).string();
    {
      std::ofstream f(path, std::ios::binary);
      f << input;
    }
    for (int threads : {1, 2}) {
      for (std::size_t batch : {std::size_t{3}, std::size_t{64}}) {
        std::istringstream in(input);
        std::ostringstream streamed, mapped;
        ScreenOptions o;
        o.threads = threads;
        o.batch_lines = batch;
        o.input_name = "pop.jsonl";
        auto a = screen(in, streamed, plans(), bundled_lexicon(), o);
        auto b = screen(path, mapped, plans(), bundled_lexicon(), o);
        CHECK(streamed.str() == mapped.str());
        CHECK(a.to_json() == b.to_json());
      }
    }
    std::ostringstream mapped;
    ScreenOptions o;
    o.input_name = "pop.jsonl";
    screen(path, mapped, plans(), bundled_lexicon(), o);
    return lines_of(mapped.str()).size();
  };
  const std::string pop = population(0, 200);
  CHECK(check("plain.jsonl", pop) == 200);
  CHECK(check("unterminated.jsonl", pop.substr(0, pop.size() - 1)) == 200);
  CHECK(check("empty.jsonl", "") == 0);
  CHECK(check("blank-lines.jsonl", "\n\r\n" + population(0, 3) + "\n") == 6);
  std::string crlf;
  for (const auto& l : lines_of(population(0, 50))) crlf += l + "\r\n";
  CHECK(check("crlf.jsonl", crlf) == 50);
  // The last line ends where the file's last page does: nothing readable
  // follows it, so the reader must not read ahead there.
  for (std::string last : {std::string(R"({"id":"LAST","sex":"male","birth_date":"1990-01-01"})"), std::string("{\"id\":\"LAST\"}\n")}) {
    std::string head = population(0, 20);
    std::string fill = R"({"id":"FILL","sex":"female","x":")";
    const std::size_t target = (head.size() + fill.size() + last.size() + 3 + page) / page * page;
    head += fill + std::string(target - head.size() - fill.size() - last.size() - 3, 'x') + "\"}\n";
    REQUIRE((head + last).size() % page == 0);
    CHECK(check("page-end.jsonl", head + last) == 22);
  }
  // A line longer than a whole round (megabytes) is a round of its own.
  std::string huge = population(0, 5) + R"({"id":"HUGE","sex":"female","x":")" + std::string(10u << 20, 'y') + "\"}\n" + population(5, 5);
  CHECK(check("huge.jsonl", huge) == 11);
  std::filesystem::remove_all(dir);
}

TEST_CASE("screening chunks separately and concatenating equals screening the whole", "[screen]") {
  std::string whole = run_screen(population(0, 400), 2);
  std::string a = run_screen(population(0, 150), 1), b = run_screen(population(150, 250), 2);
  // No state crosses records, so output does not depend on where a chunk
  // starts. (Only error records name their line, which counts per chunk.)
  CHECK(whole == a + b);
}

namespace {

// Every example profile and Synthea bundle on one line each.
std::string real_profiles() {
  std::string out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(TRIALMATCH_SOURCE_DIR) + "/patients/examples"))
    out += json::parse(read_file(e.path().string())).dump() + "\n";
  std::string synthea = std::string(TRIALMATCH_DATASETS_DIR) + "/synthea_smart_r4/bundles";
  if (std::filesystem::exists(synthea)) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(synthea)) files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out += json::parse(read_file(f)).dump() + "\n";
  }
  return out;
}

std::vector<std::string> ids_where(const TrialResult& r, bool (*pick)(const CriterionResult&)) {
  std::vector<std::string> out;
  for (const auto& c : r.criteria)
    if (pick(c)) out.push_back(c.criterion->id);
  return out;
}

// The explaining evaluator (what `match` and `explain` print) against what
// screen wrote, criterion by criterion.
void check_agrees_with_match(const std::string& input, std::optional<Date> as_of,
                             const std::vector<TrialPlan>& trial_plans = plans()) {
  auto out = lines_of(run_screen(input, 2, ScreenFormat::jsonl, nullptr, 64, true, as_of, &trial_plans));
  auto in = lines_of(input);
  REQUIRE(out.size() == in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    Diagnostics w;
    Profile p = load_patient(json::parse(in[i]), "x", bundled_lexicon(), w);
    PatientFacts facts(p, bundled_lexicon(), resolve_as_of(as_of, p));
    std::vector<TrialResult> rs;
    for (const auto& plan : trial_plans) rs.push_back(evaluate_trial(plan, facts, bundled_lexicon()));
    rank(rs);
    auto j = json::parse(out[i]);
    REQUIRE(j["results"].size() == rs.size());
    for (std::size_t k = 0; k < rs.size(); ++k) {
      INFO(p.id << " " << rs[k].trial->id);
      const auto& jr = j["results"][k];
      CHECK(jr["trial"] == rs[k].trial->id);
      CHECK(jr["verdict"] == to_string(rs[k].verdict));
      CHECK(jr["score"].get<double>() == Approx(rs[k].score));
      auto inclusion = [](const CriterionResult& c) { return c.criterion->kind == CriterionKind::inclusion; };
      CHECK(jr["not_met"].get<std::vector<std::string>>() ==
            ids_where(rs[k], [](const CriterionResult& c) { return c.criterion->kind == CriterionKind::inclusion && c.outcome == Outcome::not_met; }));
      CHECK(jr["excluded_by"].get<std::vector<std::string>>() ==
            ids_where(rs[k], [](const CriterionResult& c) { return c.criterion->kind == CriterionKind::exclusion && c.outcome == Outcome::met; }));
      CHECK(jr["unknown"].get<std::vector<std::string>>() ==
            ids_where(rs[k], [](const CriterionResult& c) { return c.outcome == Outcome::unknown && c.result.reason != Unknown::manual; }));
      CHECK(jr["to_confirm"].get<std::vector<std::string>>() ==
            ids_where(rs[k], [](const CriterionResult& c) { return c.outcome == Outcome::unknown && c.result.reason == Unknown::manual; }));
      (void)inclusion;
    }
  }
}

}  // namespace

TEST_CASE("screen agrees with match, criterion by criterion, for a generated sample", "[screen]") {
  check_agrees_with_match(population(1000, 1500, 11), std::nullopt);
}

TEST_CASE("screen agrees with match for the example profiles and the Synthea bundles", "[screen][datasets]") {
  // Synthea records end long ago: an as-of inside their time makes their
  // labs and conditions count.
  check_agrees_with_match(real_profiles(), std::nullopt);
  check_agrees_with_match(real_profiles(), parse_iso_date("2015-06-01"));
}

TEST_CASE("screen agrees with match, criterion by criterion, on real trials", "[screen][datasets]") {
  // The screening plan folds constants, groups presence tests into bit sets
  // and shares rules between trials; none of it may change an outcome. Real
  // criteria (the 81 type 1 diabetes trials and 150 others) exercise all of it.
  TRIALMATCH_REQUIRE_DATASETS(testing::datasets_dir() + "/top_hint_trial_outcome");
  static std::vector<Trial> trials = [] {
    std::vector<Trial> out;
    std::string lines = read_file(testing::datasets_dir() + "/t1d_subset/t1d_trials.jsonl");
    std::istringstream in(lines);
    for (std::string line; std::getline(in, line);) {
      auto j = json::parse(line);
      std::string text = j.contains("criteria") ? j["criteria"].get<std::string>()
                                                : "Inclusion Criteria:\n" + j["inclusion"].get<std::string>() +
                                                      "\nExclusion Criteria:\n" + j["exclusion"].get<std::string>();
      json t = {{"trialmatch_trial", 1}, {"id", j["nct_id"]}, {"criteria", text}};
      for (auto& trial : load_trial_document(t, "t1d_trials.jsonl")) out.push_back(std::move(trial));
    }
    std::size_t others = 0;
    for (const auto& c : testing::all_criteria_texts()) {
      if (others == 150) break;
      if (c.source.rfind("top_hint:", 0) != 0) continue;
      json t = {{"trialmatch_trial", 1}, {"id", c.source.substr(9)}, {"criteria", c.text}};
      for (auto& trial : load_trial_document(t, "top_hint")) out.push_back(std::move(trial));
      ++others;
    }
    compile_trials(out, bundled_lexicon());
    return out;
  }();
  std::vector<TrialPlan> real;
  for (const auto& t : trials) real.push_back(plan_trial(t, bundled_lexicon()));
  REQUIRE(real.size() == 231);
  check_agrees_with_match(population(0, 150, 21), std::nullopt, real);
  check_agrees_with_match(real_profiles(), parse_iso_date("2015-06-01"), real);
}

TEST_CASE("two comparisons of one age or one measure are read once, with the outcomes of both", "[screen]") {
  // "Aged 18-65" and "BMI < 14 or > 35" become one operation each that reads
  // the age or the newest value once; mixed units and multiples of the ULN
  // stay two. Every boundary, a missing, stale, implausible or unconvertible
  // value, and an age given only in years must give what match gives.
  json doc = {{"trialmatch_trial", 1},
              {"id", "T-PAIR"},
              {"criteria",
               "Inclusion Criteria:\n- Aged 18-65 years\n- HbA1c between 7% and 10%\n"
               "- Age from 6 months to 17 years\n"
               "Exclusion Criteria:\n- BMI < 14 or > 35 kg/m2\n- ALT > 3 x ULN or ALT < 5 U/L\n"}};
  static std::vector<Trial> trials = load_trial_document(doc, "pair.json");
  compile_trials(trials, bundled_lexicon());
  const std::vector<TrialPlan> pair_plans = {plan_trial(trials.front(), bundled_lexicon())};
  int pairs = 0;
  for (const auto& op : pair_plans.front().lean.ops)
    pairs += op.code == LeanOp::Code::age_pair || op.code == LeanOp::Code::measure_pair;
  CHECK(pairs == 3);  // I1, I2, E1

  const std::vector<json> births = {"2008-01-15", "2008-01-16", "1960-01-15", "1960-01-16", "2025-07-15", "2025-07-16",
                                    nullptr};
  const std::vector<json> ages = {nullptr, 17.9, 18, 65.5, 66};
  const std::vector<std::pair<json, std::string>> hba1c = {
      {7, "%"},     {6.99, "%"}, {10, "%"},     {10.01, "%"},       {53, "mmol/mol"}, {86, "mmol/mol"},
      {8, "mg/dL"}, {40, "%"},   {nullptr, ""}, {8, "% (stale)"}};
  const std::vector<json> bmi = {13.9, 14, 35, 35.1, 5, nullptr};
  const std::vector<json> alt = {4, 5, 130, nullptr};
  std::string input;
  for (std::size_t i = 0; i < 140; ++i) {
    std::string id = "P";  // appended, not "P" + string: g++ 12 warns falsely (-Wrestrict) on that
    id += std::to_string(i);
    json p = {{"id", id}, {"as_of", "2026-01-15"}, {"sex", "female"}};
    const json& birth = births[i % births.size()];
    if (!birth.is_null()) p["birth_date"] = birth;
    else if (!ages[i / births.size() % ages.size()].is_null()) p["age"] = ages[i / births.size() % ages.size()];
    json obs = json::array();
    const auto& [a1c, unit] = hba1c[i % hba1c.size()];
    if (!a1c.is_null()) {
      const bool stale = unit == "% (stale)";
      obs.push_back({{"concept", "hba1c"}, {"value", a1c}, {"unit", stale ? "%" : unit}, {"date", stale ? "2020-01-01" : "2025-12-01"}});
    }
    if (const json& b = bmi[i % bmi.size()]; !b.is_null())
      obs.push_back({{"concept", "bmi"}, {"value", b}, {"unit", "kg/m2"}, {"date", "2025-11-01"}});
    if (const json& v = alt[i / 7 % alt.size()]; !v.is_null()) {
      json o = {{"concept", "alt"}, {"value", v}, {"unit", "U/L"}, {"date", "2025-12-20"}};
      if (i % 3 == 0) o["reference_high"] = 40;
      obs.push_back(o);
    }
    p["observations"] = obs;
    input += p.dump() + "\n";
  }
  check_agrees_with_match(input, std::nullopt, pair_plans);
  // And the outcomes themselves, for a few: P0 is 18 on the day, HbA1c 7 %.
  auto out = lines_of(run_screen(input, 1, ScreenFormat::jsonl, nullptr, 64, true, std::nullopt, &pair_plans));
  auto first = json::parse(out[0])["results"][0];
  CHECK(first["not_met"] == json::array({"I3"}));
  auto second = json::parse(out[1])["results"][0];  // a day short of 18; HbA1c 6.99 %
  CHECK(second["not_met"] == json::array({"I1", "I2"}));
}

TEST_CASE("a record counts for X except(Y) only when it is not also a record of Y, in both evaluators", "[screen]") {
  json doc = {{"trialmatch_trial", 1},
              {"id", "T-EXCEPT"},
              {"criteria",
               "Exclusion Criteria:\n- Diabetes mellitus (DM) other than T1DM\n"
               "- Use of antidiabetic agent other than insulin or insulin analog at the time of screening.\n"
               "- Treatment with antidiabetic drug other than insulin in the 3 months prior to visit 1\n"
               "- Severe hypoglycaemia or any cardiovascular event other than a stroke\n"}};
  static std::vector<Trial> trials = load_trial_document(doc, "except.json");
  compile_trials(trials, bundled_lexicon());
  REQUIRE(trials.front().criteria[0].compiled.rule);
  CHECK(ast::print(*trials.front().criteria[0].compiled.rule) == "diabetes except(type1_diabetes)");
  CHECK(ast::print(*trials.front().criteria[2].compiled.rule) == "antidiabetic within 3 months except(insulin)");
  const std::vector<TrialPlan> except_plans = {plan_trial(trials.front(), bundled_lexicon())};
  const std::string input =
      // Type 1 diabetes on insulin only: none of the exclusions.
      R"({"id":"A","as_of":"2026-11-01","conditions":[{"concept":"type1_diabetes","onset":"2010-01-01"}],)"
      R"("medications":[{"concept":"insulin","start":"2010-01-01"}]})" "\n"
      // Type 1 diabetes (a code) on insulin and, for two months, metformin (ATC codes).
      R"({"id":"B","as_of":"2026-11-01","conditions":[{"code":"E10.9","system":"icd10","onset":"2010-01-01"}],)"
      R"("medications":[{"code":"A10AB05","system":"atc","start":"2010-01-01"},{"code":"A10BA02","system":"atc","start":"2026-09-01"}]})" "\n"
      // Both types on record; metformin stopped ten months ago.
      R"({"id":"C","as_of":"2026-11-01","conditions":[{"code":"E11.9","system":"icd10","onset":"2010-01-01"},)"
      R"({"code":"E10.9","system":"icd10","onset":"2010-01-01"}],)"
      R"("medications":[{"concept":"metformin","start":"2020-01-01","end":"2026-01-01","status":"stopped"}]})" "\n"
      // A severe hypoglycaemia event, and a stroke coded as a condition (an event).
      R"({"id":"D","as_of":"2026-11-01","events":[{"concept":"severe_hypoglycemia","date":"2026-10-01"}],)"
      R"("conditions":[{"code":"I63.9","system":"icd10","onset":"2026-05-01"}]})" "\n";
  check_agrees_with_match(input, std::nullopt, except_plans);
  auto out = lines_of(run_screen(input, 1, ScreenFormat::jsonl, nullptr, 64, true, std::nullopt, &except_plans));
  REQUIRE(out.size() == 4);
  CHECK(json::parse(out[0])["results"][0]["excluded_by"] == json::array());
  CHECK(json::parse(out[1])["results"][0]["excluded_by"] == json::array({"E2", "E3"}));
  CHECK(json::parse(out[2])["results"][0]["excluded_by"] == json::array({"E1"}));
}

TEST_CASE("a positive autoantibody on record counts however it waned in both evaluators", "[screen]") {
  json doc = {{"trialmatch_trial", 1},
              {"id", "T-WANE"},
              {"criteria",
               "Inclusion Criteria:\n- At least one positive result for diabetes-related autoantibodies [GADA, IA-2A, IAA, ICA, ZnT8A]\n"
               "- GAD65 antibody positive\nExclusion Criteria:\n- GAD65 antibody negative\n"}};
  static std::vector<Trial> trials = load_trial_document(doc, "wane.json");
  compile_trials(trials, bundled_lexicon());
  REQUIRE(trials.front().criteria[0].compiled.rule);
  const std::vector<TrialPlan> plans = {plan_trial(trials.front(), bundled_lexicon())};
  const std::string input =
      // Positive at diagnosis, negative years later: positive on record.
      R"({"id":"A","as_of":"2026-11-01","observations":[{"concept":"gada","value":"positive","date":"2015-01-01"},)"
      R"({"concept":"gada","value":"negative","date":"2025-01-01"}]})" "\n"
      // Only negative results.
      R"({"id":"B","as_of":"2026-11-01","observations":[{"concept":"gada","value":"negative","date":"2015-01-01"}]})" "\n"
      // A titre without a cut-off, then a negative: undecided.
      R"({"id":"C","as_of":"2026-11-01","observations":[{"concept":"gada","value":12,"unit":"U/mL","date":"2015-01-01"},)"
      R"({"concept":"gada","value":"negative","date":"2025-01-01"}]})" "\n";
  check_agrees_with_match(input, std::nullopt, plans);
  auto out = lines_of(run_screen(input, 1, ScreenFormat::jsonl, nullptr, 64, true, std::nullopt, &plans));
  REQUIRE(out.size() == 3);
  auto a = json::parse(out[0])["results"][0];
  CHECK(a["not_met"] == json::array());
  // A's newest result is negative: a criterion asking for a negative reads the newest.
  CHECK(a["excluded_by"] == json::array({"E1"}));
  // B: GADA negative, the other antibodies untested: one of them may be positive.
  CHECK(json::parse(out[1])["results"][0]["not_met"] == json::array({"I2"}));
  CHECK(json::parse(out[1])["results"][0]["unknown"] == json::array({"I1"}));
  // C: a titre with no cut-off is not read as negative, so positivity stays open.
  auto c = json::parse(out[2])["results"][0];
  CHECK(c["unknown"] == json::array({"I1", "I2"}));
  CHECK(c["excluded_by"] == json::array({"E1"}));
}

TEST_CASE("sub-items under 'one of the following' are alternatives and a label heading decides with them", "[screen]") {
  json doc = {{"trialmatch_trial", 1},
              {"id", "T-SUB"},
              {"criteria",
               "Inclusion Criteria:\n1. Adequate glycaemia as defined by one of the following:\n   a. HbA1c below 9%\n"
               "   b. BMI below 30\n2. No thrombotic events including any of the following:\n   a. Stroke\n"
               "   b. Pulmonary embolism\nExclusion Criteria:\n1. Any of the following conditions:\n   a. HIV\n"
               "   b. hepatitis B\n"}};
  static std::vector<Trial> trials = load_trial_document(doc, "sub.json");
  compile_trials(trials, bundled_lexicon());
  std::vector<std::string> ids;
  for (const auto& c : trials.front().criteria) ids.push_back(c.id);
  // The alternatives fold into I1; the negated heading's examples stay items of their own.
  CHECK(ids == std::vector<std::string>{"I1", "I2", "I2.1", "I2.2", "E1", "E1.1", "E1.2"});
  REQUIRE(trials.front().criteria[0].compiled.rule);
  CHECK(ast::print(*trials.front().criteria[0].compiled.rule) == "hba1c < 9 % or bmi < 30 kg/m2");
  CHECK(trials.front().criteria[0].compiled.unparsed.empty());
  // An item's own residue stays residue when the heading's label is set aside.
  json doc2 = {{"trialmatch_trial", 1},
               {"id", "T-SUB2"},
               {"criteria", "Inclusion Criteria:\n1. Adequate function as defined by one of the following:\n"
                            "   a. HbA1c below 9% with xylophagy\n   b. BMI below 30\n"}};
  auto t2 = load_trial_document(doc2, "sub2.json");
  compile_trials(t2, bundled_lexicon());
  REQUIRE(t2.front().criteria.size() == 1);
  REQUIRE(t2.front().criteria[0].compiled.unparsed.size() == 1);
  CHECK(t2.front().criteria[0].compiled.unparsed[0].text == "xylophagy");
  CHECK(ast::print(*trials.front().criteria[4].compiled.rule) == "hiv or viral_hepatitis");
  const std::vector<TrialPlan> plans = {plan_trial(trials.front(), bundled_lexicon())};
  const std::string input =
      // HbA1c fails, BMI passes: one alternative is enough.
      R"({"id":"A","as_of":"2026-11-01","observations":[{"concept":"hba1c","value":9.5,"unit":"%","date":"2026-10-01"},)"
      R"({"concept":"bmi","value":25,"unit":"kg/m2","date":"2026-10-01"}]})" "\n"
      // Both fail.
      R"({"id":"B","as_of":"2026-11-01","observations":[{"concept":"hba1c","value":9.5,"unit":"%","date":"2026-10-01"},)"
      R"({"concept":"bmi","value":35,"unit":"kg/m2","date":"2026-10-01"}]})" "\n";
  check_agrees_with_match(input, std::nullopt, plans);
  auto out = lines_of(run_screen(input, 1, ScreenFormat::jsonl, nullptr, 64, true, std::nullopt, &plans));
  REQUIRE(out.size() == 2);
  // A: I1 met on BMI; the items under I2's "no" are forbidden, and A has neither.
  // I2 itself ("thrombotic events") is not understood: unknown, not a failure.
  CHECK(json::parse(out[0])["results"][0]["not_met"] == json::array());
  CHECK(json::parse(out[0])["results"][0]["unknown"] == json::array({"I2"}));
  CHECK(json::parse(out[1])["results"][0]["not_met"] == json::array({"I1"}));
}

TEST_CASE("items under a negated heading that allow values up to the normal limit are required, not forbidden",
          "[compile][headings]") {
  json doc = {{"trialmatch_trial", 1},
              {"id", "T-NORMAL"},
              {"criteria", "Inclusion Criteria:\n1. No clinically significant abnormalities in chemistry variables:\n"
                           "   a. Platelets >100,000/mm3\n   b. Serum creatinine within normal limits\n"
                           "2. No significant cardiac disease, including any of the following:\n   a. QTc > 480 msec\n"}};
  auto trials = load_trial_document(doc, "normal.json");
  compile_trials(trials, bundled_lexicon());
  const auto& c = trials.front().criteria;
  REQUIRE(c.size() == 5);
  REQUIRE(c[1].compiled.rule);
  REQUIRE(c[2].compiled.rule);
  REQUIRE(c[4].compiled.rule);
  // Read as forbidden, every patient with normal platelets failed.
  CHECK(ast::print(*c[1].compiled.rule) == "platelets > 100000 /uL");
  CHECK(ast::print(*c[2].compiled.rule) == "creatinine <= 1 xULN");
  // An abnormality listed under "No ... including" stays forbidden.
  CHECK(ast::print(*c[4].compiled.rule) == "not qtc > 480 ms");
}

TEST_CASE("an item a negated heading forbids that holds for a group is forbidden with its group", "[compile][headings]") {
  json doc = {{"trialmatch_trial", 1},
              {"id", "T-GROUP"},
              {"criteria", "Inclusion Criteria:\n1. No cardiovascular conditions, including any of the following:\n"
                           "   a. LVEF < 45% for patients with renal insufficiency\n"
                           "2. Creatinine clearance >= 60 mL/min for patients with renal insufficiency\n"}};
  auto trials = load_trial_document(doc, "group.json");
  compile_trials(trials, bundled_lexicon());
  const auto& c = trials.front().criteria;
  REQUIRE(c.size() == 3);
  REQUIRE(c[1].compiled.rule);
  REQUIRE(c[2].compiled.rule);
  // Negating the requirement `not kidney_disease or lvef < 45 %` failed every
  // patient with LVEF < 45% and no kidney disease.
  CHECK(ast::print(*c[1].compiled.rule) == "not (kidney_disease and lvef < 45 %)");
  // Required, it holds for the group only.
  CHECK(ast::print(*c[2].compiled.rule) == "not kidney_disease or egfr >= 60 mL/min");
}

TEST_CASE("items under a heading that names a measure are its bounds", "[compile][headings]") {
  json doc = {{"trialmatch_trial", 1},
              {"id", "T-HEAD"},
              {"criteria", "Inclusion Criteria:\nAge:\n- 18 and over\nPerformance status:\n- WHO 0-2\n"
                           "Hematopoietic:\n- 18 and over\nLife expectancy:\n- More than 12 weeks\n"}};
  auto trials = load_trial_document(doc, "head.json");
  compile_trials(trials, bundled_lexicon());
  const auto& c = trials.front().criteria;
  REQUIRE(c.size() == 4);
  REQUIRE(c[0].compiled.rule);
  CHECK(ast::print(*c[0].compiled.rule) == "age >= 18 years");
  CHECK(c[0].compiled.unparsed.empty());
  REQUIRE(c[0].compiled.atoms.size() == 1);
  CHECK(c[0].compiled.atoms[0].source == "18 and over");  // the item's own words, not the heading's
  REQUIRE(c[1].compiled.rule);
  CHECK(ast::print(*c[1].compiled.rule) == "ecog >= 0 {score} and ecog <= 2 {score}");
  // A heading that names no measure lends nothing...
  CHECK(c[2].compiled.status == grammar::Status::unparsed);
  // ...unless with it the item is for a person to confirm.
  REQUIRE(c[3].compiled.rule);
  CHECK(ast::print(*c[3].compiled.rule) == "manual(judgement)");
}

TEST_CASE("sub-items under 'at least two of the following' are n of m, and screen agrees with match", "[screen][n_of_m]") {
  json doc = {{"trialmatch_trial", 1},
              {"id", "T-NOFM"},
              {"criteria",
               "Inclusion Criteria:\n1. At least two of the following risk factors:\n   a. HbA1c above 8%\n"
               "   b. BMI above 30\n   c. Hypertension\nExclusion Criteria:\n1. Two or more of the following:\n"
               "   a. HIV\n   b. hepatitis B\n   c. pregnancy\n"}};
  static std::vector<Trial> trials = load_trial_document(doc, "nofm.json");
  compile_trials(trials, bundled_lexicon());
  REQUIRE(trials.front().criteria.size() == 2);
  CHECK(ast::print(*trials.front().criteria[0].compiled.rule) == "at_least(2, hba1c > 8 %, bmi > 30 kg/m2, hypertension)");
  CHECK(ast::print(*trials.front().criteria[1].compiled.rule) == "at_least(2, hiv, viral_hepatitis, pregnancy)");
  CHECK(trials.front().criteria[0].compiled.unparsed.empty());
  const std::vector<TrialPlan> plans = {plan_trial(trials.front(), bundled_lexicon())};
  const std::string input =
      // Two of three risk factors; pregnant only: one of the exclusion's list.
      R"({"id":"A","sex":"female","as_of":"2026-11-01","observations":[{"concept":"hba1c","value":9.5,"unit":"%","date":"2026-10-01"},)"
      R"({"concept":"bmi","value":35,"unit":"kg/m2","date":"2026-10-01"}],)"
      R"("conditions":[{"concept":"pregnancy","onset":"2026-09-01","status":"active"}]})" "\n"
      // One risk factor, BMI not recorded: two are still possible.
      R"({"id":"B","as_of":"2026-11-01","observations":[{"concept":"hba1c","value":9.5,"unit":"%","date":"2026-10-01"}]})" "\n"
      // One risk factor, the others known absent: fewer than two.
      R"({"id":"C","as_of":"2026-11-01","observations":[{"concept":"hba1c","value":9.5,"unit":"%","date":"2026-10-01"},)"
      R"({"concept":"bmi","value":25,"unit":"kg/m2","date":"2026-10-01"}]})" "\n";
  check_agrees_with_match(input, std::nullopt, plans);
  auto out = lines_of(run_screen(input, 1, ScreenFormat::jsonl, nullptr, 64, true, std::nullopt, &plans));
  REQUIRE(out.size() == 3);
  CHECK(json::parse(out[0])["results"][0]["verdict"] == "eligible");
  CHECK(json::parse(out[1])["results"][0]["unknown"] == json::array({"I1"}));
  CHECK(json::parse(out[2])["results"][0]["not_met"] == json::array({"I1"}));
}

TEST_CASE("inclusion items joined by a trailing 'or' are one criterion of alternatives", "[screen]") {
  json doc = {{"trialmatch_trial", 1},
              {"id", "T-OR"},
              {"criteria",
               "Inclusion Criteria:\n- Serum creatinine < 1.5 mg/dL, or\n- HbA1c below 9%\n- Age 18 to 65 years\n"
               "Exclusion Criteria:\n- Pregnancy, or\n- HIV\n"}};
  static std::vector<Trial> trials = load_trial_document(doc, "or.json");
  compile_trials(trials, bundled_lexicon());
  std::vector<std::string> ids;
  for (const auto& c : trials.front().criteria) ids.push_back(c.id);
  CHECK(ids == std::vector<std::string>{"I1", "I3", "E1", "E2"});
  CHECK(ast::print(*trials.front().criteria[0].compiled.rule) == "creatinine < 1.5 mg/dL or hba1c < 9 %");
  const std::vector<TrialPlan> plans = {plan_trial(trials.front(), bundled_lexicon())};
  const std::string input =
      R"({"id":"A","as_of":"2026-11-01","birth_date":"1990-01-01","observations":[{"concept":"creatinine","value":2.0,"unit":"mg/dL","date":"2026-10-01"},)"
      R"({"concept":"hba1c","value":8,"unit":"%","date":"2026-10-01"}]})" "\n";
  check_agrees_with_match(input, std::nullopt, plans);
  auto out = lines_of(run_screen(input, 1, ScreenFormat::jsonl, nullptr, 64, true, std::nullopt, &plans));
  REQUIRE(out.size() == 1);
  CHECK(json::parse(out[0])["results"][0]["verdict"] == "eligible");
}

TEST_CASE("a rule over a few presence tests is read off a table made from the rule itself", "[screen]") {
  // I1: type1_diabetes or (type2_diabetes and not pregnancy), three tests;
  // I2: (type1_diabetes or type2_diabetes) and not pregnancy, two (the
  // pair under "or" is one bit test); E1: ((viral_hepatitis and unparsed)
  // or hiv) and not pregnancy and manual(judgement), three tests and two
  // unknowns.
  json doc = {{"trialmatch_trial", 1},
              {"id", "T-TABLE"},
              {"criteria",
               "Inclusion Criteria:\n- Type 1 diabetes, or type 2 diabetes and not pregnant\n"
               "- Type 1 diabetes or type 2 diabetes, and not pregnant\n"
               "Exclusion Criteria:\n- Active hepatitis B or HIV infection, unless pregnant, or celiac disease as "
               "judged by the investigator\n"}};
  static std::vector<Trial> trials = load_trial_document(doc, "table.json");
  compile_trials(trials, bundled_lexicon());
  const std::vector<TrialPlan> table_plans = {plan_trial(trials.front(), bundled_lexicon())};
  const auto& lean = table_plans.front().lean;
  REQUIRE(lean.table_roots.size() == 3);
  CHECK(lean.table_roots[0].tests == 3);
  CHECK(lean.table_roots[1].tests == 2);
  CHECK(lean.table_roots[2].tests == 3);
  CHECK(lean.general.empty());

  // Every combination of the five conditions, active or resolved.
  const char* concepts[] = {"type1_diabetes", "type2_diabetes", "pregnancy", "viral_hepatitis", "hiv"};
  std::string input;
  for (unsigned on = 0; on < 32; ++on)
    for (const char* status : {"active", "resolved"}) {
      json conditions = json::array();
      for (unsigned k = 0; k < 5; ++k)
        if (on >> k & 1) conditions.push_back({{"concept", concepts[k]}, {"onset", "2020-01-01"}, {"status", status}});
      input += json{{"id", "P" + std::to_string(on) + status}, {"as_of", "2026-01-15"}, {"conditions", conditions}}.dump() + "\n";
    }
  check_agrees_with_match(input, std::nullopt, table_plans);
  auto out = lines_of(run_screen(input, 1, ScreenFormat::jsonl, nullptr, 64, true, std::nullopt, &table_plans));
  auto result = [&](unsigned on) { return json::parse(out[2 * on])["results"][0]; };  // active
  CHECK(result(0b00001)["verdict"] == "eligible");                                    // type 1
  CHECK(result(0b00110)["not_met"] == json::array({"I1", "I2"}));                     // type 2, pregnant
  CHECK(result(0b00010)["verdict"] == "eligible");                                    // type 2
  CHECK(result(0b01001)["to_confirm"] == json::array({"E1"}));                        // hepatitis: B unread, a person judges
  CHECK(result(0b11001)["to_confirm"] == json::array({"E1"}));                        // HIV, not pregnant: a person judges
  CHECK(result(0b11101)["excluded_by"] == json::array());                             // HIV, pregnant: the exception
  CHECK(result(0b11101)["to_confirm"] == json::array());
}

TEST_CASE("the fast profile reader takes plain profiles and declines the rest", "[screen]") {
  const Lexicon& lex = bundled_lexicon();
  FastProfileReader reader;
  LeanFactsBuilder builder(lex);
  auto takes = [&](const std::string& line) { return reader.read(line, builder).has_value(); };
  // Read by the scanner itself: compact or spaced, every record kind.
  CHECK(takes(R"({"id":"T1","sex":"female","birth_date":"2001-02-03","as_of":"2026-01-01"})"));
  CHECK(takes(" { \"id\" :\t\"T2\" , \"observations\" : [ { \"concept\" : \"hba1c\" , \"value\" : 8.25 , \"unit\" : \"%\" , \"date\" : \"2025-01-01\" } ] } "));
  CHECK(takes(R"({"id":"T3","conditions":[{"code":"E10.9","system":"icd10","onset":"2020-01-01","status":"active"}],"medications":[{"concept":"insulin_intensive","start":"2020-01-01"}],"events":[{"concept":"severe_hypoglycemia","date":"2025-11-20"}]})"));
  CHECK(takes(R"({"id":"T4","observations":[{"concept":"gada","value":"Positive","date":"2025-01-01"},{"concept":"c_peptide","value":0.000123456789012,"unit":"nmol/L","date":"2025-01-01","reference_high":-1.5}]})"));
  // Left to the loader: what the scanner does not read exactly as it would.
  for (const char* line : {
           R"({"id":"D1","age":4e1})",                     // an exponent
           R"({"id":"D2","age":-0})",                      // negative zero
           R"({"id":"D3","age":0.1234567890123456})",      // 16 significant digits
           R"({"id":"D4-é"})",                             // a byte above 0x7F
           R"({"id":"D\u0035"})",                          // an escape
           R"({"id":"D6","sex":null})",                    // null
           R"({"id":"D7","dat":"2020-01-01"})",            // a key a prefix of a known one
           R"({"id":"D8","ages":3})",                      // a key a known one is a prefix of
           R"({"id":"D9","age":040})",                     // a leading zero
           R"({"id":"D10",})",                             // a trailing comma
           R"({"id":"D11"} x)",                            // something after the object
           R"({"id":"D12","sex)",                          // cut short in a key
           R"({"id":"D13","age":3,"age":4})",              // a duplicate key
           R"({"id":"D14","observations":[{"concept":"hba1c","value":8,"unit":"%","date":"2025-01-01"},]})",
       })
    CHECK_FALSE(takes(line));
}

TEST_CASE("the fast profile reader and the validating loader give the same bytes", "[screen]") {
  // What the fast reader reads itself and what it must leave to the loader
  // (which then accepts with a warning, or rejects): either way the output
  // must be what the loader alone gives.
  std::string edge = R"({"id":"E1","sex":"Female","birth_date":"2001-02-03","as_of":"2026-01-01","observations":[{"concept":"gada","value":"Not Detected","date":"2025-01-01"},{"concept":"hba1c","value":58,"unit":"mmol/mol","date":"2025-12-01"},{"concept":"hba1c","value":7.9,"unit":"%","date":"2025-12-01"}]}
{"id":"E2","age":40.5,"conditions":[{"code":"E10.9","system":"icd10","onset":"2020-01-01","display":"T1D"}],"favourite":"x"}
{"id":"E3","conditions":[{"code":"E109","system":"icd10"}],"answers":{"NCT06196996/I6":true}}
{"id":"E4","sex":"male","sex":"female"}
{"id":"E5","sex":null,"observations":[]}
{"id":"E6","observations":[{"concept":"c_peptide","value":0.4,"unit":"nmol/l","date":"2025-01-01","reference_high":1e400}]}
{"id":"E7"}{"id":"E8"}
{"id":"E9","conditions":[{"concept":"type1_diabetes","onset":"2025-02-30"}]}
{"id":"E10","medications":[{"concept":"insulin_intensive","start":"2020-01-01","end":"2019-01-01"}]}
{"id":"E11","medications":[{"concept":"insulin_intensive","start":"2020-01-01","status":"stopped","end":"2024-01-01"}],"events":[{"concept":"severe_hypoglycemia","date":"2025-11-20"},{"code":"E16.0","system":"icd10","date":"2025-12-01"}]}
{"id":"E12","observations":[{"code":"4548-4","system":"loinc","value":9.1,"unit":"%","date":"2025-06-01","interpretation":"H"}]}
{"id":"","sex":"male"}
{"id":"E14","age":131}
{"id":"E15","birth_date":"2030-01-01","as_of":"2026-01-01"}
{"id":"E16","conditions":[{"concept":"no_such_concept"},{"code":"Z99.9","system":"icd10","status":"resolved","abatement":"2020-01-01"}],"observations":[{"concept":"hba1c","value":8,"unit":"furlongs","date":"2025-01-01"}]}
{"id":"E17","observations":[{"concept":"alt","value":90,"unit":"U/L","date":"2025-01-01","reference_low":100,"reference_high":40}]}
{"id":"E18","conditions":[{"code":"E10.9","system":"klingon"}]}
{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"F1","gender":"female","birthDate":"1990-01-01"}}]}
{"id":"E19","birth_date":"1990-01-01","conditions":[{"concept":"type1\u005fdiabetes","onset":"2020-01-01"}]}
{"id":"E20","birth_date":"1990-01-01","conditions":[{"concept":"type1_dia\u0062etes","onset":"2020-01-01","display":"a \"quoted\" name"}]}
{"id": "P": 1 ,"u" 2]}
{"id":"E22","sex":"male" "age": 3}
{"id":"E23","observations":[{"concept":"bmi","value":31,"date":"2025-01-01"}]}
{ "id" : "E24" ,	"sex" : "female" , "observations" : [ { "concept" : "hba1c" , "value" : 8.25 , "unit" : "%" , "date" : "2025-01-01" } ] }
{"id":"E25","observations":[{"concept":"hba1c","value":7.5e0,"unit":"%","date":"2025-01-01"}]}
{"id":"E26","age":-0,"observations":[{"concept":"c_peptide","value":0.12345678901234567,"unit":"nmol/L","date":"2025-01-01"}]}
{"id":"E27-é","sex":"female"}
{"id":"E28","dat":"x","conditions":[{"concept":"type1_diabetes","onsets":"2020-01-01"}]}
{"id":"E29","sex
{"id":"E30"} x
{"id":"E31",}
{"id":"E32","age":040}
)";
  std::string input = population(0, 300, 5) + edge + real_profiles();
  for (auto format : {ScreenFormat::jsonl, ScreenFormat::csv}) {
    ScreenSummary fast, slow;
    std::string a = run_screen(input, 2, format, &fast, 64, true);
    std::string b = run_screen(input, 1, format, &slow, 64, false);
    CHECK(a == b);
    CHECK(fast.to_json() == slow.to_json());
  }
  // The edge lines really do reach both paths: some read, some rejected.
  auto out = lines_of(run_screen(edge, 1));
  REQUIRE(out.size() == 32);
  CHECK(json::parse(out[0])["patient"] == "E1");
  CHECK(json::parse(out[3])["patient"] == "E4");  // a duplicate key: the loader reads it
  CHECK(json::parse(out[6]).contains("error"));   // two objects on one line
  CHECK(json::parse(out[7]).contains("error"));   // 30 February
  CHECK(json::parse(out[17])["patient"] == "F1");  // FHIR Bundle
  CHECK(json::parse(out[23])["patient"] == "E24");  // whitespace between tokens
  CHECK(json::parse(out[24])["patient"] == "E25");  // an exponent: the loader reads it
  CHECK(json::parse(out[25])["patient"] == "E26");  // -0 and 17 digits: the loader reads them
  CHECK(json::parse(out[26])["patient"] == "E27-é");  // non-ASCII: the loader reads it
  CHECK(json::parse(out[27])["patient"] == "E28");  // near-miss keys: unknown to the loader, warned about
  for (int i : {28, 29, 30, 31}) CHECK(json::parse(out[static_cast<std::size_t>(i)]).contains("error"));
  // Escaped strings (the loader unescapes them): type 1 diabetes either way.
  auto plain = json::parse(run_screen(R"({"id":"E19","birth_date":"1990-01-01","conditions":[{"concept":"type1_diabetes","onset":"2020-01-01"}]})" "\n", 1));
  CHECK(json::parse(out[18])["results"] == plain["results"]);
  CHECK(json::parse(out[19])["results"] == plain["results"]);
  // Malformed between fields (found by fuzzing: peeking at a string did not
  // make the reader check what follows it).
  CHECK(json::parse(out[20]).contains("error"));
  CHECK(json::parse(out[21]).contains("error"));
}

TEST_CASE("answers in one record do not carry over to the next", "[screen]") {
  std::string answered =
      R"({"id":"A1","birth_date":"1990-01-01","answers":{"NCT06196996/I6":true,"NCT06196996/E14":false,"NCT06751199/I5":true}})" "\n";
  std::string plain = R"({"id":"A2","birth_date":"1990-01-01"})" "\n";
  std::string together = run_screen(answered + plain + answered + plain, 1);
  std::string a = run_screen(answered, 1), b = run_screen(plain, 1);
  CHECK(together == a + b + a + b);
  CHECK(a.find("\"E14\"") == std::string::npos);  // answered: no longer to confirm
  CHECK(b.find("\"E14\"") != std::string::npos);
}

TEST_CASE("a stream of distinct codes and units keeps the caches bounded and right", "[screen]") {
  // More distinct keys than the caches hold: each record maps as it would alone.
  std::string input;
  for (int i = 0; i < 9000; ++i)
    input += R"({"id":"C)" + std::to_string(i) + R"(","conditions":[{"code":"E10.)" + std::to_string(i % 10) +
             std::to_string(i) + R"(","system":"icd10"}],"observations":[{"concept":"hba1c","value":8,"unit":"u)" +
             std::to_string(i) + R"(","date":"2025-01-01"},{"concept":"hba1c","value":8.2,"unit":"%","date":"2024-01-01"}]})" + "\n";
  CHECK(run_screen(input, 2) == run_screen(input, 1, ScreenFormat::jsonl, nullptr, 64, false));
}

TEST_CASE("CSV: a header, then one row per patient and trial, errors in their own rows", "[screen]") {
  std::string input = population(0, 20) + "not json\n";
  auto rows = lines_of(run_screen(input, 2, ScreenFormat::csv));
  REQUIRE(rows.size() == 1 + 20 * plans().size() + 1);
  CHECK(rows[0] == "line,patient,trial,verdict,score,not_met,excluded_by,unknown,cohort,error");
  CHECK_THAT(rows[1], Catch::StartsWith("1,SYN-3-0,"));
  CHECK_THAT(rows.back(), Catch::StartsWith("21,,,,,,,,,"));
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
  std::ostringstream o1, e1;
  const std::string dir = std::filesystem::temp_directory_path().string();
  CHECK(cli::run({"screen", dir}, o1, e1) == 1);
  CHECK_THAT(e1.str(), Catch::Contains(dir + ": error: is a directory, not a patients file"));
  CHECK(o1.str().empty());
  std::ostringstream o2, e2;
  CHECK(cli::run({"screen"}, o2, e2) == 2);
  std::ostringstream o3, e3;
  CHECK(cli::run({"generate", "--count", "3", "--seed", "5"}, o3, e3) == 0);
  CHECK(lines_of(o3.str()).size() == 3);
  CHECK(o3.str() == population(0, 3, 5));
}

TEST_CASE("'1 of the following' folds its items as alternatives, and items that contradict each other stay unread", "[screen]") {
  json doc = {{"trialmatch_trial", 1},
              {"id", "T-ONE"},
              {"criteria",
               "Inclusion Criteria:\n1. Postmenopausal, as defined by 1 of the following:\n   a. Age 55 and over\n"
               "   b. Age 54 and under AND prior hysterectomy\n2. Adequate renal function as defined by the following:\n"
               "   a. Age 55 and over\n   b. Age 54 and under\n"}};
  auto trials = load_trial_document(doc, "one.json");
  compile_trials(trials, bundled_lexicon());
  REQUIRE(trials.front().criteria.size() == 2);
  REQUIRE(trials.front().criteria[0].compiled.rule);
  CHECK(ast::print(*trials.front().criteria[0].compiled.rule) ==
        "age >= 55 years or (age <= 54 years and unparsed(\"hysterectomy\"))");
  // Required together, the items contradict each other: a misreading, not a rule no one meets.
  const auto& second = trials.front().criteria[1].compiled;
  CHECK(second.status == grammar::Status::unparsed);
  REQUIRE_FALSE(second.notes.empty());
  CHECK_THAT(second.notes.back(), Catch::Contains("which no one meets"));
}
