// Writes N real trials from ../shared/datasets (TOP/HINT texts with both an
// inclusion and an exclusion section, in id order) as native trial files, so
// screening can be measured against real criteria.
//   build-bench/bench/make_trials 100 DIR
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "datasets.hpp"
#include "engine/criteria_splitter.hpp"

using namespace trialmatch;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_trials N DIR\n";
    return 2;
  }
  std::size_t n = std::stoul(argv[1]);
  std::filesystem::create_directories(argv[2]);
  std::size_t written = 0;
  for (const auto& t : testing::all_criteria_texts()) {
    if (written == n) break;
    if (t.source.rfind("top_hint:", 0) != 0) continue;
    auto split = split_criteria(t.text);
    bool inc = false, exc = false;
    for (const auto& c : split.criteria) (c.kind == CriterionKind::inclusion ? inc : exc) = true;
    if (!inc || !exc) continue;
    nlohmann::ordered_json j;
    j["trialmatch_trial"] = 1;
    j["id"] = t.source.substr(9);
    j["registry"] = "ClinicalTrials.gov";
    j["source"] = "shared/datasets/top_hint_trial_outcome";
    j["criteria"] = t.text;
    std::ofstream(std::filesystem::path(argv[2]) / (t.source.substr(9) + ".json")) << j.dump(1) << "\n";
    ++written;
  }
  std::cout << written << " trials written to " << argv[2] << "\n";
  return written == n ? 0 : 1;
}
