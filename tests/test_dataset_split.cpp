#include <catch2/catch.hpp>

#include <map>

#include "datasets.hpp"
#include "engine/criteria_splitter.hpp"
#include "engine/json_util.hpp"

using namespace trialmatch;
using namespace trialmatch::testing;

TEST_CASE("every real criteria text splits into criteria or a clear diagnostic", "[datasets][splitter]") {
  TRIALMATCH_REQUIRE_DATASETS(datasets_dir() + "/top_hint_trial_outcome");
  auto texts = all_criteria_texts();
  // 7,361 unique trials across TOP/HINT, LCT and Chia (datasets/INDEX.md).
  CHECK(texts.size() >= 7300);
  std::size_t criteria = 0, with_both = 0, no_heading = 0, empty = 0;
  for (const auto& t : texts) {
    auto r = split_criteria(t.text);
    INFO(t.source);
    REQUIRE((!r.criteria.empty() || !r.diagnostics.empty()));
    if (r.criteria.empty()) {
      ++empty;
      CHECK(r.diagnostics.back().severity == Severity::error);
    }
    bool inc = false, exc = false;
    for (const auto& c : r.criteria) {
      CHECK_FALSE(c.text.empty());
      CHECK(c.id.size() >= 2);
      (c.kind == CriterionKind::inclusion ? inc : exc) = true;
    }
    criteria += r.criteria.size();
    with_both += inc && exc;
    for (const auto& d : r.diagnostics)
      if (d.message.find("no inclusion/exclusion headings") != std::string::npos) ++no_heading;
  }
  WARN("split " << texts.size() << " trials into " << criteria << " criteria; " << with_both
                << " with both sections, " << no_heading << " without headings, " << empty << " empty");
  // Most registry texts carry both headings; the splitter must find them.
  CHECK(with_both > texts.size() * 9 / 10);
  CHECK(criteria > 90000);
}

TEST_CASE("TOP/HINT item counts agree with the independently derived lines", "[datasets][splitter]") {
  TRIALMATCH_REQUIRE_DATASETS(datasets_dir() + "/top_hint_trial_outcome");
  // TOP/HINT's derived_criteria_lines.jsonl re-joined bullets independently;
  // per trial our item count (sub-items included) should agree for most.
  auto texts = all_criteria_texts();
  std::map<std::string, std::size_t> ours;
  for (const auto& t : texts)
    if (t.source.rfind("top_hint:", 0) == 0) ours[t.source.substr(9)] = split_criteria(t.text).criteria.size();
  std::map<std::string, std::size_t> theirs;
  std::string lines = read_file(datasets_dir() + "/top_hint_trial_outcome/derived_criteria_lines.jsonl");
  std::size_t pos = 0;
  while (pos < lines.size()) {
    auto nl = lines.find('\n', pos);
    if (nl == std::string::npos) nl = lines.size();
    auto j = nlohmann::json::parse(lines.substr(pos, nl - pos), nullptr, false);
    pos = nl + 1;
    if (j.is_object() && j.contains("nct_id")) ++theirs[j["nct_id"].get<std::string>()];
  }
  std::size_t compared = 0, agree = 0;
  for (const auto& [id, n] : theirs) {
    auto it = ours.find(id);
    if (it == ours.end()) continue;
    ++compared;
    if (it->second == n) ++agree;
    else if (std::getenv("TRIALMATCH_SHOW_DISAGREEMENTS")) WARN(id << ": ours " << it->second << ", derived " << n);
  }
  WARN(agree << " of " << compared << " TOP/HINT trials have the same item count as the derived lines");
  CHECK(compared > 4000);
  CHECK(agree > compared * 7 / 10);
}
